"""Jobs through a REAL Redis and REAL Celery worker subprocesses, running the real graph
with the scripted stand-in model (test hook FACTFORGE_TEST_MODEL_FACTORY)."""

from __future__ import annotations

import time

import pytest

from agents import JobRequest
from factforge.jobs import CeleryJobQueue
from tests.fixtures.services import CeleryWorker, RedisServer
from workers.celery_app import RUN_JOB, create_app
from workers.config import WorkerConfig

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TASK = "Implement quicksort in Python"
FAST_RECOVERY = {"FACTFORGE_BROKER_VISIBILITY_TIMEOUT_S": "4", "FACTFORGE_JOB_LEASE_S": "3"}


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def wait_terminal(queue: CeleryJobQueue, job_id: str, timeout: float = 120.0):
    return wait_for(lambda: (r := queue.get(job_id)).terminal and r, timeout, f"job {job_id}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    redis_server = RedisServer(tmp_path_factory.mktemp("redis-celery")).start()
    yield redis_server
    redis_server.stop()


@pytest.fixture
def queue(server):
    client = server.client()
    client.flushall()
    client.close()
    job_queue = CeleryJobQueue.from_url(server.url)
    yield job_queue
    job_queue.close()


@pytest.fixture
def workers(server, tmp_path):
    started: list[CeleryWorker] = []

    def start(name: str, **options) -> CeleryWorker:
        worker = CeleryWorker(server.url, tmp_path / f"{name}.log", name=name, **options)
        started.append(worker.start())
        return worker

    yield start
    for worker in started:
        worker.stop()


def test_fifty_jobs_fifty_results_and_send_task_by_name(queue, workers, server):
    workers("fast", concurrency=4)
    records = [queue.submit(JobRequest(f"{TASK} (variant {i})", max_rounds=0)) for i in range(50)]
    finals = [wait_terminal(queue, r.job_id, timeout=240) for r in records]
    assert [f.status for f in finals] == ["succeeded"] * 50
    assert all(f.result["status"] == "verified" and "def quicksort" in f.result["code"]
               for f in finals)
    assert all(f.result_writes == 1 for f in finals)
    assert len({f.job_id for f in finals}) == 50

    # any Celery client that knows only the task name
    client = create_app(WorkerConfig(redis_url=server.url))
    async_result = client.send_task(RUN_JOB, kwargs={"job_id": "by-name",
                                                     "request": {"prompt": TASK}})
    deadline = time.monotonic() + 60
    while not async_result.ready() and time.monotonic() < deadline:
        time.sleep(0.1)
    record = async_result.result
    assert record["job_id"] == "by-name" and record["status"] == "succeeded"
    assert record["result"]["status"] == "verified"
    client.close()


def test_sigkill_mid_job_completes_exactly_once_elsewhere(queue, workers):
    doomed = workers("doomed", model_factory="tests.fixtures.services:slow_quicksort",
                     env={**FAST_RECOVERY, "FACTFORGE_TEST_MODEL_DELAY_S": "1.5"})
    record = queue.submit(JobRequest(TASK))
    # kill it mid-way: routed, while the (slow) draft call runs
    for _, event in queue.events(record.job_id, timeout_s=90):
        if event.get("node") == "route":
            break
    time.sleep(0.5)
    doomed.kill()
    assert not queue.get(record.job_id).terminal
    survivor = workers("survivor", env=FAST_RECOVERY)
    final = wait_terminal(queue, record.job_id, timeout=90)
    assert final.status == "succeeded" and final.result["status"] == "verified"
    # ran on both workers, exactly one result written
    assert (final.result_writes, final.attempts >= 2) == (1, True), final
    nodes = [e.get("node") for _, e in queue._store.events(record.job_id) if e["type"] == "node"]
    # resumed from the checkpoint: route ran once, on the killed worker
    assert nodes.count("route") == 1 and nodes[-1] == "verify"
    assert f"run_job[{record.job_id}] received" in survivor.log()


def test_redis_restart_between_submit_and_pickup_loses_nothing(queue, workers, server):
    records = [queue.submit(JobRequest(f"{TASK} #{i}", max_rounds=0)) for i in range(3)]
    server.restart()  # appendonly yes, appendfsync always
    workers("after-restart")
    finals = [wait_terminal(queue, r.job_id, timeout=120) for r in records]
    assert [f.status for f in finals] == ["succeeded"] * 3


def test_cancel_running_and_queued_jobs(queue, workers):
    record = queue.submit(JobRequest(TASK))
    assert queue.cancel(queue.submit(JobRequest(TASK + " later")).job_id).status == "cancelled"
    workers("slow", model_factory="tests.fixtures.services:slow_quicksort",
            env={"FACTFORGE_TEST_MODEL_DELAY_S": "1"})
    wait_for(lambda: queue.get(record.job_id).status == "running", 60, "the job to start")
    queue.cancel(record.job_id)
    final = wait_terminal(queue, record.job_id, timeout=60)
    assert final.status == "cancelled" and final.result is None
    events = [e for _, e in queue.events(record.job_id, timeout_s=5)]
    assert events[-1]["type"] == "status" and events[-1]["status"] == "cancelled"
    assert "verify" not in [e.get("node") for e in events]
