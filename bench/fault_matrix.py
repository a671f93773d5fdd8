"""Fault matrix: what becomes of 10 jobs when Redis or a worker fails, on DEFAULT settings.

A real distributed deployment (tests/fixtures/faults.py): redis-server with append-only on
(fsync always, as in docker-compose.yml), a ``jobs`` worker (``FACTFORGE_BACKEND=remote``,
concurrency 4) and an ``inference`` worker (concurrency 8) holding the scripted stand-in model
slowed to ``--model-delay`` seconds per call, so that jobs are mid-way when the fault hits.
Default lease (``FACTFORGE_JOB_LEASE_S`` 30 s), visibility timeout (3600 s) and inference
timeout (300 s). Per fault: submitted / succeeded (exactly one result write) / failed /
duplicated (more than one result write) / lost (record gone) / stuck (not ended
``--deadline`` s after the fault) and the seconds from the end of the fault to the last job's
end. Goal: 10/10 succeeded exactly once, 0 lost, 0 stuck, within 2 lease periods (60 s).

    python bench/fault_matrix.py [--jobs 10] [--redis-down 60] [--model-delay 1]
                                 [--only redis_restart,jobs_worker_killed,...] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from tests.fixtures.faults import (  # noqa: E402
    Cluster,
    FaultReport,
    inference_worker_killed,
    jobs_worker_killed,
    redis_down,
    redis_restart,
    run_scenario,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--redis-down", type=float, default=60.0)
    parser.add_argument("--model-delay", type=float, default=1.0)
    parser.add_argument("--deadline", type=float, default=300.0)
    parser.add_argument("--only", default="")
    parser.add_argument("--keep", default="", help="keep the logs under this directory")
    args = parser.parse_args()
    faults = [
        redis_restart,
        jobs_worker_killed,
        inference_worker_killed,
        redis_down(args.redis_down),
    ]
    if args.only:
        faults = [f for f in faults if f.__name__ in args.only.split(",")]
    reports = []
    for fault in faults:
        with tempfile.TemporaryDirectory() as tmp:
            where = Path(args.keep) / fault.__name__ if args.keep else Path(tmp)
            started = time.monotonic()
            with Cluster(where, model_delay_s=args.model_delay) as cluster:
                report = run_scenario(
                    cluster,
                    fault,
                    jobs=args.jobs,
                    running=min(3, args.jobs),
                    deadline_s=args.deadline,
                )
            reports.append(report)
            print(report.row(), f"  ({time.monotonic() - started:.0f} s)", flush=True)
            for error in report.errors[:5]:
                print("   ", error, flush=True)
    print()
    print(FaultReport.header())
    for report in reports:
        print(report.row())


if __name__ == "__main__":
    main()
