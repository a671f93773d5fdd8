"""The shared thread pool for graph runs (agents/_pool.py) and skipping the checkpoint read
on a job's first attempt."""

from __future__ import annotations

import os
import threading

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agents import JobDeps, JobRequest, JobRunner, RouterConfig
from agents._pool import install, shared_pool
from agents.experts import load_experts
from agents.graph import build_graph
from agents.router import EmbeddingRouter
from plugins.builtin.syntax import SyntaxVerifier
from tests.fixtures.scripted_model import quicksort_model

TASK = "Implement quicksort in Python"


class RecordingSaver(InMemorySaver):
    """An in-memory checkpointer that notes which thread saved each checkpoint and how often
    a checkpoint was read."""

    def __init__(self) -> None:
        super().__init__()
        self.put_threads: list[str] = []
        self.reads = 0

    def put(self, config, checkpoint, metadata, new_versions):
        self.put_threads.append(threading.current_thread().name)
        return super().put(config, checkpoint, metadata, new_versions)

    def get_tuple(self, config):
        self.reads += 1
        return super().get_tuple(config)


@pytest.fixture(scope="module")
def deps(embedder):
    experts = load_experts()
    router = EmbeddingRouter(experts, embedder.embed, RouterConfig(always_on=("test_writer",)))
    return lambda model=None: JobDeps(backend=model or quicksort_model(), router=router,
                                      experts=experts, verifiers=(SyntaxVerifier(),))


def test_job_runs_save_checkpoints_on_the_shared_pool(deps):
    saver = RecordingSaver()
    runner = JobRunner(saver)
    results = [runner.run(JobRequest(TASK), deps(), job_id=f"pool-{i}") for i in range(4)]
    assert all(r["status"] == "verified" for r in results)
    assert saver.put_threads and all(n.startswith("graph") for n in saver.put_threads)
    # the pool's threads outlive a run: a few threads serve all four jobs
    assert len(set(saver.put_threads)) < len(saver.put_threads) / 2


def test_other_graphs_keep_langgraphs_per_run_pools(deps):
    install()
    saver = RecordingSaver()
    graph = build_graph(saver)
    out = graph.invoke({"job_id": "plain", "request": JobRequest(TASK).to_dict()},
                       {"configurable": {"thread_id": "plain"}}, context=deps())
    assert out["status"] == "verified"
    assert saver.put_threads and not any(n.startswith("graph") for n in saver.put_threads)


def test_concurrent_jobs_share_the_pool_and_all_finish(deps):
    runner = JobRunner(InMemorySaver())
    results: dict[int, str] = {}

    def run(i: int) -> None:
        results[i] = runner.run(JobRequest(TASK), deps(), job_id=f"conc-{i}")["status"]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == {i: "verified" for i in range(6)}


def test_a_forked_child_gets_a_working_pool():
    assert shared_pool().submit(lambda: 1).result(timeout=5) == 1
    pid = os.fork()
    if pid == 0:  # child: the parent's threads are gone; a new pool must serve it
        code = 0 if shared_pool().submit(lambda: 2).result(timeout=5) == 2 else 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_first_attempt_skips_the_resume_check(deps):
    saver = RecordingSaver()
    runner = JobRunner(saver)
    first = runner.run(JobRequest(TASK), deps(), job_id="fresh", resume=False)
    reads_fresh = saver.reads  # LangGraph's own read when the run starts
    runner.run(JobRequest(TASK), deps(), job_id="other", resume=True)
    assert first["status"] == "verified"
    assert saver.reads - reads_fresh == reads_fresh + 1  # resume=True also checks first
    model = quicksort_model()
    again = runner.run(JobRequest(TASK), deps(model),
                       job_id="fresh")  # finished: returned from its checkpoint, not rerun
    assert again["code"] == first["code"] and not model.calls


HOOK_MOVED = (
    "agents/_pool.py replaces LangGraph's private langgraph.pregel._executor."
    "get_executor_for_config, and this LangGraph ({version}) {problem}. Graph runs now start "
    "their own thread pools again (correct, but each job pays for starting and joining 4-6 "
    "threads). Port agents/_pool.py to this LangGraph (or to a supported API if it has one) "
    "before raising the langgraph bound in pyproject.toml."
)


def _langgraph_version() -> str:
    from importlib.metadata import version

    return version("langgraph")


def test_the_private_langgraph_hook_is_still_there():
    """Fails loudly when the LangGraph function agents/_pool.py replaces moves, changes its
    signature or is no longer what a run's background executor calls."""
    import inspect

    version = _langgraph_version()
    try:
        from langgraph.pregel import _executor
    except ImportError:
        pytest.fail(HOOK_MOVED.format(version=version, problem="has no pregel._executor"))
    hook = getattr(_executor, "get_executor_for_config", None)
    if hook is None:
        pytest.fail(HOOK_MOVED.format(version=version,
                                      problem="has no get_executor_for_config there"))
    assert install(), HOOK_MOVED.format(version=version, problem="refused the hook")
    original = getattr(_executor.get_executor_for_config, "__wrapped__", hook)
    params = list(inspect.signature(original).parameters)
    assert params == ["config"], HOOK_MOVED.format(
        version=version, problem=f"calls it with different arguments {params}")
    # the run's background executor must be the one the hook hands out
    background = getattr(_executor, "BackgroundExecutor", None)
    assert background is not None, HOOK_MOVED.format(
        version=version, problem="has no BackgroundExecutor")
    from agents._pool import SHARED_POOL_KEY

    runner = background({"configurable": {SHARED_POOL_KEY: True}})
    with runner as submit:
        thread = submit(lambda: threading.current_thread().name).result(timeout=10)
    assert runner.executor is shared_pool() and thread.startswith("graph"), HOOK_MOVED.format(
        version=version, problem="no longer takes a run's executor from that function")


def test_langgraph_is_pinned_below_its_next_minor_release():
    import re
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    spec = next(d for d in deps if re.match(r"langgraph\b(?!-)", d))
    upper = re.search(r"<\s*(\d+)\.(\d+)", spec)
    assert upper, f"pyproject.toml must pin langgraph below a minor release (got {spec!r})"
    installed = tuple(int(x) for x in _langgraph_version().split(".")[:2])
    bound = (int(upper[1]), int(upper[2]))
    assert installed < bound, f"langgraph {_langgraph_version()} is outside {spec!r}"
    assert bound <= (installed[0], installed[1] + 1), (
        f"{spec!r} allows LangGraph minor releases the hook test never saw")
