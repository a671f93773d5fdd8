"""JobRunner.arun on a LoopThread: the same events, result and resume as JobRunner.run."""

from __future__ import annotations

import threading

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agents import JobDeps, JobRequest, JobRunner, LoopThread, RouterConfig
from agents.experts import load_experts
from agents.router import EmbeddingRouter
from plugins.builtin.syntax import SyntaxVerifier
from tests.fixtures.scripted_model import (
    AUTHOR,
    QUICKSORT,
    QUICKSORT_TESTS,
    REVIEWER,
    TESTER,
    CrashingReviewerModel,
    quicksort_model,
)

TASK = JobRequest("Implement quicksort in Python", max_rounds=0)


@pytest.fixture(scope="module")
def make_deps(embedder):
    experts = load_experts()
    router = EmbeddingRouter(experts, embedder.embed, RouterConfig(always_on=("test_writer",)))

    def build(model):
        return JobDeps(backend=model, router=router, experts=experts,
                       verifiers=[SyntaxVerifier()])

    return build


@pytest.fixture
def loop():
    loop = LoopThread(executor_threads=4)
    yield loop
    loop.close()


def _nodes(events):
    return [e["node"] for e in events if e["type"] == "node"]


def test_async_run_matches_the_sync_run(make_deps, loop):
    sync_events, async_events = [], []
    expected = JobRunner(InMemorySaver()).run(TASK, make_deps(quicksort_model()), job_id="s",
                                              on_event=sync_events.append)
    runner = JobRunner(InMemorySaver())
    got = loop.run(runner.arun(TASK, make_deps(quicksort_model()), job_id="a",
                               on_event=async_events.append))
    assert got["code"] == expected["code"] and got["status"] == expected["status"]
    assert [v["status"] for v in got["verdicts"]] == [v["status"] for v in expected["verdicts"]]
    assert _nodes(async_events) == _nodes(sync_events)
    assert async_events[-1]["type"] == "done"
    # a finished job is answered from its checkpoint, without model calls
    model = quicksort_model()
    again = loop.run(runner.arun(TASK, make_deps(model), job_id="a"))
    assert again["code"] == got["code"] and model.calls == []


def test_async_run_resumes_and_raises_into_the_caller(make_deps, loop):
    runner = JobRunner(InMemorySaver())
    model = CrashingReviewerModel({AUTHOR: QUICKSORT, TESTER: QUICKSORT_TESTS, REVIEWER: "LGTM"})
    with pytest.raises(RuntimeError, match="worker died"):
        loop.run(runner.arun(TASK, make_deps(model), job_id="r"))
    authors = sum(AUTHOR in r.messages[0].content for r in model.calls)
    model.healthy = True
    result = loop.run(runner.arun(TASK, make_deps(model), job_id="r"))
    assert result["status"] == "verified"
    assert sum(AUTHOR in r.messages[0].content for r in model.calls) == authors


def test_one_loop_serves_concurrent_callers(make_deps, loop):
    runner = JobRunner(InMemorySaver())
    results = {}

    def call(i):
        results[i] = loop.run(runner.arun(TASK, make_deps(quicksort_model()), job_id=f"c{i}"))

    threads = [threading.Thread(target=call, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1, 2, 3]
    assert all(r["status"] == "verified" for r in results.values())
