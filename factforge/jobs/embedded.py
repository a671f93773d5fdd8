"""The embedded job queue: jobs run in a small in-process thread pool (no Redis)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from agents import JobDeps, JobRequest, JobRunner
from agents.llm.base import ModelBackend
from factforge.jobs.base import StoreBackedQueue
from factforge.jobs.memory_store import MemoryJobStore
from workers.execution import execute_job
from workers.job_store import JobRecord

log = logging.getLogger(__name__)


class EmbeddedJobQueue(StoreBackedQueue):
    """Same contract as :class:`CeleryJobQueue`; records live as long as the process."""

    mode = "embedded"

    def __init__(self, deps: JobDeps | Callable[[], JobDeps], *, checkpointer: Any = None,
                 max_workers: int = 2, time_limit_s: float | None = None,
                 on_close: Callable[[], None] | None = None) -> None:
        """``on_close`` runs once the job threads have finished (e.g. closes the
        checkpointer's database connection)."""
        self._deps = deps
        self._on_close = on_close
        self._runner = JobRunner(checkpointer)
        self._store = MemoryJobStore()
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="job")
        self._time_limit_s = time_limit_s

    def _resolve_deps(self) -> JobDeps:
        if callable(self._deps) and not isinstance(self._deps, JobDeps):
            self._deps = self._deps()
        return self._deps  # type: ignore[return-value]

    def _run(self, job_id: str, request: dict[str, Any]) -> None:
        try:
            execute_job(
                job_id, request, store=self._store, time_limit_s=self._time_limit_s,
                run=lambda req, jid, sink, resume: self._runner.run(
                    req, self._resolve_deps(), job_id=jid, on_event=sink, resume=resume),
            )
        except Exception as exc:
            log.exception("job %s failed", job_id)
            self._store.finish(job_id, "failed", error={"code": getattr(exc, "code", "error"),
                                                        "message": str(exc)})

    def submit(self, request: JobRequest, idempotency_key: str | None = None) -> JobRecord:
        record, created = self._store.create(request.to_dict(), idempotency_key=idempotency_key)
        if created:
            self._pool.submit(self._run, record.job_id, record.request)
        return record

    def backend(self) -> ModelBackend:
        """The in-process model, for one-shot generation."""
        return self._resolve_deps().backend

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close()
