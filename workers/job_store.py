"""Job records and their ordered events in plain Redis.

Keys (prefix ``ff``): ``ff:job:{id}`` (hash: status, request, result, error, progress,
cancel flag, result_writes), ``ff:job:{id}:events`` (a Redis Stream, one entry per event),
``ff:idem:{key}`` (idempotency key -> job id), ``ff:lease:{id}`` (the worker running the job).

State changes that must not race are Lua scripts: create-with-idempotency-key, cancel, and the
exactly-once terminal write (the first terminal status wins; later writes are no-ops).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import redis

from workers.errors import JobNotFound, LeaseHeld, QueueUnavailable

log = logging.getLogger(__name__)

TERMINAL = ("succeeded", "failed", "cancelled")
STATUSES = ("queued", "running", *TERMINAL)

_CREATE = """
if KEYS[1] ~= '' then
  local existing = redis.call('GET', KEYS[1])
  if existing then return existing end
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
end
if redis.call('EXISTS', KEYS[2]) == 1 then return ARGV[1] end
redis.call('HSET', KEYS[2], 'job_id', ARGV[1], 'status', 'queued', 'request', ARGV[2],
  'created_at', ARGV[3], 'updated_at', ARGV[3], 'cancel', '0', 'result_writes', '0',
  'progress', '{"events": 0, "node": null}')
redis.call('EXPIRE', KEYS[2], ARGV[4])
return ARGV[1]
"""

_FINISH = """
local st = redis.call('HGET', KEYS[1], 'status')
if not st then return -1 end
if st == 'succeeded' or st == 'failed' or st == 'cancelled' then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'result', ARGV[2], 'error', ARGV[3],
  'updated_at', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'result_writes', 1)
redis.call('XADD', KEYS[2], '*', 'event', ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[6])
return 1
"""

_MARK_RUNNING = """
local st = redis.call('HGET', KEYS[1], 'status')
if not st then return -1 end
if st ~= 'queued' and st ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'running', 'updated_at', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
return 1
"""

_APPEND = """
local st = redis.call('HGET', KEYS[1], 'status')
if not st then return -1 end
if st == 'succeeded' or st == 'failed' or st == 'cancelled' then return 0 end
redis.call('XADD', KEYS[2], '*', 'event', ARGV[1])
redis.call('HSET', KEYS[1], 'progress', ARGV[2], 'updated_at', ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return tonumber(redis.call('HGET', KEYS[1], 'cancel'))
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


@dataclass(frozen=True, slots=True)
class JobRecord:
    """A job as clients see it."""

    job_id: str
    status: str
    request: dict[str, Any]
    created_at: float
    updated_at: float
    progress: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    cancel_requested: bool = False
    attempts: int = 0
    result_writes: int = 0

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "status": self.status,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "progress": self.progress,
            "request": self.request,
            "result": self.result,
            "error": self.error,
        }


def new_job_id() -> str:
    return uuid.uuid4().hex


def _loads(raw: str | None) -> Any:
    return json.loads(raw) if raw else None


class RedisJobStore:
    """Job records and events for one Redis database."""

    def __init__(self, client: redis.Redis, *, record_ttl_s: int = 7 * 24 * 3600,
                 prefix: str = "ff") -> None:
        self._redis = client
        self._ttl = record_ttl_s
        self._prefix = prefix
        self._create = client.register_script(_CREATE)
        self._finish = client.register_script(_FINISH)
        self._running = client.register_script(_MARK_RUNNING)
        self._append = client.register_script(_APPEND)
        self._release = client.register_script(_RELEASE)
        self._renew = client.register_script(_RENEW)

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisJobStore:
        client = redis.Redis.from_url(url, decode_responses=True, health_check_interval=30,
                                      retry_on_timeout=True, socket_connect_timeout=5)
        return cls(client, **options)

    @property
    def client(self) -> redis.Redis:
        return self._redis

    def _job_key(self, job_id: str) -> str:
        return f"{self._prefix}:job:{job_id}"

    def _events_key(self, job_id: str) -> str:
        return f"{self._prefix}:job:{job_id}:events"

    # -- records ----------------------------------------------------------------------------
    def create(self, request: dict[str, Any], *, job_id: str | None = None,
               idempotency_key: str | None = None) -> tuple[JobRecord, bool]:
        """Create a queued job; with an already used idempotency key, return that job.

        Returns ``(record, created)``.
        """
        job_id = job_id or new_job_id()
        idem = f"{self._prefix}:idem:{idempotency_key}" if idempotency_key else ""
        now = time.time()
        with _redis_errors():
            got = self._create(keys=[idem, self._job_key(job_id)],
                               args=[job_id, json.dumps(request), now, self._ttl])
        if got != job_id:
            return self.get(got), False
        return JobRecord(job_id=job_id, status="queued", request=request, created_at=now,
                         updated_at=now, progress={"events": 0, "node": None}), True

    def get(self, job_id: str) -> JobRecord:
        with _redis_errors():
            raw = self._redis.hgetall(self._job_key(job_id))
        if not raw:
            raise JobNotFound(f"no job {job_id!r}")
        return JobRecord(
            job_id=raw["job_id"],
            status=raw["status"],
            request=_loads(raw.get("request")) or {},
            created_at=float(raw["created_at"]),
            updated_at=float(raw["updated_at"]),
            progress=_loads(raw.get("progress")) or {},
            result=_loads(raw.get("result")),
            error=_loads(raw.get("error")),
            cancel_requested=raw.get("cancel") == "1",
            attempts=int(raw.get("attempts", 0)),
            result_writes=int(raw.get("result_writes", 0)),
        )

    def mark_running(self, job_id: str) -> bool:
        """Queued/running -> running. False when the job already ended."""
        with _redis_errors():
            done = self._running(keys=[self._job_key(job_id)], args=[time.time()])
        if done == -1:
            raise JobNotFound(f"no job {job_id!r}")
        return done == 1

    def append_event(self, job_id: str, event: dict[str, Any], progress: dict[str, Any]) -> bool:
        """Append one event; returns True when cancellation was requested."""
        with _redis_errors():
            flag = self._append(
                keys=[self._job_key(job_id), self._events_key(job_id)],
                args=[json.dumps(event), json.dumps(progress), time.time(), self._ttl],
            )
        return flag == 1

    def finish(self, job_id: str, status: str, *, result: dict[str, Any] | None = None,
               error: dict[str, Any] | None = None) -> bool:
        """Write the terminal status exactly once. False when the job had already ended."""
        if status not in TERMINAL:
            raise ValueError(f"not a terminal status: {status}")
        event = {"type": "status", "status": status, "ts": time.time()}
        if error:
            event["data"] = {"error": error}
        with _redis_errors():
            won = self._finish(
                keys=[self._job_key(job_id), self._events_key(job_id)],
                args=[status, json.dumps(result) if result is not None else "",
                      json.dumps(error) if error else "", time.time(), json.dumps(event),
                      self._ttl],
            )
        if won == -1:
            raise JobNotFound(f"no job {job_id!r}")
        return won == 1

    def cancel(self, job_id: str) -> JobRecord:
        """Request cancellation: a queued job ends now, a running one at its next node."""
        record = self.get(job_id)
        if record.terminal:
            return record
        with _redis_errors():
            self._redis.hset(self._job_key(job_id), "cancel", "1")
        if record.status == "queued":
            self.finish(job_id, "cancelled", error={"code": "job_cancelled",
                                                    "message": "cancelled before it started"})
        return self.get(job_id)

    # -- events ------------------------------------------------------------------------------
    def events(self, job_id: str, after: str = "0", *, block_ms: int = 0,
               count: int = 100) -> list[tuple[str, dict[str, Any]]]:
        """Events after stream id ``after`` (oldest first); waits up to ``block_ms`` for one."""
        key = self._events_key(job_id)
        with _redis_errors():
            if block_ms > 0:
                reply = self._redis.xread({key: after or "0"}, count=count, block=block_ms)
                entries = reply[0][1] if reply else []
            else:
                entries = self._redis.xrange(key, min=f"({after}" if after not in ("", "0") else "-",
                                             count=count)
        return [(entry_id, json.loads(fields["event"])) for entry_id, fields in entries]

    # -- lease ---------------------------------------------------------------------------------
    @contextmanager
    def lease(self, job_id: str, ttl_s: int) -> Iterator[None]:
        """Hold the job's lease while running it (renewed in the background); raises
        :class:`LeaseHeld` when a live worker holds it."""
        key = f"{self._prefix}:lease:{job_id}"
        token = uuid.uuid4().hex
        with _redis_errors():
            if not self._redis.set(key, token, nx=True, px=ttl_s * 1000):
                raise LeaseHeld(f"job {job_id} is running on another worker")
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(ttl_s / 3):
                try:
                    self._renew(keys=[key], args=[token, ttl_s * 1000])
                except redis.RedisError:
                    log.warning("could not renew the lease of job %s", job_id, exc_info=True)

        renewer = threading.Thread(target=renew, name=f"lease-{job_id}", daemon=True)
        renewer.start()
        try:
            yield
        finally:
            stop.set()
            renewer.join()
            try:
                self._release(keys=[key], args=[token])
            except redis.RedisError:
                log.warning("could not release the lease of job %s", job_id, exc_info=True)


@contextmanager
def _redis_errors() -> Iterator[None]:
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise QueueUnavailable(f"Redis is unavailable: {exc}") from exc
