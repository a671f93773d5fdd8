"""Job records and their ordered events in plain Redis.

Keys (prefix ``ff``): ``ff:job:{id}`` (hash: status, request, result, error, progress,
cancel flag, result_writes), ``ff:job:{id}:events`` (a Redis Stream, one entry per event),
``ff:idem:{key}`` (idempotency key -> job id), ``ff:lease:{id}`` (the worker running the job),
``ff:active`` (sorted set of the jobs that have not ended, for the lease reaper).

State changes that must not race are Lua scripts: create-with-idempotency-key, cancel, the
exactly-once terminal write (the first terminal status wins; later writes are no-ops), lease
renewal and the reaper's hand-back of a job whose lease expired (:meth:`RedisJobStore.reap`).

Every state has a way out: ``queued`` is run by the task sent at submit; ``running`` holds a
lease that its worker renews every third of its TTL, and a ``running`` job without a lease (its
worker died, or Redis lost it) is put back to ``queued`` and sent again by the reaper.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import redis

from agents.errors import ModelCallError
from workers.errors import JobNotFound, LeaseHeld, LeaseLost, QueueUnavailable
from workers.leases import LeaseRenewer
from workers.write_behind import WriteBehind

log = logging.getLogger(__name__)

TERMINAL = ("succeeded", "failed", "cancelled")
# errors a job's run stops on and is retried after (see workers.tasks)
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (QueueUnavailable, ModelCallError,
                                                     redis.ConnectionError, redis.TimeoutError)
STATUSES = ("queued", "running", *TERMINAL)

# Lua: create the job hash (queued) from ARGV[1] job id, ARGV[2] request, ARGV[3] now,
# ARGV[4] record TTL, and add it to the active set (the script's last key). Shared by the
# create and claim scripts.
_NEW_RECORD = """
redis.call('HSET', KEYS[2], 'job_id', ARGV[1], 'status', 'queued', 'request', ARGV[2],
  'created_at', ARGV[3], 'updated_at', ARGV[3], 'cancel', '0', 'result_writes', '0',
  'progress', '{"events": 0, "node": null}')
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('ZADD', KEYS[#KEYS], ARGV[3], ARGV[1])
"""

_CREATE = """
if KEYS[1] ~= '' then
  local existing = redis.call('GET', KEYS[1])
  if existing then return existing end
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
end
if redis.call('EXISTS', KEYS[2]) == 1 then return ARGV[1] end
""" + _NEW_RECORD + """
return ARGV[1]
"""

# One round trip to start running a job: create it if only its task exists (send_task by
# name), then, unless it has ended, take the lease (KEYS[3]; ARGV[5] token, ARGV[6] TTL ms)
# and mark it running. Returns {0, record} (ended), {-2} (leased elsewhere), {1, record}.
_CLAIM = """
local st = redis.call('HGET', KEYS[2], 'status')
if not st then
""" + _NEW_RECORD + """
  st = 'queued'
end
if st == 'succeeded' or st == 'failed' or st == 'cancelled' then
  return {0, redis.call('HGETALL', KEYS[2])}
end
if not redis.call('SET', KEYS[3], ARGV[5], 'NX', 'PX', ARGV[6]) then return {-2} end
redis.call('HSET', KEYS[2], 'status', 'running', 'updated_at', ARGV[3])
redis.call('HINCRBY', KEYS[2], 'attempts', 1)
return {1, redis.call('HGETALL', KEYS[2])}
"""

_FINISH = """
local st = redis.call('HGET', KEYS[1], 'status')
if not st then return {-1} end
if st == 'succeeded' or st == 'failed' or st == 'cancelled' then
  return {0, redis.call('HGETALL', KEYS[1])}
end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'result', ARGV[2], 'error', ARGV[3],
  'updated_at', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'result_writes', 1)
redis.call('ZREM', KEYS[4], redis.call('HGET', KEYS[1], 'job_id'))
redis.call('XADD', KEYS[2], '*', 'event', ARGV[5])
redis.call('XADD', KEYS[3], '*', 'status', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[6])
redis.call('EXPIRE', KEYS[3], ARGV[6])
return {1, redis.call('HGETALL', KEYS[1])}
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

# KEYS[1] lease, KEYS[2] job; ARGV[1] token, ARGV[2] '1': the job goes back to queued (its
# run stopped on a transient error and a retry is on its way), ARGV[3] now
_RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
if ARGV[2] == '1' and redis.call('HGET', KEYS[2], 'status') == 'running' then
  redis.call('HSET', KEYS[2], 'status', 'queued', 'updated_at', ARGV[3])
end
return 1
"""

# KEYS[1] lease, KEYS[2] job; ARGV[1] token, ARGV[2] TTL ms. 1: renewed; 2: the lease had
# expired (Redis was away longer than its TTL) and nobody took it: taken again (a job the
# reaper put back to queued is running again: the task it sent meets this lease and drops);
# 0: another worker holds it now (this one must stop the job).
_RENEW = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if holder then return 0 end
local st = redis.call('HGET', KEYS[2], 'status')
if st ~= 'running' and st ~= 'queued' then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if st == 'queued' then redis.call('HSET', KEYS[2], 'status', 'running') end
return 2
"""

# The lease reaper: KEYS[1] active set; ARGV[1] key prefix, ARGV[2] now, ARGV[3] seconds after
# which a queued job that already ran (attempts > 0) is sent again, ARGV[4] most jobs to
# return. Drops ended/expired jobs from the set; a running job without a lease goes back to
# queued. Returns {job id, request, ...} of the jobs to send again (marked 'requeued_at').
_REAP = """
local out, n = {}, 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local job = ARGV[1] .. ':job:' .. id
  local st = redis.call('HGET', job, 'status')
  if (not st) or st == 'succeeded' or st == 'failed' or st == 'cancelled' then
    redis.call('ZREM', KEYS[1], id)
  elseif n < tonumber(ARGV[4]) and redis.call('EXISTS', ARGV[1] .. ':lease:' .. id) == 0 then
    local again = false
    if st == 'running' then
      again = true
    elseif tonumber(redis.call('HGET', job, 'attempts') or '0') > 0 then
      local last = redis.call('HGET', job, 'requeued_at') or redis.call('HGET', job, 'updated_at')
      again = tonumber(ARGV[2]) - tonumber(last) > tonumber(ARGV[3])
    end
    if again then
      redis.call('HSET', job, 'status', 'queued', 'requeued_at', ARGV[2], 'updated_at', ARGV[2])
      redis.call('HINCRBY', job, 'requeues', 1)
      table.insert(out, id)
      table.insert(out, redis.call('HGET', job, 'request'))
      n = n + 1
    end
  end
end
return out
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
    requeues: int = 0

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
                 prefix: str = "ff", write_behind: bool = True) -> None:
        self._redis = client
        self._behind = WriteBehind(client) if write_behind else None
        self._cancel_seen: set[str] = set()
        self._ttl = record_ttl_s
        self._prefix = prefix
        self._create = client.register_script(_CREATE)
        self._claim = client.register_script(_CLAIM)
        self._finish = client.register_script(_FINISH)
        self._append = client.register_script(_APPEND)
        self._release = client.register_script(_RELEASE)
        self._renew = client.register_script(_RENEW)
        self._reap = client.register_script(_REAP)
        self._leases = LeaseRenewer(self._renew)

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

    @property
    def _active_key(self) -> str:
        return f"{self._prefix}:active"

    def _end_key(self, job_id: str) -> str:
        """A stream that gets one entry when the job ends: waiters block on it alone."""
        return f"{self._prefix}:job:{job_id}:end"

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
            got = self._create(keys=[idem, self._job_key(job_id), self._active_key],
                               args=[job_id, json.dumps(request), now, self._ttl])
        if got != job_id:
            return self.get(got), False
        return JobRecord(job_id=job_id, status="queued", request=request, created_at=now,
                         updated_at=now, progress={"events": 0, "node": None}), True

    def get(self, job_id: str) -> JobRecord:
        self.flush(job_id)  # read this process's own queued events' effects
        with _redis_errors():
            raw = self._redis.hgetall(self._job_key(job_id))
        if not raw:
            raise JobNotFound(f"no job {job_id!r}")
        return _record(raw)

    def append_event(self, job_id: str, event: dict[str, Any], progress: dict[str, Any]) -> bool:
        """Append one event; returns True when cancellation was requested.

        With write-behind the event is queued (in order) and the answer is what the replies
        so far said (a cancel is seen once the reply to an earlier append is back: in a real
        job, by the next node); an event of a job known to be cancelled is not appended.
        """
        keys = [self._job_key(job_id), self._events_key(job_id)]
        args = [json.dumps(event), json.dumps(progress), time.time(), self._ttl]
        if self._behind is None:
            with _redis_errors():
                return self._append(keys=keys, args=args) == 1
        if job_id in self._cancel_seen:
            return True
        with _redis_errors():
            self._behind.submit(self._append, keys, args, tag=job_id,
                                on_result=lambda flag: self._note_cancel(job_id, flag))
        return False

    def _note_cancel(self, job_id: str, flag: Any) -> None:
        if flag == 1:
            self._cancel_seen.add(job_id)

    def close(self) -> None:
        """Send queued events, then close the connections."""
        try:
            if self._behind is not None:
                self._behind.close()
        finally:
            self._redis.close()

    def flush(self, job_id: str | None = None) -> None:
        """Wait until this process's queued writes (of ``job_id`` alone, if given) are in
        Redis (write-behind mode)."""
        if self._behind is not None:
            with _redis_errors():
                self._behind.flush(tag=job_id)

    def finish(self, job_id: str, status: str, *, result: dict[str, Any] | None = None,
               error: dict[str, Any] | None = None) -> bool:
        """Write the terminal status exactly once. False when the job had already ended."""
        return self.end(job_id, status, result=result, error=error)[0]

    def end(self, job_id: str, status: str, *, result: dict[str, Any] | None = None,
            error: dict[str, Any] | None = None) -> tuple[bool, JobRecord]:
        """:meth:`finish`, also returning the record as it is afterwards (same round trip)."""
        if status not in TERMINAL:
            raise ValueError(f"not a terminal status: {status}")
        event = {"type": "status", "status": status, "ts": time.time()}
        if error:
            event["data"] = {"error": error}
        self._cancel_seen.discard(job_id)
        keys = [self._job_key(job_id), self._events_key(job_id), self._end_key(job_id),
                self._active_key]
        args = [status, json.dumps(result) if result is not None else "",
                json.dumps(error) if error else "", time.time(), json.dumps(event), self._ttl]
        with _redis_errors():
            if self._behind is not None:  # after the queued node events, same round trip
                reply = self._behind.call(self._finish, keys, args)
            else:
                reply = self._finish(keys=keys, args=args)
        if reply[0] == -1:
            raise JobNotFound(f"no job {job_id!r}")
        return reply[0] == 1, _record(_pairs(reply[1]))

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

    def wait_terminal(self, job_id: str, timeout_s: float) -> JobRecord:
        """The record once the job has ended, or as it is after ``timeout_s``: blocking reads
        (of at most a second each, under any socket timeout) of a stream that gets one entry
        when the job ends, so it wakes once, not on every node event. Each read is pipelined
        with a read of the record, which Redis answers when the blocking read returns: the
        ended record comes back in the same round trip. Raises :class:`JobNotFound` (at the
        end) for an unknown job."""
        self.flush(job_id)  # this process's own queued writes of the job go first
        deadline = time.monotonic() + timeout_s
        raw: dict[str, str] = {}
        while True:
            block_ms = max(1, int(min(deadline - time.monotonic(), 1.0) * 1000))
            with _redis_errors(), self._redis.pipeline(transaction=False) as pipe:
                pipe.xread({self._end_key(job_id): "0"}, count=1, block=block_ms)
                pipe.hgetall(self._job_key(job_id))
                ended, raw = pipe.execute()
            if ended or not raw or deadline - time.monotonic() <= 0:
                break
        if not raw:
            raise JobNotFound(f"no job {job_id!r}")
        return _record(raw)

    # -- events ------------------------------------------------------------------------------
    def events(self, job_id: str, after: str = "0", *, block_ms: int = 0,
               count: int = 100) -> list[tuple[str, dict[str, Any]]]:
        """Events after stream id ``after`` (oldest first); waits up to ``block_ms`` for one."""
        key = self._events_key(job_id)
        self.flush(job_id)
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
    def claim(self, job_id: str, request: dict[str, Any], ttl_s: int) -> Iterator[JobRecord]:
        """Start running a job in one round trip: create its record if missing, and unless it
        has ended, take its lease and mark it running. Yields the record (an ended job's
        unchanged, without a lease). Raises :class:`LeaseHeld` when a live worker runs it."""
        key = self._lease_key(job_id)
        token = uuid.uuid4().hex
        self.flush(job_id)  # this process's queued release of this lease goes first
        with _redis_errors():
            reply = self._claim(
                keys=["", self._job_key(job_id), key, self._active_key],
                args=[job_id, json.dumps(request), time.time(), self._ttl, token, ttl_s * 1000],
            )
        if reply[0] == -2:
            raise LeaseHeld(f"job {job_id} is running on another worker")
        record = _record(_pairs(reply[1]))
        if reply[0] == 0:
            yield record
            return
        with self._held_lease(job_id, key, token, ttl_s):
            yield record

    @contextmanager
    def lease(self, job_id: str, ttl_s: int) -> Iterator[None]:
        """Hold the job's lease while running it (renewed in the background by one thread
        per store); raises :class:`LeaseHeld` when a live worker holds it."""
        key = self._lease_key(job_id)
        token = uuid.uuid4().hex
        self.flush(job_id)  # this process's queued release of this lease goes first
        with _redis_errors():
            if not self._redis.set(key, token, nx=True, px=ttl_s * 1000):
                raise LeaseHeld(f"job {job_id} is running on another worker")
        with self._held_lease(job_id, key, token, ttl_s):
            yield

    def check_lease(self, job_id: str) -> None:
        """Raise :class:`LeaseLost` when another worker has taken over this process's lease
        of ``job_id`` (it expired while Redis was away or this process stalled)."""
        if self._leases.lost(self._lease_key(job_id)):
            raise LeaseLost(f"job {job_id} was taken over by another worker")

    def reap(self, *, requeue_after_s: float, limit: int = 1000,
             ) -> list[tuple[str, dict[str, Any]]]:
        """The lease reaper's pass: every ``running`` job without a live lease (its worker
        died) goes back to ``queued``, and so does a ``queued`` job that already ran
        (``attempts`` > 0) but was not picked up again for ``requeue_after_s`` (its retry
        message was lost). Returns ``(job_id, request)`` of the jobs the caller must send
        again; ended and expired jobs leave the active set."""
        with _redis_errors():
            flat = self._reap(keys=[self._active_key],
                              args=[self._prefix, time.time(), requeue_after_s, limit])
        return [(job_id, _loads(raw) or {}) for job_id, raw in zip(flat[::2], flat[1::2],
                                                                      strict=True)]

    def _lease_key(self, job_id: str) -> str:
        return f"{self._prefix}:lease:{job_id}"

    @contextmanager
    def _held_lease(self, job_id: str, key: str, token: str, ttl_s: int) -> Iterator[None]:
        self._leases.hold(key, token, ttl_s, self._job_key(job_id))
        requeue = "0"
        try:
            yield
        except BaseException as exc:
            # a transient error leaves with a retry on its way: the job waits as queued
            # (the reaper sends it again if that retry never comes)
            requeue = "1" if isinstance(exc, TRANSIENT_ERRORS) else "0"
            raise
        finally:
            self._leases.drop(key)
            keys, args = [key, self._job_key(job_id)], [token, requeue, time.time()]
            try:
                if self._behind is not None:  # nobody waits for the release
                    self._behind.submit(self._release, keys, args, tag=job_id)
                else:
                    self._release(keys=keys, args=args)
            except redis.RedisError:
                log.warning("could not release the lease of job %s", job_id, exc_info=True)


def _pairs(flat: list[str]) -> dict[str, str]:
    """A Lua HGETALL reply (field, value, ...) as a dict."""
    return dict(zip(flat[::2], flat[1::2], strict=True))


def _record(raw: dict[str, str]) -> JobRecord:
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
        requeues=int(raw.get("requeues", 0)),
    )


@contextmanager
def _redis_errors() -> Iterator[None]:
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise QueueUnavailable(f"Redis is unavailable: {exc}") from exc
