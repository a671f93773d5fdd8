"""`factforge serve` (embedded mode) keeps its jobs across SIGTERM and SIGKILL.

Real processes: the server is a `python -m factforge serve` subprocess on a temp
FACTFORGE_DATA_DIR; its model is the ordinary openai backend pointed at a scripted
OpenAI-compatible HTTP server in this process (slow, so jobs are queued and mid-way at the
fault). 20 jobs are submitted, the server is stopped (SIGTERM) or killed (SIGKILL), started
again on the same data dir, and every job must end succeeded exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures.scripted_openai import ScriptedOpenAIServer
from tests.fixtures.services import ROOT, free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

JOBS = 20
TASK = {"prompt": "Implement quicksort in Python", "max_rounds": 0, "samples": 1}


class Serve:
    """One `factforge serve` process on ``data_dir`` (logs appended to ``log_path``)."""

    def __init__(self, data_dir: Path, model_url: str, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        env = {k: v for k, v in os.environ.items() if not k.startswith("FACTFORGE_")}
        env.update({
            "FACTFORGE_DATA_DIR": str(data_dir), "FACTFORGE_BACKEND": "openai",
            "FACTFORGE_OPENAI_BASE_URL": model_url, "FACTFORGE_PORT": str(self.port),
            "FACTFORGE_SANDBOX_WORKERS": "1",
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
            "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
            "PYTHONWARNINGS": "ignore",
        })
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "factforge", "serve"], cwd=data_dir.parent, env=env,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.http = httpx.Client(base_url=self.url, timeout=90)
        deadline = time.monotonic() + 180
        while True:
            assert self.process.poll() is None, f"serve exited: {self.log()[-3000:]}"
            try:
                if self.http.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"serve did not start: {self.log()[-3000:]}"
            time.sleep(0.2)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def signal(self, sig: int) -> float:
        """Send ``sig`` to the server (SIGKILL: to its whole process group, as a crash of the
        container would); returns the seconds until it exited (waits at most 30 s)."""
        started = time.monotonic()
        if sig == signal.SIGKILL:
            os.killpg(self.process.pid, sig)
        else:
            self.process.send_signal(sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        return time.monotonic() - started

    def close(self) -> None:
        self.http.close()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        try:  # anything it left behind (sandbox fork servers)
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._log.close()


@pytest.fixture
def model() -> Iterator[ScriptedOpenAIServer]:
    with ScriptedOpenAIServer(delay_s=0.3) as server:
        yield server


def _submit(serve: Serve) -> list[str]:
    ids = []
    for i in range(JOBS):
        response = serve.http.post("/v1/jobs", json=TASK, headers={"Idempotency-Key": f"k{i}"})
        assert response.status_code == 202, response.text
        ids.append(response.json()["job_id"])
    assert len(set(ids)) == JOBS
    return ids


def _wait_mid_job(serve: Serve, job_id: str) -> None:
    """Until ``job_id`` has finished a node or two but not all (so the fault hits it mid-way)."""
    deadline = time.monotonic() + 120
    while True:
        record = serve.http.get(f"/v1/jobs/{job_id}").json()
        assert record["status"] in ("queued", "running"), record
        if record["progress"]["events"] >= 1:
            assert record["progress"]["events"] <= 3, record
            return
        assert time.monotonic() < deadline, serve.log()[-3000:]
        time.sleep(0.05)


def _quietly(call, *args, **kwargs) -> None:
    """Run a client call that the server's stop may cut short."""
    try:
        call(*args, **kwargs)
    except httpx.TransportError:
        pass


def _db_jobs(data_dir: Path) -> dict[str, dict]:
    """The jobs database as the stopped server left it."""
    with sqlite3.connect(data_dir / "jobs.sqlite") as db:
        rows = db.execute("SELECT job_id, status, progress, result_writes, recoveries, "
                          "idempotency_key FROM jobs").fetchall()
    return {r[0]: {"status": r[1], "events": json.loads(r[2])["events"], "result_writes": r[3],
                   "recoveries": r[4], "key": r[5]} for r in rows}


def _events(serve: Serve, job_id: str) -> list[dict]:
    with serve.http.stream("GET", f"/v1/jobs/{job_id}/events") as response:
        assert response.status_code == 200
        return [json.loads(line[len("data: "):]) for line in response.iter_lines()
                if line.startswith("data: ")]


def _finish_after_restart(serve: Serve, ids: list[str]) -> dict[str, list[str]]:
    """Every job ends succeeded, exactly once; returns each job's node events."""
    nodes = {}
    for job_id in ids:
        record = serve.http.get(f"/v1/jobs/{job_id}", params={"wait": 60}).json()
        assert record["status"] == "succeeded", (record, serve.log()[-3000:])
        assert record["result"]["status"] == "verified", record["result"]["verdicts"]
        events = _events(serve, job_id)
        ends = [e for e in events if e["type"] == "status"]
        assert [e["status"] for e in ends] == ["succeeded"], events
        nodes[job_id] = [e["node"] for e in events if e["type"] == "node"]
    return nodes


def _same_key_same_job(serve: Serve, ids: list[str]) -> None:
    """The idempotency keys survived the restart: a key gives the job it first created."""
    for i in (0, 3, JOBS - 1):
        again = serve.http.post("/v1/jobs", json=TASK, headers={"Idempotency-Key": f"k{i}"})
        assert again.status_code == 202 and again.json()["job_id"] == ids[i]


def _reran_one_step(nodes: list[str], reference: list[str]) -> bool:
    """``nodes`` are ``reference`` plus at most the nodes of one step run again: one node, or
    the reviews of the fan-out (they run in the same step, so a kill can catch them all)."""
    want, got = Counter(reference), Counter(nodes)
    if want - got:
        return False  # a node never ran
    extra = got - want
    if set(extra) == {"review"}:
        return extra["review"] <= want["review"]
    return sum(extra.values()) <= 1


def _reference(serve: Serve, model: ScriptedOpenAIServer) -> tuple[list[str], int]:
    """The node events and model calls of one uninterrupted job of TASK."""
    calls = model.calls
    job_id = serve.http.post("/v1/jobs", json=TASK).json()["job_id"]
    (nodes,) = _finish_after_restart(serve, [job_id]).values()
    return nodes, model.calls - calls


def test_sigterm_stops_within_10_s_and_a_restart_finishes_every_job_once(
        tmp_path: Path, model: ScriptedOpenAIServer) -> None:
    data_dir = tmp_path / "data"
    log_path = tmp_path / "serve.log"
    first = Serve(data_dir, model.url, log_path)
    try:
        ids = _submit(first)
        _wait_mid_job(first, ids[0])
        # its next model calls outlast the time to the signal but not the stop's grace, so it is
        # surely mid-job when the signal lands and reaches its next node within the grace
        model.delay_s = 2.5
        # clients waiting at the stop: an event stream and a long poll of queued jobs
        waiting = [threading.Thread(target=_quietly, args=(_events, first, ids[-1])),
                   threading.Thread(target=_quietly, args=(
                       first.http.get, f"/v1/jobs/{ids[-2]}"), kwargs={"params": {"wait": 60}})]
        for thread in waiting:
            thread.start()
        time.sleep(0.5)
        took = first.signal(signal.SIGTERM)
        # a clean stop: uvicorn re-raises SIGTERM after its shutdown; the watchdog exits 1
        assert first.process.returncode == -signal.SIGTERM, first.log()[-3000:]
        assert took < 10, f"SIGTERM took {took:.1f} s"
        for thread in waiting:
            thread.join(5)
            assert not thread.is_alive()
    finally:
        model.delay_s = 0.3
        first.close()
    jobs = _db_jobs(data_dir)
    assert set(jobs) == set(ids)
    # nothing left "running": running jobs went back to the queue at their next node
    assert {j["status"] for j in jobs.values()} <= {"queued", "succeeded"}, jobs
    # a job stopped mid-job went back to the queue with its progress
    assert any(j["status"] == "queued" and j["events"] >= 1 for j in jobs.values()), jobs
    assert sum(j["status"] == "queued" for j in jobs.values()) >= JOBS // 2, jobs

    second = Serve(data_dir, model.url, log_path)
    try:
        nodes = _finish_after_restart(second, ids)
        _same_key_same_job(second, ids)
        calls = model.calls
        reference, calls_per_job = _reference(second, model)
        # resumed from their checkpoints: no node ran twice, no model call was made twice
        assert all(n == reference for n in nodes.values()), (reference, nodes)
        assert calls == JOBS * calls_per_job, (calls, calls_per_job)
        took = second.signal(signal.SIGTERM)
        assert second.process.returncode == -signal.SIGTERM and took < 10
    finally:
        second.close()
    jobs = _db_jobs(data_dir)
    assert len(jobs) == JOBS + 1
    assert all(j["status"] == "succeeded" and j["result_writes"] == 1 for j in jobs.values())
    assert all(j["recoveries"] == 0 for j in jobs.values())  # a clean stop is no crash


def test_sigkill_then_restart_ends_every_job(tmp_path: Path,
                                            model: ScriptedOpenAIServer) -> None:
    data_dir = tmp_path / "data"
    log_path = tmp_path / "serve.log"
    first = Serve(data_dir, model.url, log_path)
    try:
        ids = _submit(first)
        _wait_mid_job(first, ids[0])
        model.delay_s = 2.5  # so that it is surely still mid-job when the signal lands
        first.signal(signal.SIGKILL)
    finally:
        model.delay_s = 0.3
        first.close()
    jobs = _db_jobs(data_dir)
    assert set(jobs) == set(ids)
    assert jobs[ids[0]]["status"] == "running", jobs[ids[0]]  # died mid-job
    assert sum(j["status"] == "queued" for j in jobs.values()) >= JOBS // 2, jobs

    second = Serve(data_dir, model.url, log_path)
    try:
        nodes = _finish_after_restart(second, ids)
        _same_key_same_job(second, ids)
        reference, _ = _reference(second, model)
        # the nodes a job was in when the process died may have run again, no other
        off = {job: n for job, n in nodes.items() if not _reran_one_step(n, reference)}
        assert not off, (f"reference {reference}; killed mid-job {ids[0]}; jobs off it: {off}",
                         second.log()[-3000:])  # fmt: skip
        assert "resuming it (1/3)" in second.log()
    finally:
        second.close()
    jobs = _db_jobs(data_dir)
    assert len(jobs) == JOBS + 1
    assert all(j["status"] == "succeeded" and j["result_writes"] == 1 for j in jobs.values())
    assert jobs[ids[0]]["recoveries"] == 1



def test_sigterm_while_a_model_call_hangs_still_stops_and_the_job_resumes(tmp_path: Path) -> None:
    """A job inside a node that outlasts the stop grace does not hold the process: it exits
    within 10 s, the job stays ``running`` and the next start resumes it."""
    data_dir = tmp_path / "data"
    log_path = tmp_path / "serve.log"
    with ScriptedOpenAIServer(delay_s=120) as model:
        first = Serve(data_dir, model.url, log_path)
        try:
            job_id = first.http.post("/v1/jobs", json=TASK).json()["job_id"]
            deadline = time.monotonic() + 120
            while model.started < 1:  # the draft's model call hangs
                assert time.monotonic() < deadline, first.log()[-3000:]
                time.sleep(0.05)
            took = first.signal(signal.SIGTERM)
            assert took < 10, f"SIGTERM took {took:.1f} s"
            assert first.process.returncode == -signal.SIGTERM, first.log()[-3000:]
            assert "still inside a node" in first.log()
        finally:
            first.close()
        assert _db_jobs(data_dir)[job_id]["status"] == "running"
        model.delay_s = 0
        second = Serve(data_dir, model.url, log_path)
        try:
            _finish_after_restart(second, [job_id])
        finally:
            second.close()
    assert _db_jobs(data_dir)[job_id]["recoveries"] == 1
