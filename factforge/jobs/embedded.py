"""The embedded job queue: jobs run in a few in-process threads (no Redis), their records,
events and idempotency keys in SQLite (:class:`SqliteJobStore`) next to the graph checkpoints.

Stopping (:meth:`EmbeddedJobQueue.stop`, then :meth:`~EmbeddedJobQueue.close`): queued jobs
stay queued in the database; a running job stops at its next step boundary (LangGraph's
cooperative drain: the step's tasks finish, its checkpoint is saved) and goes back to
``queued``. Starting on the same database takes every unfinished job up again, oldest first: a job that was running resumes from its checkpoint (same job id, same
LangGraph thread); one found ``running`` (the last process died without stopping) resumes
too, up to :data:`MAX_RECOVERIES` times, then it is failed with that reason.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from agents import JobDeps, JobRequest, JobRunner
from agents.errors import JobDrained
from agents.llm.base import ModelBackend
from agents.run import RunControl
from factforge.jobs.base import StoreBackedQueue
from factforge.jobs.sqlite_store import SqliteJobStore
from workers.errors import QueueUnavailable
from workers.execution import EventSink, execute_job
from workers.job_store import JobRecord

log = logging.getLogger(__name__)

# A job found ``running`` at start (its process died mid-job) is resumed this many times at
# most; a job that kills the process every time it runs must not do so forever.
MAX_RECOVERIES = 3
# How long close() waits, by default, for running jobs to reach their next step boundary.
STOP_GRACE_S = 5.0


class JobInterrupted(QueueUnavailable):
    """The queue is stopping: the job stopped between steps and stays resumable.

    A :class:`QueueUnavailable` so that :func:`workers.execution.execute_job` lets it through
    (transient: the job is run again later) instead of ending the job as failed."""

    code = "job_interrupted"


class EmbeddedJobQueue(StoreBackedQueue):
    """Same contract as :class:`CeleryJobQueue`. ``store`` defaults to an in-memory one."""

    mode = "embedded"

    def __init__(self, deps: JobDeps | Callable[[], JobDeps], *, checkpointer: Any = None,
                 store: SqliteJobStore | None = None, max_workers: int = 2,
                 time_limit_s: float | None = None,
                 on_close: Callable[[], None] | None = None) -> None:
        """``on_close`` runs once the job threads have finished (e.g. closes the
        checkpointer's database connection). Unfinished jobs in ``store`` start again."""
        self._deps = deps
        self._deps_lock = threading.Lock()
        self._on_close = on_close
        self._runner = JobRunner(checkpointer)
        self._store = store if store is not None else SqliteJobStore()
        self._time_limit_s = time_limit_s
        self._pending: collections.deque[str] = collections.deque()
        self._wake = threading.Condition()
        self._stopping = False
        self._controls: set[RunControl] = set()
        self._stop_began: float | None = None
        self._closed = False
        self._recover()
        # daemon threads: a job stuck inside a node (a long model call) cannot keep the
        # process alive after close() gave up waiting for it; its checkpoint is safe
        self._threads = [threading.Thread(target=self._work, name=f"job-{i}", daemon=True)
                         for i in range(max_workers)]
        for thread in self._threads:
            thread.start()

    # -- start: take up what the last process left ------------------------------------------
    def _recover(self) -> None:
        for record in self._store.unfinished():
            if record.cancel_requested:
                self._store.finish(record.job_id, "cancelled", error={
                    "code": "job_cancelled", "message": "cancelled before the server stopped"})
                continue
            if record.status == "running":  # the last process ended inside one of its nodes
                count = self._store.note_recovery(record.job_id)
                if count > MAX_RECOVERIES:
                    self._store.finish(record.job_id, "failed", error={
                        "code": "job_interrupted",
                        "message": f"the server stopped {count} times while this job was "
                                   "inside a node (crash, kill, out of memory, or a node that "
                                   "outlasted the stop); not resumed again"})
                    continue
                log.warning("job %s was inside a node when the server stopped; resuming it "
                            "(%d/%d)",
                            record.job_id, count, MAX_RECOVERIES)
            self._pending.append(record.job_id)
        if self._pending:
            log.info("%d unfinished job(s) taken up again", len(self._pending))

    # -- the job threads --------------------------------------------------------------------
    def _resolve_deps(self) -> JobDeps:
        with self._deps_lock:
            if callable(self._deps) and not isinstance(self._deps, JobDeps):
                self._deps = self._deps()
            return self._deps  # type: ignore[return-value]

    def _next(self) -> str | None:
        with self._wake:
            while not self._pending and not self._stopping:
                self._wake.wait()
            return None if self._stopping else self._pending.popleft()

    def _work(self) -> None:
        while (job_id := self._next()) is not None:
            try:
                self._run(job_id)
            except Exception:  # the store is gone (closed under us): the job stays unfinished
                log.exception("job %s could not be run", job_id)

    def _run_graph(self, request: JobRequest, job_id: str, sink: EventSink,
                   resume: bool) -> dict[str, Any]:
        """Run the graph under a RunControl that :meth:`stop` drains: the run ends at the
        next step boundary (every task of the step done, its checkpoint saved)."""
        control = RunControl()
        with self._wake:
            if self._stopping:
                control.request_drain("the server is stopping")
            self._controls.add(control)
        try:
            return self._runner.run(request, self._resolve_deps(), job_id=job_id,
                                    on_event=sink, resume=resume, control=control)
        except JobDrained as exc:
            raise JobInterrupted(f"{exc}; it resumes at the next start") from exc
        finally:
            with self._wake:
                self._controls.discard(control)

    def _run(self, job_id: str) -> None:
        record = self._store.get(job_id)
        if record.terminal:  # cancelled while it waited
            return
        try:
            execute_job(
                job_id, record.request, store=self._store, time_limit_s=self._time_limit_s,
                run=self._run_graph)
        except JobInterrupted:
            self._store.requeue(job_id)
            log.info("job %s stopped at a step boundary; it resumes at the next start", job_id)
        except Exception as exc:
            if self._stopping:  # leave it to the next start rather than fail it for the stop
                log.warning("job %s stopped by the shutdown (%s); it resumes at the next start",
                            job_id, exc)
                self._store.requeue(job_id)
                return
            log.exception("job %s failed", job_id)
            self._store.finish(job_id, "failed", error={"code": getattr(exc, "code", "error"),
                                                        "message": str(exc)})

    # -- the Job API ------------------------------------------------------------------------
    def submit(self, request: JobRequest, idempotency_key: str | None = None) -> JobRecord:
        if self._stopping:
            raise QueueUnavailable("the server is shutting down; submit the job again once "
                                   "it is back")
        record, created = self._store.create(request.to_dict(), idempotency_key=idempotency_key)
        if created:
            with self._wake:
                self._pending.append(record.job_id)
                self._wake.notify()
        return record

    def backend(self) -> ModelBackend:
        """The in-process model, for one-shot generation."""
        return self._resolve_deps().backend

    def stop(self) -> None:
        """Begin stopping, without waiting (safe from a signal handler's thread): nothing new
        starts, running jobs stop at their next step boundary, waiting readers are woken."""
        with self._wake:
            if self._stop_began is None:
                self._stop_began = time.monotonic()
            self._stopping = True
            for control in self._controls:
                control.request_drain("the server is stopping")
            self._wake.notify_all()
        self._store.shutdown()

    def close(self, timeout_s: float = STOP_GRACE_S) -> bool:
        """Stop, wait until ``timeout_s`` after the stop began for running jobs to reach a
        step boundary, then close the database. Returns False when a job was still inside a
        node (it stays ``running`` in the database and resumes at the next start).
        Idempotent."""
        if self._closed:
            return True
        self.stop()
        deadline = (self._stop_began or time.monotonic()) + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        busy = [t.name for t in self._threads if t.is_alive()]
        self._closed = True
        self._store.close()  # a straggler's later writes fail: its job stays unfinished
        if busy:
            log.warning("%d job thread(s) still inside a node after %.1f s; their jobs resume "
                        "at the next start", len(busy), timeout_s)
            return False  # the checkpointer stays open for the stragglers; the process ends
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close()
        return True
