"""execute_job: the logic of the run_job task, with a real Redis store and the real graph."""

from __future__ import annotations

import pytest

from agents import JobCancelled, JobRunner
from agents.errors import ModelCallError
from tests.fixtures.scripted_model import quicksort_model
from workers.execution import execute_job
from workers.job_store import RedisJobStore
from workers.redis_checkpointer import RedisCheckpointer

pytestmark = pytest.mark.integration

REQUEST = {"prompt": "Implement quicksort in Python"}


@pytest.fixture
def store(redis_url):
    return RedisJobStore.from_url(redis_url)


def _runner(redis_url, deps):
    runner = JobRunner(RedisCheckpointer.from_url(redis_url))

    def run(request, job_id, on_event, resume):
        return runner.run(request, deps, job_id=job_id, on_event=on_event, resume=resume)

    return run


def test_runs_the_graph_and_records_events_and_result(redis_url, store, make_deps):
    record, _ = store.create(REQUEST)
    model = quicksort_model()
    out = execute_job(record.job_id, REQUEST, store=store, run=_runner(redis_url, make_deps(model)))
    assert out["status"] == "succeeded" and out["result"]["status"] == "verified"
    nodes = [e.get("node") for _, e in store.events(record.job_id) if e["type"] == "node"]
    assert nodes[:3] == ["route", "draft", "select"] and nodes[-1] == "verify"
    # a redelivered (duplicate) message does not run the job again
    calls = len(model.calls)
    again = execute_job(record.job_id, REQUEST, store=store,
                        run=_runner(redis_url, make_deps(model)))
    assert again["result"] == out["result"] and len(model.calls) == calls
    assert store.get(record.job_id).result_writes == 1


def test_send_task_style_submission_without_a_record(redis_url, store, make_deps):
    out = execute_job("by-name", REQUEST, store=store,
                      run=_runner(redis_url, make_deps(quicksort_model())))
    assert out["job_id"] == "by-name" and out["status"] == "succeeded"


def _cancel_after_route(redis_url, store, make_deps, *, wait_for_replies: bool) -> list:
    """Run a job that is cancelled right after its route node; the node events it wrote."""
    record, _ = store.create(REQUEST)
    inner = _runner(redis_url, make_deps(quicksort_model()))

    def run(request, job_id, on_event, resume):
        def cancel_after_route(event):
            if event.get("node") == "route":
                store.cancel(job_id)
            on_event(event)
            if wait_for_replies:
                store.flush()  # the append's reply (it carries the cancel flag) is back
        return inner(request, job_id, cancel_after_route, resume)

    out = execute_job(record.job_id, REQUEST, store=store, run=run)
    assert out["status"] == "cancelled" and out["error"]["code"] == JobCancelled.code
    return [e.get("node") for _, e in store.events(record.job_id)]


def test_cancel_stops_between_nodes(redis_url, store, make_deps):
    assert _cancel_after_route(redis_url, store, make_deps, wait_for_replies=True) == \
        ["route", None]


def test_cancel_is_seen_within_a_few_nodes_without_waiting_for_replies(
        redis_url, store, make_deps):
    nodes = _cancel_after_route(redis_url, store, make_deps, wait_for_replies=False)
    assert nodes[0] == "route" and nodes[-1] is None and "verify" not in nodes


def test_invalid_request_and_crashes_fail_the_job(redis_url, store, make_deps):
    bad = execute_job("bad", {"prompt": ""}, store=store,
                      run=_runner(redis_url, make_deps(quicksort_model())))
    assert bad["status"] == "failed" and bad["error"]["code"] == "job_invalid"

    def crash(request, job_id, on_event, resume):
        raise KeyError("bug")

    out = execute_job("crash", REQUEST, store=store, run=crash)
    assert out["status"] == "failed" and out["error"]["code"] == "internal_error"


def test_time_limit_stops_the_job(redis_url, store, make_deps):
    out = execute_job("slow", REQUEST, store=store, time_limit_s=0,
                      run=_runner(redis_url, make_deps(quicksort_model())))
    assert out["status"] == "failed" and out["error"]["code"] == "job_timeout"


def test_only_a_retried_attempt_is_asked_to_resume(redis_url, store, make_deps):
    record, _ = store.create(REQUEST)
    inner = _runner(redis_url, make_deps(quicksort_model()))
    seen = []

    def run(request, job_id, on_event, resume):
        seen.append(resume)
        if len(seen) == 1:  # the first attempt dies on a transient model error
            raise ModelCallError("inference worker unreachable", retryable=True)
        return inner(request, job_id, on_event, resume)

    with pytest.raises(ModelCallError):
        execute_job(record.job_id, REQUEST, store=store, run=run)
    out = execute_job(record.job_id, REQUEST, store=store, run=run)
    assert seen == [False, True] and out["status"] == "succeeded"


def test_a_model_error_the_backend_already_retried_fails_the_job(store):
    """Not re-raised for the task to retry (README, "Who retries what")."""
    record, _ = store.create(REQUEST)

    def run(request, job_id, on_event, resume):
        raise ModelCallError("http://m/v1/chat/completions answered 503 after 4 attempt(s)")

    out = execute_job(record.job_id, REQUEST, store=store, run=run)
    assert out["status"] == "failed" and out["error"]["code"] == "model_call_failed"
    assert "503 after 4 attempt(s)" in out["error"]["message"]
