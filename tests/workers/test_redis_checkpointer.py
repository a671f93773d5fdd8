"""The plain-Redis LangGraph checkpointer, against a real redis-server."""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, TypedDict

import pytest
import redis
from langgraph.graph import END, START, StateGraph

from agents import JobRequest, JobRunner
from tests.fixtures.scripted_model import (
    AUTHOR,
    QUICKSORT,
    QUICKSORT_TESTS,
    REVIEWER,
    TESTER,
    CrashingReviewerModel,
)
from workers.redis_checkpointer import RedisCheckpointer

pytestmark = pytest.mark.integration


class _State(TypedDict):
    steps: Annotated[list[str], operator.add]


def _counter_graph(checkpointer, fail_at: set[str]):
    def node(name: str):
        def run(state: _State) -> dict:
            if name in fail_at:
                raise RuntimeError(f"crash in {name}")
            return {"steps": [name]}
        return run

    graph = StateGraph(_State)
    for name in ("a", "b", "c"):
        graph.add_node(name, node(name))
    graph.add_edge(START, "a")
    graph.add_edge("a", "b")
    graph.add_edge("b", "c")
    graph.add_edge("c", END)
    return graph.compile(checkpointer=checkpointer)


def test_state_list_and_resume_on_a_small_graph(redis_url):
    saver = RedisCheckpointer.from_url(redis_url, ttl_s=60)
    config = {"configurable": {"thread_id": "t1"}}
    with pytest.raises(RuntimeError, match="crash in c"):
        _counter_graph(saver, {"c"}).invoke({"steps": []}, config)
    # a fresh saver (another process, in effect) sees the checkpoint before c
    other = RedisCheckpointer.from_url(redis_url, ttl_s=60)
    graph = _counter_graph(other, set())
    snapshot = graph.get_state(config)
    assert snapshot.values["steps"] == ["a", "b"] and snapshot.next == ("c",)
    assert graph.invoke(None, config)["steps"] == ["a", "b", "c"]
    history = list(other.list(config))
    assert [h.metadata["step"] for h in history] == sorted(
        (h.metadata["step"] for h in history), reverse=True)
    assert len(list(other.list(config, limit=2))) == 2
    before = list(other.list(config, before=history[0].config))
    assert before[0].config == history[1].config
    assert next(other.list(config, filter={"source": "input"})).metadata["step"] == -1
    # parent links form a chain back to the first checkpoint
    assert history[0].parent_config == history[1].config


def test_pending_writes_of_a_failed_step_survive(redis_url):
    """A parallel branch's successful writes are kept when its sibling fails."""
    saver = RedisCheckpointer.from_url(redis_url)
    config = {"configurable": {"thread_id": "t2"}}
    with pytest.raises(RuntimeError):
        _counter_graph(saver, {"b"}).invoke({"steps": []}, config)
    latest = saver.get_tuple(config)
    assert latest is not None and latest.checkpoint["channel_values"]["steps"] == ["a"]
    errors = [w for w in latest.pending_writes if w[1] == "__error__"]
    assert errors and "crash in b" in str(errors[0][2])


def test_ttl_and_delete_thread(redis_url):
    client = redis.Redis.from_url(redis_url)
    saver = RedisCheckpointer(client, ttl_s=120)
    config = {"configurable": {"thread_id": "t3"}}
    _counter_graph(saver, set()).invoke({"steps": []}, config)
    keys = client.keys("ff:lg:*")
    assert keys and all(0 < client.ttl(k) <= 120 for k in keys)
    saver.delete_thread("t3")
    assert client.keys("ff:lg:*") == []
    assert saver.get_tuple(config) is None


def test_rejects_a_decoding_client(redis_url):
    with pytest.raises(ValueError, match="decode_responses"):
        RedisCheckpointer(redis.Redis.from_url(redis_url, decode_responses=True))


def test_the_job_graph_resumes_from_redis(redis_url, make_deps):
    model = CrashingReviewerModel({AUTHOR: QUICKSORT, TESTER: QUICKSORT_TESTS, REVIEWER: "LGTM"})
    deps = make_deps(model)
    request = JobRequest("Implement quicksort in Python")
    with pytest.raises(RuntimeError, match="worker died"):
        JobRunner(RedisCheckpointer.from_url(redis_url)).run(request, deps, job_id="j1")
    authors = sum(AUTHOR in r.messages[0].content for r in model.calls)
    model.healthy = True
    events = []
    result = JobRunner(RedisCheckpointer.from_url(redis_url)).run(
        request, deps, job_id="j1", on_event=events.append)
    assert result["status"] == "verified"
    # the draft was not redone: resumed after the last completed node
    assert sum(AUTHOR in r.messages[0].content for r in model.calls) == authors
    assert events[0]["node"] == "review"


def test_async_methods(redis_url):
    asyncio.run(_async_round_trip(RedisCheckpointer.from_url(redis_url)))


async def _async_round_trip(saver: RedisCheckpointer) -> None:
    config = {"configurable": {"thread_id": "t4"}}
    result = await _counter_graph(saver, set()).ainvoke({"steps": []}, config)
    assert result["steps"] == ["a", "b", "c"]
    assert (await saver.aget_tuple(config)).checkpoint["channel_values"]["steps"] == result["steps"]
    assert len([t async for t in saver.alist(config)]) == 5
    await saver.adelete_thread("t4")
    assert await saver.aget_tuple(config) is None


def test_a_new_thread_hint_answers_the_next_read_alone(redis_url):
    saver = RedisCheckpointer.from_url(redis_url, ttl_s=60)
    config = {"configurable": {"thread_id": "hinted"}}
    assert _counter_graph(saver, set()).invoke({"steps": []}, config)["steps"] == ["a", "b", "c"]
    saver.expect_new_thread("hinted")  # trusted: the next read does not ask Redis
    assert saver.get_tuple(config) is None
    assert saver.get_tuple(config).checkpoint is not None  # one read only
    # a run told it is new starts from scratch and its checkpoints are read back as usual
    saver.expect_new_thread("fresh")
    fresh = {"configurable": {"thread_id": "fresh"}}
    assert _counter_graph(saver, set()).invoke({"steps": []}, fresh)["steps"] == ["a", "b", "c"]
    saver.flush()
    assert RedisCheckpointer.from_url(redis_url).get_tuple(fresh).checkpoint is not None
