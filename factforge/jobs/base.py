"""The Job API contract shared by the embedded and the Celery job queues."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, Protocol, runtime_checkable

from agents import JobRequest
from agents.llm.base import ModelBackend
from workers.job_store import TERMINAL, JobRecord

__all__ = ["JobQueue", "JobRecord", "follow_events"]


@runtime_checkable
class JobQueue(Protocol):
    """Submit jobs, read their records, follow their events, cancel them."""

    mode: str

    def submit(self, request: JobRequest, idempotency_key: str | None = None) -> JobRecord:
        """Queue a job (or return the job already created with ``idempotency_key``)."""
        ...

    def get(self, job_id: str) -> JobRecord:
        """The job's record; raises :class:`workers.errors.JobNotFound`."""
        ...

    def events(self, job_id: str, after: str = "0", *, timeout_s: float = 300.0,
               ) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(event_id, event)`` after ``after``, in order, live, until the terminal status
        event (or ``timeout_s`` without one)."""
        ...

    def wait(self, job_id: str, timeout_s: float) -> JobRecord:
        """Block until the job has ended or ``timeout_s`` passed; returns the record."""
        ...

    def cancel(self, job_id: str) -> JobRecord:
        """Request cancellation; returns the record as it is now."""
        ...

    def backend(self) -> ModelBackend:
        """The model for one-shot generation (``POST /generate``)."""
        ...

    def close(self) -> None: ...


class _EventSource(Protocol):
    def events(self, job_id: str, after: str = "0", *, block_ms: int = 0,
               ) -> list[tuple[str, dict[str, Any]]]: ...

    def get(self, job_id: str) -> JobRecord: ...


class StoreBackedQueue:
    """What both queues do the same way: read, follow and cancel jobs through their store."""

    _store: Any  # SqliteJobStore or RedisJobStore

    def get(self, job_id: str) -> JobRecord:
        return self._store.get(job_id)

    def events(self, job_id: str, after: str = "0", *, timeout_s: float = 300.0,
               ) -> Iterator[tuple[str, dict[str, Any]]]:
        return follow_events(self._store, job_id, after, timeout_s=timeout_s)

    def wait(self, job_id: str, timeout_s: float) -> JobRecord:
        return self._store.wait_terminal(job_id, timeout_s)

    def cancel(self, job_id: str) -> JobRecord:
        return self._store.cancel(job_id)


def follow_events(source: _EventSource, job_id: str, after: str = "0", *,
                  timeout_s: float = 300.0, poll_ms: int = 1000,
                  ) -> Iterator[tuple[str, dict[str, Any]]]:
    """Follow a job's event log until its terminal status event (shared by both queues), or
    until ``timeout_s`` passed or the store began shutting down."""
    source.get(job_id)  # JobNotFound early, before any streaming starts
    deadline = time.monotonic() + timeout_s
    cursor = after or "0"
    # a store that is shutting down (``closing``) ends the stream: the process is stopping
    while time.monotonic() < deadline and not getattr(source, "closing", False):
        for event_id, event in source.events(job_id, cursor, block_ms=poll_ms):
            cursor = event_id
            yield event_id, event
            if event.get("type") == "status" and event.get("status") in TERMINAL:
                return
        if source.get(job_id).terminal and not source.events(job_id, cursor):
            return
