"""The embedded queue keeps its jobs in SQLite: records, events and idempotency keys survive
the process; a stop interrupts running jobs between nodes and a new queue resumes them."""

from __future__ import annotations

import threading
import time

import pytest

from agents import JobDeps, JobRequest, RouterConfig
from agents.experts import load_experts
from agents.router import EmbeddingRouter
from factforge.errors import ConfigError
from factforge.jobs import build_job_queue
from factforge.jobs.embedded import MAX_RECOVERIES, EmbeddedJobQueue
from factforge.jobs.sqlite_store import SqliteJobStore
from factforge.settings import Settings
from plugins.builtin.syntax import SyntaxVerifier
from tests.fixtures.scripted_model import quicksort_model
from tests.fixtures.services import _SlowModel
from workers.errors import JobNotFound, QueueUnavailable

TASK = JobRequest("Implement quicksort", max_rounds=0)


@pytest.fixture(scope="module")
def make_deps(embedder):
    experts = load_experts()
    router = EmbeddingRouter(experts, embedder.embed, RouterConfig(always_on=("test_writer",)))

    def make(model):
        return JobDeps(backend=model, router=router, experts=experts,
                       verifiers=[SyntaxVerifier()])
    return make


def test_records_events_and_keys_outlive_the_store(tmp_path):
    path = tmp_path / "jobs.sqlite"
    store = SqliteJobStore(path)
    done, created = store.create({"prompt": "a"}, idempotency_key="key-1")
    assert created and store.create({"prompt": "b"}, idempotency_key="key-1")[0] == done
    assert store.mark_running(done.job_id)
    assert store.append_event(done.job_id, {"type": "node", "node": "route"},
                              {"events": 1, "node": "route"}) is False
    assert store.end(done.job_id, "succeeded", result={"code": "x"})[0]
    assert not store.end(done.job_id, "failed")[0]  # the first terminal write wins
    waiting, _ = store.create({"prompt": "c"})
    store.close()
    with pytest.raises(QueueUnavailable):
        store.get(done.job_id)

    again = SqliteJobStore(path)
    record = again.get(done.job_id)
    assert (record.status, record.result, record.result_writes) == ("succeeded", {"code": "x"}, 1)
    assert [e["type"] for _, e in again.events(done.job_id)] == ["node", "status"]
    assert again.events(done.job_id, "1")[0][0] == "2"
    assert again.create({"prompt": "d"}, idempotency_key="key-1") == (record, False)
    assert [r.job_id for r in again.unfinished()] == [waiting.job_id]
    with pytest.raises(JobNotFound):
        again.get("nope")
    again.close()


def test_a_second_process_on_the_same_data_dir_is_refused(tmp_path):
    store = SqliteJobStore(tmp_path / "jobs.sqlite")
    with pytest.raises(ConfigError, match="another FactForge process"):
        SqliteJobStore(tmp_path / "jobs.sqlite")
    store.close()
    SqliteJobStore(tmp_path / "jobs.sqlite").close()  # free again once closed


def test_close_interrupts_between_nodes_and_a_new_queue_resumes_the_job(tmp_path, make_deps):
    settings = Settings(data_dir=tmp_path)
    slow = _SlowModel(quicksort_model(), delay_s=0.3)
    queue = build_job_queue(settings, lambda: make_deps(slow))
    running = queue.submit(TASK, idempotency_key="first")
    waiting = [queue.submit(TASK) for _ in range(3)]
    deadline = time.monotonic() + 60
    while queue.get(running.job_id).progress["events"] < 1:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    follower = threading.Thread(target=lambda: list(queue.events(waiting[-1].job_id)))
    follower.start()
    started = time.monotonic()
    assert queue.close() is True
    assert time.monotonic() - started < 5
    follower.join(2)
    assert not follower.is_alive()  # a follower of a waiting job is let go at the stop
    with pytest.raises(QueueUnavailable):
        queue.submit(TASK)

    store = SqliteJobStore(tmp_path / "jobs.sqlite")
    interrupted = store.get(running.job_id)
    assert interrupted.status == "queued" and 1 <= interrupted.progress["events"] < 5
    assert [r.job_id for r in store.unfinished()][-3:] == [w.job_id for w in waiting]
    store.close()

    fresh = quicksort_model()
    again = build_job_queue(settings, lambda: make_deps(fresh))
    try:
        assert again.submit(TASK, idempotency_key="first").job_id == running.job_id
        for job in (running, *waiting):
            record = again.wait(job.job_id, 60)
            assert record.status == "succeeded" and record.result_writes == 1, record
        nodes = {job.job_id: [e["node"] for _, e in again.events(job.job_id)
                              if e["type"] == "node"] for job in (running, *waiting)}
        calls = len(slow.inner.calls) + len(fresh.calls)
        extra = again.submit(TASK)  # one job, never interrupted: the reference
        assert again.wait(extra.job_id, 60).status == "succeeded"
        per_job = len(slow.inner.calls) + len(fresh.calls) - calls
        reference = [e["node"] for _, e in again.events(extra.job_id) if e["type"] == "node"]
        # resumed from their checkpoints: no node ran twice, no model call was made twice
        assert all(n == reference for n in nodes.values()), (reference, nodes)
        assert calls == (1 + len(waiting)) * per_job
    finally:
        again.close()


def test_a_job_that_keeps_dying_with_the_process_is_failed_with_a_reason(tmp_path, make_deps):
    path = tmp_path / "jobs.sqlite"
    store = SqliteJobStore(path)
    crashing, _ = store.create(TASK.to_dict())
    cancelled, _ = store.create(TASK.to_dict())
    for job_id in (crashing.job_id, cancelled.job_id):
        store.mark_running(job_id)  # what a process that then died left behind
    for _ in range(MAX_RECOVERIES):
        store.note_recovery(crashing.job_id)
    store.cancel(cancelled.job_id)  # asked to stop; the process died first
    store.close()

    queue = EmbeddedJobQueue(lambda: make_deps(quicksort_model()), store=SqliteJobStore(path))
    try:
        failed = queue.get(crashing.job_id)
        assert failed.status == "failed" and failed.error["code"] == "job_interrupted"
        assert f"stopped {MAX_RECOVERIES + 1} times" in failed.error["message"]
        assert queue.get(cancelled.job_id).status == "cancelled"
    finally:
        queue.close()


def test_prune_deletes_only_old_ended_jobs(tmp_path):
    store = SqliteJobStore(tmp_path / "jobs.sqlite")
    ended, _ = store.create({"prompt": "a"})
    store.end(ended.job_id, "failed", error={"code": "x", "message": "y"})
    queued, _ = store.create({"prompt": "b"})
    assert store.prune(3600) == 0
    time.sleep(0.05)
    assert store.prune(0.01) == 1
    with pytest.raises(JobNotFound):
        store.get(ended.job_id)
    assert store.get(queued.job_id).status == "queued"
    store.close()
