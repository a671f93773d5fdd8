"""Fault injection on a REAL distributed deployment (tests/fixtures/faults.py): Redis with
append-only on, real ``jobs`` and ``inference`` worker processes, SIGKILL, Redis restarts.

Every scenario: 10 jobs of the real graph (scripted stand-in model, slowed down so that jobs
are mid-way when the fault hits); asserts that each job succeeded with exactly one result
write, none lost or stuck, soon after the fault ended. Settings are short only where waiting
out the defaults would make CI slow: a 5 s job lease (default 30 s); the broker's visibility
timeout and the inference timeout keep their defaults (3600 s, 300 s), so recovery must come
from the leases, not from them. bench/fault_matrix.py runs the same on default settings.
"""

from __future__ import annotations

import pytest

from tests.fixtures.faults import (
    Cluster,
    inference_worker_killed,
    jobs_worker_killed,
    redis_down,
    redis_restart,
    run_scenario,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LEASE_S = 5
SETTINGS = {"FACTFORGE_JOB_LEASE_S": str(LEASE_S)}
# after the fault: two lease periods to notice and hand back, plus the jobs' own remaining
# work (10 jobs, 4 at a time, ~1 s per model call) on a loaded 2-core machine
DEADLINE_S = 2 * LEASE_S + 60


def check(report) -> None:
    assert report.errors == [], report.errors
    assert (report.submitted, report.succeeded, report.failed, report.duplicated,
            report.lost, report.stuck) == (10, 10, 0, 0, 0, 0), report
    assert report.recovery_s <= DEADLINE_S, report


@pytest.fixture
def cluster(tmp_path):
    with Cluster(tmp_path, env=SETTINGS, model_delay_s=1.0) as running:
        yield running


def test_redis_restart_with_jobs_queued_and_running(cluster):
    report = run_scenario(cluster, redis_restart, running=3, deadline_s=DEADLINE_S)
    check(report)
    # the inference worker survived the restart (kombu used to stop it: 'hostname')
    assert all(w.process.poll() is None for w in cluster.workers)
    assert "Unrecoverable error" not in "".join(w.log() for w in cluster.workers)


def test_jobs_worker_sigkilled_mid_job_and_a_new_one_started(cluster):
    report = run_scenario(cluster, jobs_worker_killed, running=3, deadline_s=DEADLINE_S)
    check(report)
    # handed back by the lease reaper (the broker would have waited an hour)
    assert "sent again" in cluster.live("jobs").log()


def test_inference_worker_sigkilled_mid_call_and_restarted(cluster):
    report = run_scenario(cluster, inference_worker_killed, running=3, deadline_s=DEADLINE_S)
    check(report)
    # far sooner than the 300 s inference timeout
    assert report.recovery_s < 60, report


def test_redis_stopped_for_longer_than_a_lease_then_back(cluster):
    report = run_scenario(cluster, redis_down(3 * LEASE_S), running=3, deadline_s=DEADLINE_S)
    check(report)
    assert all(w.process.poll() is None for w in cluster.workers)
