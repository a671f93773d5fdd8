"""In-process job records and events for the embedded mode (same contract as RedisJobStore)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from workers.errors import JobNotFound, LeaseHeld
from workers.job_store import TERMINAL, JobRecord


class MemoryJobStore:
    """Thread-safe; events are numbered ``"1"``, ``"2"``, ... per job."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._records: dict[str, JobRecord] = {}
        self._events: dict[str, list[dict[str, Any]]] = {}
        self._idem: dict[str, str] = {}
        self._leases: set[str] = set()

    def create(self, request: dict[str, Any], *, job_id: str | None = None,
               idempotency_key: str | None = None) -> tuple[JobRecord, bool]:
        with self._cond:
            if idempotency_key and idempotency_key in self._idem:
                return self._records[self._idem[idempotency_key]], False
            job_id = job_id or uuid.uuid4().hex
            if job_id in self._records:
                return self._records[job_id], False
            now = time.time()
            record = JobRecord(job_id=job_id, status="queued", request=request, created_at=now,
                               updated_at=now, progress={"events": 0, "node": None})
            self._records[job_id] = record
            self._events[job_id] = []
            if idempotency_key:
                self._idem[idempotency_key] = job_id
            return record, True

    def get(self, job_id: str) -> JobRecord:
        with self._cond:
            try:
                return self._records[job_id]
            except KeyError:
                raise JobNotFound(f"no job {job_id!r}") from None

    def _update(self, job_id: str, **changes: Any) -> JobRecord:
        record = replace(self.get(job_id), updated_at=time.time(), **changes)
        self._records[job_id] = record
        return record

    def mark_running(self, job_id: str) -> bool:
        with self._cond:
            record = self.get(job_id)
            if record.terminal:
                return False
            self._update(job_id, status="running", attempts=record.attempts + 1)
            return True

    def append_event(self, job_id: str, event: dict[str, Any], progress: dict[str, Any]) -> bool:
        with self._cond:
            record = self.get(job_id)
            if record.terminal:
                return False
            self._events[job_id].append(event)
            self._update(job_id, progress=progress)
            self._cond.notify_all()
            return record.cancel_requested

    def end(self, job_id: str, status: str, *, result: dict[str, Any] | None = None,
            error: dict[str, Any] | None = None) -> tuple[bool, JobRecord]:
        with self._cond:
            won = self.finish(job_id, status, result=result, error=error)
            return won, self.get(job_id)

    def finish(self, job_id: str, status: str, *, result: dict[str, Any] | None = None,
               error: dict[str, Any] | None = None) -> bool:
        if status not in TERMINAL:
            raise ValueError(f"not a terminal status: {status}")
        with self._cond:
            record = self.get(job_id)
            if record.terminal:
                return False
            self._update(job_id, status=status, result=result, error=error,
                         result_writes=record.result_writes + 1)
            event: dict[str, Any] = {"type": "status", "status": status, "ts": time.time()}
            if error:
                event["data"] = {"error": error}
            self._events[job_id].append(event)
            self._cond.notify_all()
            return True

    def cancel(self, job_id: str) -> JobRecord:
        with self._cond:
            record = self.get(job_id)
            if record.terminal:
                return record
            self._update(job_id, cancel_requested=True)
            if record.status == "queued":
                self.finish(job_id, "cancelled", error={"code": "job_cancelled",
                                                        "message": "cancelled before it started"})
            return self.get(job_id)

    def wait_terminal(self, job_id: str, timeout_s: float) -> JobRecord:
        """The record once the job has ended, or as it is after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while not (record := self.get(job_id)).terminal:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return record

    def events(self, job_id: str, after: str = "0", *, block_ms: int = 0,
               ) -> list[tuple[str, dict[str, Any]]]:
        start = int((after or "0").partition("-")[0])  # "7" or a Redis-style "7-0"
        deadline = time.monotonic() + block_ms / 1000
        with self._cond:
            self.get(job_id)
            while len(self._events[job_id]) <= start and block_ms > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return [(str(i + 1), e) for i, e in enumerate(self._events[job_id]) if i >= start]

    @contextmanager
    def claim(self, job_id: str, request: dict[str, Any], ttl_s: int) -> Iterator[JobRecord]:
        """Same contract as :meth:`workers.job_store.RedisJobStore.claim`."""
        with self._cond:
            try:
                record = self.get(job_id)
            except JobNotFound:
                record, _ = self.create(request, job_id=job_id)
        if record.terminal:
            yield record
            return
        with self.lease(job_id, ttl_s):
            self.mark_running(job_id)
            yield self.get(job_id)

    @contextmanager
    def lease(self, job_id: str, ttl_s: int) -> Iterator[None]:
        with self._cond:
            if job_id in self._leases:
                raise LeaseHeld(f"job {job_id} is already running")
            self._leases.add(job_id)
        try:
            yield
        finally:
            with self._cond:
                self._leases.discard(job_id)
