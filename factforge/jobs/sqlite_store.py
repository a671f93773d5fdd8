"""Job records, events and idempotency keys of the embedded mode, in SQLite.

Same contract as :class:`workers.job_store.RedisJobStore` (what :func:`workers.execution.
execute_job`, the routes and :func:`factforge.jobs.base.follow_events` use), plus what a
restart needs: the unfinished jobs, and putting an interrupted job back in the queue.

One connection, used under one lock (a :class:`threading.Condition` that also wakes the
threads waiting for events); WAL journal, so a crash (SIGKILL) loses no committed write. The
file is locked (``flock``) while a store has it open: a second process on the same data dir
is refused instead of both running the same jobs. ``path=None`` keeps everything in memory
(tests, throwaway queues).
"""

from __future__ import annotations

import fcntl
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from factforge.errors import ConfigError
from workers.errors import JobNotFound, LeaseHeld, QueueUnavailable
from workers.job_store import TERMINAL, JobRecord

__all__ = ["SqliteJobStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    request TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    progress TEXT NOT NULL,
    result TEXT,
    error TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    result_writes INTEGER NOT NULL DEFAULT 0,
    recoveries INTEGER NOT NULL DEFAULT 0,
    idempotency_key TEXT UNIQUE
);
CREATE INDEX IF NOT EXISTS jobs_unfinished ON jobs (created_at)
    WHERE status IN ('queued', 'running');
CREATE TABLE IF NOT EXISTS events (
    job_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
"""

_COLUMNS = ("job_id, status, request, created_at, updated_at, progress, result, error, "
            "cancel_requested, attempts, result_writes")


def _record(row: tuple[Any, ...]) -> JobRecord:
    (job_id, status, request, created, updated, progress, result, error, cancel, attempts,
     writes) = row
    return JobRecord(
        job_id=job_id, status=status, request=json.loads(request), created_at=created,
        updated_at=updated, progress=json.loads(progress),
        result=json.loads(result) if result is not None else None,
        error=json.loads(error) if error is not None else None,
        cancel_requested=bool(cancel), attempts=attempts, result_writes=writes,
    )


def _dumps(value: Any) -> str | None:
    return json.dumps(value) if value is not None else None


class SqliteJobStore:
    """Thread-safe; events are numbered ``"1"``, ``"2"``, ... per job."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._cond = threading.Condition()
        self._leases: set[str] = set()
        self._closing = False
        self._lock_file: IO[bytes] | None = None
        try:
            if path is None:
                self._conn = sqlite3.connect(":memory:", check_same_thread=False,
                                             isolation_level=None)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._lock_file = _lock(path)
                self._conn = sqlite3.connect(str(path), check_same_thread=False,
                                             isolation_level=None)
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            self._unlock()
            raise ConfigError(f"cannot open the jobs database {path}: {exc}") from exc

    # -- plumbing ---------------------------------------------------------------------------
    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction under the lock (the caller holds ``self._cond``)."""
        if self._conn is None:
            raise QueueUnavailable("the job queue is shut down")
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise QueueUnavailable(f"the jobs database failed: {exc}") from exc

    def _row(self, job_id: str) -> JobRecord:
        if self._conn is None:
            raise QueueUnavailable("the job queue is shut down")
        try:
            row = self._conn.execute(f"SELECT {_COLUMNS} FROM jobs WHERE job_id = ?",
                                     (job_id,)).fetchone()
        except sqlite3.Error as exc:
            raise QueueUnavailable(f"the jobs database failed: {exc}") from exc
        if row is None:
            raise JobNotFound(f"no job {job_id!r}")
        return _record(row)

    @property
    def closing(self) -> bool:
        """True once :meth:`shutdown` was called: waits return early, nothing new starts."""
        return self._closing

    def shutdown(self) -> None:
        """Wake every thread waiting for events or a job's end (the process is stopping)."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()

    def close(self) -> None:
        """Close the database; later calls raise :class:`QueueUnavailable`. Idempotent."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            if getattr(self, "_conn", None) is not None:
                self._conn.close()
            self._conn = None
            self._unlock()

    def _unlock(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # releases the flock
            self._lock_file = None

    # -- records ----------------------------------------------------------------------------
    def create(self, request: dict[str, Any], *, job_id: str | None = None,
               idempotency_key: str | None = None) -> tuple[JobRecord, bool]:
        """A queued job, or the job already created with ``idempotency_key`` (or ``job_id``).
        Returns ``(record, created)``."""
        with self._cond:
            if self._closing:
                raise QueueUnavailable("the server is shutting down; submit the job again "
                                       "once it is back")
            with self._tx() as db:
                if idempotency_key:
                    row = db.execute("SELECT job_id FROM jobs WHERE idempotency_key = ?",
                                     (idempotency_key,)).fetchone()
                    if row is not None:
                        return self._row(row[0]), False
                job_id = job_id or uuid.uuid4().hex
                if db.execute("SELECT 1 FROM jobs WHERE job_id = ?", (job_id,)).fetchone():
                    return self._row(job_id), False
                now = time.time()
                progress = {"events": 0, "node": None}
                db.execute(
                    "INSERT INTO jobs (job_id, status, request, created_at, updated_at, "
                    "progress, idempotency_key) VALUES (?, 'queued', ?, ?, ?, ?, ?)",
                    (job_id, json.dumps(request), now, now, json.dumps(progress),
                     idempotency_key or None))
            return JobRecord(job_id=job_id, status="queued", request=request, created_at=now,
                             updated_at=now, progress=progress), True

    def get(self, job_id: str) -> JobRecord:
        with self._cond:
            return self._row(job_id)

    def unfinished(self) -> list[JobRecord]:
        """Queued and running jobs, oldest first (what a restart must take up again)."""
        with self._cond:
            if self._conn is None:
                raise QueueUnavailable("the job queue is shut down")
            rows = self._conn.execute(
                f"SELECT {_COLUMNS} FROM jobs WHERE status IN ('queued', 'running') "
                "ORDER BY created_at").fetchall()
        return [_record(row) for row in rows]

    def mark_running(self, job_id: str) -> bool:
        with self._cond, self._tx() as db:
            changed = db.execute(
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = ? "
                "WHERE job_id = ? AND status IN ('queued', 'running')",
                (time.time(), job_id)).rowcount
            return changed == 1

    def requeue(self, job_id: str) -> bool:
        """Put an interrupted (not ended) job back to ``queued``; its checkpoint stays, so the
        next run resumes it."""
        with self._cond, self._tx() as db:
            return db.execute(
                "UPDATE jobs SET status = 'queued', updated_at = ? "
                "WHERE job_id = ? AND status = 'running'", (time.time(), job_id)).rowcount == 1

    def note_recovery(self, job_id: str) -> int:
        """Count one more time the job was found ``running`` after the process died;
        returns the count."""
        with self._cond, self._tx() as db:
            db.execute("UPDATE jobs SET recoveries = recoveries + 1 WHERE job_id = ?",
                       (job_id,))
            row = db.execute("SELECT recoveries FROM jobs WHERE job_id = ?",
                             (job_id,)).fetchone()
        if row is None:
            raise JobNotFound(f"no job {job_id!r}")
        return row[0]

    def _append(self, db: sqlite3.Connection, job_id: str, event: dict[str, Any]) -> None:
        db.execute(
            "INSERT INTO events (job_id, seq, event) VALUES (?, (SELECT COALESCE(MAX(seq), 0) "
            "+ 1 FROM events WHERE job_id = ?), ?)", (job_id, job_id, json.dumps(event)))

    def append_event(self, job_id: str, event: dict[str, Any], progress: dict[str, Any]) -> bool:
        """Append one event; returns True when cancellation was requested."""
        with self._cond:
            with self._tx() as db:
                record = self._row(job_id)
                if record.terminal:
                    return False
                self._append(db, job_id, event)
                db.execute("UPDATE jobs SET progress = ?, updated_at = ? WHERE job_id = ?",
                           (json.dumps(progress), time.time(), job_id))
            self._cond.notify_all()
            return record.cancel_requested

    def end(self, job_id: str, status: str, *, result: dict[str, Any] | None = None,
            error: dict[str, Any] | None = None) -> tuple[bool, JobRecord]:
        """Write the terminal status exactly once; ``(won, record afterwards)``."""
        if status not in TERMINAL:
            raise ValueError(f"not a terminal status: {status}")
        with self._cond:
            with self._tx() as db:
                record = self._row(job_id)
                if record.terminal:
                    return False, record
                event: dict[str, Any] = {"type": "status", "status": status, "ts": time.time()}
                if error:
                    event["data"] = {"error": error}
                db.execute(
                    "UPDATE jobs SET status = ?, result = ?, error = ?, updated_at = ?, "
                    "result_writes = result_writes + 1 WHERE job_id = ?",
                    (status, _dumps(result), _dumps(error), time.time(), job_id))
                self._append(db, job_id, event)
                final = self._row(job_id)
            self._cond.notify_all()
            return True, final

    def finish(self, job_id: str, status: str, *, result: dict[str, Any] | None = None,
               error: dict[str, Any] | None = None) -> bool:
        return self.end(job_id, status, result=result, error=error)[0]

    def cancel(self, job_id: str) -> JobRecord:
        """Request cancellation: a queued job ends now, a running one at its next node."""
        with self._cond:
            record = self._row(job_id)
            if record.terminal:
                return record
            with self._tx() as db:
                db.execute("UPDATE jobs SET cancel_requested = 1, updated_at = ? "
                           "WHERE job_id = ?", (time.time(), job_id))
            if record.status == "queued":
                self.end(job_id, "cancelled", error={"code": "job_cancelled",
                                                     "message": "cancelled before it started"})
            return self._row(job_id)

    def wait_terminal(self, job_id: str, timeout_s: float) -> JobRecord:
        """The record once the job has ended, or as it is after ``timeout_s`` (or at
        :meth:`shutdown`)."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while not (record := self._row(job_id)).terminal and not self._closing:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return record

    def events(self, job_id: str, after: str = "0", *, block_ms: int = 0,
               ) -> list[tuple[str, dict[str, Any]]]:
        """Events after ``after``; waits up to ``block_ms`` for one (not once shutting down)."""
        try:
            start = int((after or "0").partition("-")[0])  # "7" or a Redis-style "7-0"
        except ValueError:
            start = 0
        deadline = time.monotonic() + block_ms / 1000
        with self._cond:
            self._row(job_id)
            while True:
                if self._conn is None:  # closed while this thread waited
                    raise QueueUnavailable("the job queue is shut down")
                rows = self._conn.execute(
                    "SELECT seq, event FROM events WHERE job_id = ? AND seq > ? ORDER BY seq",
                    (job_id, start)).fetchall()
                remaining = deadline - time.monotonic()
                if rows or remaining <= 0 or self._closing:
                    break
                self._cond.wait(remaining)
        return [(str(seq), json.loads(event)) for seq, event in rows]

    # -- running ----------------------------------------------------------------------------
    @contextmanager
    def claim(self, job_id: str, request: dict[str, Any], ttl_s: int) -> Iterator[JobRecord]:
        """Same contract as :meth:`workers.job_store.RedisJobStore.claim` (one process holds
        the file, so a lease is an in-memory mark)."""
        with self._cond:
            try:
                record = self._row(job_id)
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

    def prune(self, older_than_s: float) -> int:
        """Delete ended jobs (and their events) last updated more than ``older_than_s`` ago."""
        cutoff = time.time() - older_than_s
        with self._cond, self._tx() as db:
            db.execute(
                "DELETE FROM events WHERE job_id IN (SELECT job_id FROM jobs WHERE status IN "
                "('succeeded', 'failed', 'cancelled') AND updated_at < ?)", (cutoff,))
            return db.execute(
                "DELETE FROM jobs WHERE status IN ('succeeded', 'failed', 'cancelled') "
                "AND updated_at < ?", (cutoff,)).rowcount


def _lock(path: Path) -> IO[bytes]:
    """Hold an exclusive lock next to the database while this store has it open."""
    handle = open(path.with_name(path.name + ".lock"), "wb")  # noqa: SIM115 - kept open
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise ConfigError(
            f"another FactForge process is serving jobs from {path.parent} (embedded mode "
            "runs in one process: stop it, use another FACTFORGE_DATA_DIR, or set "
            "FACTFORGE_REDIS_URL for distributed mode)") from None
    return handle
