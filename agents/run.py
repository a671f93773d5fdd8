"""Run one job through the graph: stream node events, checkpoint, resume, build the result."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from agents.graph import build_graph
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
        return {"status": update.get("status"), "verdicts": [
            {"plugin": v["plugin"], "status": v["status"]} for v in update.get("verdicts", [])
        ]}
    if node == "next_round":
        return {"round": update.get("round")}
    return {}


class JobRunner:
    """Holds one compiled graph (compiling is the expensive part) and runs jobs through it.

    :meth:`run` drives the graph synchronously (LangGraph runs a superstep's parallel tasks
    and the checkpoint saves on a thread pool it creates per run). :meth:`arun` drives the
    same graph on an event loop: saves of a checkpointer with non-blocking async methods
    (``workers.RedisCheckpointer``) cost no thread, and sync nodes run on the loop's executor,
    whose threads live as long as the loop (see :class:`agents.loop.LoopThread`). Both give
    the same events, result and checkpoints.
    """

    def __init__(self, checkpointer: BaseCheckpointSaver | None = None) -> None:
        self.checkpointer = checkpointer
        self.graph = build_graph(checkpointer)

    def run(
        self,
        request: JobRequest,
        deps: JobDeps,
        *,
        job_id: str,
        on_event: EventSink | None = None,
    ) -> dict[str, Any]:
        """Run (or resume, when a checkpoint of ``job_id`` exists) and return the result."""
        run = _Run(request, deps, job_id, on_event)
        if self.checkpointer is not None:
            done = run.start(self.graph.get_state(run.config))
            if done is not None:
                return done
        for mode, chunk in self.graph.stream(run.input, run.config, context=deps,
                                             stream_mode=["updates", "values"]):
            run.take(mode, chunk)
        return run.finish()

    async def arun(
        self,
        request: JobRequest,
        deps: JobDeps,
        *,
        job_id: str,
        on_event: EventSink | None = None,
    ) -> dict[str, Any]:
        """:meth:`run` on an event loop (the checkpointer must implement the async methods)."""
        run = _Run(request, deps, job_id, on_event)
        if self.checkpointer is not None:
            done = run.start(await self.graph.aget_state(run.config))
            if done is not None:
                return done
        async for mode, chunk in self.graph.astream(run.input, run.config, context=deps,
                                                    stream_mode=["updates", "values"]):
            run.take(mode, chunk)
        return run.finish()


class _Run:
    """One run's bookkeeping, shared by the sync and the async driver."""

    def __init__(self, request: JobRequest, deps: JobDeps, job_id: str,
                 on_event: EventSink | None) -> None:
        self.started = time.perf_counter()
        self.job_id = job_id
        self.config: dict[str, Any] = {"configurable": {"thread_id": job_id}}
        self.input: dict[str, Any] | None = {"job_id": job_id, "request": request.to_dict()}
        self.sink = on_event or deps.on_event
        self.final: dict[str, Any] = {}

    def start(self, snapshot: Any) -> dict[str, Any] | None:
        """Resume from ``snapshot`` (its checkpoint); the result when it already finished."""
        if snapshot.values and snapshot.next:
            log.info("job %s resumes before %s", self.job_id, ", ".join(snapshot.next))
            self.input = None
        elif snapshot.values and not snapshot.next:
            log.info("job %s already finished; returning its result", self.job_id)
            return build_result(snapshot.values, job_id=self.job_id)
        return None

    def take(self, mode: str, chunk: Any) -> None:
        if mode == "values":
            self.final = chunk
            return
        for node, update in chunk.items():
            if self.sink is not None and isinstance(update, dict):
                self.sink({"type": "node", "node": node, "ts": time.time(),
                           "data": summarise_update(node, update)})

    def finish(self) -> dict[str, Any]:
        wall = time.perf_counter() - self.started
        result = build_result(self.final, job_id=self.job_id, wall_s=wall)
        log.info("job %s %s in %.3f s (%d model calls)", self.job_id, result["status"], wall,
                 result["usage"]["calls"])
        if self.sink is not None:
            self.sink({"type": "done", "ts": time.time(), "data": {"status": result["status"]}})
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
