"""Run one job through the graph: stream node events, checkpoint, resume, build the result."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.errors import GraphDrained
from langgraph.runtime import RunControl

from agents import _pool
from agents.graph import build_graph
from agents.errors import JobDrained
from agents.job import JobDeps, JobRequest
from agents.result import build_result

log = logging.getLogger(__name__)
EventSink = Callable[[dict[str, Any]], None]


def summarise_update(node: str, update: dict[str, Any]) -> dict[str, Any]:
    """A small JSON-able summary of what a node did, for progress events."""
    if node == "route":
        return {"experts": [
            {"name": e["name"], "weight": e["weight"], "activated": e["activated"]}
            for e in update.get("experts", [])
        ]}
    if node == "draft":
        return {"candidates": len(update.get("candidates", [])), "tests": bool(update.get("tests"))}
    if node == "select":
        return {"chosen": update.get("chosen", 0)}
    if node == "review":
        return {k: update["reviews"][0][k] for k in ("expert", "verdict", "round")}
    if node == "synthesise":
        return {"revision_by": update["history"][0]["revision_by"]}
    if node == "verify":
        return {"status": update.get("status"), "reason": update.get("reason", ""), "verdicts": [
            {"plugin": v["plugin"], "status": v["status"]} for v in update.get("verdicts", [])
        ]}
    if node == "next_round":
        return {"round": update.get("round")}
    return {}


class JobRunner:
    """Holds one compiled graph (compiling is the expensive part) and runs jobs through it."""

    def __init__(self, checkpointer: BaseCheckpointSaver | None = None) -> None:
        self.checkpointer = checkpointer
        self.graph = build_graph(checkpointer)
        _pool.install()  # runs reuse one thread pool instead of starting threads per job

    def run(
        self,
        request: JobRequest,
        deps: JobDeps,
        *,
        job_id: str,
        on_event: EventSink | None = None,
        resume: bool = True,
        control: RunControl | None = None,
    ) -> dict[str, Any]:
        """Run (or resume, when a checkpoint of ``job_id`` exists) and return the result.

        ``resume=False`` says that no checkpoint of ``job_id`` can exist (a job's first
        attempt), so the run starts without reading one. ``control.request_drain()`` (from
        any thread) stops the run at the next step boundary with :class:`JobDrained`.
        """
        started = time.perf_counter()
        config = {"configurable": {"thread_id": job_id, _pool.SHARED_POOL_KEY: True}}
        graph_input: dict[str, Any] | None = {"job_id": job_id, "request": request.to_dict()}
        if self.checkpointer is not None and not resume:
            # a checkpointer may skip looking for the checkpoint that cannot exist
            expect_new = getattr(self.checkpointer, "expect_new_thread", None)
            if expect_new is not None:
                expect_new(job_id)
        elif self.checkpointer is not None:
            snapshot = self.graph.get_state(config)
            # ``next`` leaves out the tasks that saved their writes: a run stopped after every
            # task of a step wrote, before the step's checkpoint, has none, but still ``tasks``
            if snapshot.values and (snapshot.next or snapshot.tasks):
                log.info("job %s resumes before %s", job_id,
                         ", ".join(snapshot.next) or "the end of its step")
                graph_input = None
            elif snapshot.values:
                log.info("job %s already finished; returning its result", job_id)
                return build_result(snapshot.values, job_id=job_id)
        sink = on_event or deps.on_event
        final: dict[str, Any] = {}
        try:
            for mode, chunk in self.graph.stream(
                graph_input, config, context=deps, stream_mode=["updates", "values"],
                control=control,
            ):
                if mode == "values":
                    final = chunk
                    continue
                if chunk.get("__metadata__", {}).get("cached"):
                    continue  # a resumed run replays the saved writes of tasks that ran
                for node, update in chunk.items():
                    if sink is not None and isinstance(update, dict) \
                            and not node.startswith("__"):
                        sink({"type": "node", "node": node, "ts": time.time(),
                              "data": summarise_update(node, update)})
        except GraphDrained as exc:
            raise JobDrained(f"job {job_id} stopped at a step boundary ({exc.reason}); "
                             "its checkpoint is saved") from exc
        wall = time.perf_counter() - started
        result = build_result(final, job_id=job_id, wall_s=wall)
        log.info("job %s %s in %.3f s (%d model calls)", job_id, result["status"], wall,
                 result["usage"]["calls"])
        if sink is not None:
            sink({"type": "done", "ts": time.time(), "data": {"status": result["status"]}})
        return result


def run_job(
    request: JobRequest,
    deps: JobDeps,
    *,
    job_id: str,
    checkpointer: BaseCheckpointSaver | None = None,
    on_event: EventSink | None = None,
) -> dict[str, Any]:
    """Convenience: compile a graph and run one job (use :class:`JobRunner` for many)."""
    return JobRunner(checkpointer).run(request, deps, job_id=job_id, on_event=on_event)
