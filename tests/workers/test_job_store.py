"""Redis job records, events, cancel flag, lease and the exactly-once terminal write."""

from __future__ import annotations

import threading
import time

import pytest

from workers.errors import JobNotFound, LeaseHeld, LeaseLost, QueueUnavailable
from workers.job_store import RedisJobStore

pytestmark = pytest.mark.integration

REQUEST = {"prompt": "Implement quicksort"}


@pytest.fixture
def store(redis_url):
    return RedisJobStore.from_url(redis_url, record_ttl_s=600)


def test_create_get_and_idempotency_key(store):
    first, created = store.create(REQUEST, idempotency_key="k1")
    assert created and first.status == "queued" and first.request == REQUEST
    again, created_again = store.create({"prompt": "other"}, idempotency_key="k1")
    assert not created_again and again.job_id == first.job_id and again.request == REQUEST
    other, _ = store.create(REQUEST, idempotency_key="k2")
    assert other.job_id != first.job_id
    with pytest.raises(JobNotFound):
        store.get("missing")


def _start(store, job_id):
    """What a worker does before running a job: claim it (it stays running afterwards)."""
    with store.claim(job_id, REQUEST, 30) as record:
        return record


def test_claim_creates_leases_and_marks_running_and_leaves_ended_jobs_alone(store):
    fresh = _start(store, "by-task-only")  # send_task without a record: claim creates it
    assert fresh.status == "running" and fresh.attempts == 1 and fresh.request == REQUEST
    assert _start(store, "by-task-only").attempts == 2
    with store.claim("by-task-only", REQUEST, 30), pytest.raises(LeaseHeld), \
            store.claim("by-task-only", REQUEST, 30):
        pass
    store.finish("by-task-only", "succeeded", result={})
    ended = _start(store, "by-task-only")
    assert ended.status == "succeeded" and ended.attempts == 3


def test_events_are_ordered_and_the_terminal_write_happens_once(store):
    record, _ = store.create(REQUEST)
    assert _start(store, record.job_id).status == "running"
    for i in range(5):
        assert store.append_event(record.job_id, {"type": "node", "node": f"n{i}"},
                                  {"events": i + 1, "node": f"n{i}"}) is False
    assert store.get(record.job_id).progress == {"events": 5, "node": "n4"}
    results = []
    threads = [threading.Thread(target=lambda i=i: results.append(
        store.finish(record.job_id, "succeeded", result={"writer": i}))) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
    final = store.get(record.job_id)
    assert final.status == "succeeded" and final.result_writes == 1
    events = store.events(record.job_id)
    assert [e["node"] for _, e in events[:5]] == ["n0", "n1", "n2", "n3", "n4"]
    assert events[-1][1] == {"type": "status", "status": "succeeded", "ts": events[-1][1]["ts"]}
    # reading after an id returns only newer events, in order
    assert [e for _, e in store.events(record.job_id, after=events[2][0])] == \
        [e for _, e in events[3:]]
    # nothing is appended after the end
    assert store.append_event(record.job_id, {"type": "node"}, {}) is False
    assert len(store.events(record.job_id)) == 6


def test_blocking_read_wakes_on_a_new_event(store):
    record, _ = store.create(REQUEST)
    timer = threading.Timer(0.2, lambda: store.append_event(record.job_id, {"n": 1}, {}))
    timer.start()
    got = store.events(record.job_id, block_ms=5000)
    timer.join()
    assert [e for _, e in got] == [{"n": 1}]


def test_cancel_queued_ends_it_and_running_sets_the_flag(store):
    queued, _ = store.create(REQUEST)
    assert store.cancel(queued.job_id).status == "cancelled"
    running, _ = store.create(REQUEST)
    _start(store, running.job_id)
    assert store.cancel(running.job_id).cancel_requested
    # write-behind: the append is queued; its reply carries the flag, the next append sees it
    assert store.append_event(running.job_id, {"type": "node"}, {}) is False
    store.flush()
    assert store.append_event(running.job_id, {"type": "node"}, {}) is True
    assert len(store.events(running.job_id)) == 1  # a known-cancelled job appends no more
    assert _start(store, queued.job_id).status == "cancelled"


def test_lease_excludes_a_second_holder(store):
    with store.lease("j", ttl_s=3), pytest.raises(LeaseHeld), store.lease("j", ttl_s=3):
        pass
    with store.lease("j", ttl_s=3):
        pass


def test_unreachable_redis_is_a_clear_error():
    store = RedisJobStore.from_url("redis://127.0.0.1:1/0")
    with pytest.raises(QueueUnavailable, match="Redis is unavailable"):
        store.get("x")


def test_wait_terminal_wakes_on_the_end_and_times_out_otherwise(store, redis_url):
    record, _ = store.create(REQUEST)
    started = time.monotonic()
    assert store.wait_terminal(record.job_id, 0.3).status == "queued"
    assert time.monotonic() - started >= 0.25
    _start(store, record.job_id)
    other = RedisJobStore.from_url(redis_url)  # the worker's side
    timer = threading.Timer(0.2, lambda: other.finish(record.job_id, "succeeded",
                                                      result={"answer": 42}))
    timer.start()
    started = time.monotonic()
    ended = store.wait_terminal(record.job_id, 30)  # the record comes with the wake-up
    assert ended.status == "succeeded" and ended.result == {"answer": 42}
    timer.join()
    assert time.monotonic() - started < 10
    with pytest.raises(JobNotFound):
        store.wait_terminal("no-such-job", 0.1)


def test_a_held_lease_is_renewed_past_its_ttl(store):
    with store.lease("long", ttl_s=1):
        time.sleep(2.5)
        with pytest.raises(LeaseHeld), store.lease("long", ttl_s=1):
            pass
    with store.lease("long", ttl_s=1):  # released at the end
        pass


def test_claim_creates_leases_and_marks_running_in_one_step(store):
    with store.claim("by-name", REQUEST, ttl_s=5) as record:  # no record yet: send_task
        assert record.status == "running" and record.attempts == 1
        assert record.request == REQUEST
        with pytest.raises(LeaseHeld), store.claim("by-name", REQUEST, ttl_s=5):
            pass
        store.finish("by-name", "succeeded", result={"ok": True})
    with store.claim("by-name", REQUEST, ttl_s=5) as ended:  # ended: unchanged, no lease
        assert ended.status == "succeeded" and ended.attempts == 1
        assert ended.result == {"ok": True}


def test_reaper_hands_back_a_running_job_whose_lease_expired_once(store, redis_url):
    live, _ = store.create(REQUEST)
    dead, _ = store.create(REQUEST)
    done, _ = store.create(REQUEST)
    _start(store, dead.job_id)  # claimed, then its worker "died": lease gone, still running
    store.flush()
    store.client.delete(f"ff:lease:{dead.job_id}")
    store.finish(done.job_id, "succeeded", result={"ok": True})
    with store.claim(live.job_id, REQUEST, 30):  # a live worker holds this one
        handed = store.reap(requeue_after_s=120)
        assert [job_id for job_id, _ in handed] == [dead.job_id]
        assert handed[0][1] == REQUEST
        assert store.reap(requeue_after_s=120) == []  # handed back once, however many reap
        assert store.get(live.job_id).status == "running"
    store.flush()  # the lease of `live` is released behind the caller's back: wait for it
    back = store.get(dead.job_id)
    assert (back.status, back.requeues, back.attempts) == ("queued", 1, 1)
    assert set(store.client.zrange("ff:active", 0, -1)) == {dead.job_id, live.job_id}
    # a queued job that already ran and was not picked up again is sent again after a while
    # (and `live`, left running without its lease, is handed back as a dead worker's job)
    assert {job_id for job_id, _ in store.reap(requeue_after_s=0.0)} == {
        dead.job_id,
        live.job_id,
    }
    # the next claim takes it over and resumes it (attempt 2)
    assert _start(store, dead.job_id).attempts == 2


def test_a_lease_that_expired_is_taken_again_and_a_lease_taken_over_is_lost(store):
    record, _ = store.create(REQUEST)
    lease_key = f"ff:lease:{record.job_id}"
    with store.claim(record.job_id, REQUEST, 3):
        store.client.delete(lease_key)  # expired while Redis was away
        _until(lambda: store.client.get(lease_key) is not None)  # renewed: every TTL/3
        store.check_lease(record.job_id)  # still ours
        store.client.set(lease_key, "another-worker")  # the reaper sent it, another took it
        _until(lambda: store._leases.lost(lease_key))
        with pytest.raises(LeaseLost):
            store.check_lease(record.job_id)
    assert store.client.get(lease_key) == "another-worker"  # not released by the loser


def _until(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
