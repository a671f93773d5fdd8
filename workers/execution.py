"""Run one job against a job store: the logic behind the ``factforge.run_job`` task.

Plain functions, tested directly. The task adds only Celery concerns (retries, routing).
Guarantees: a job ends with exactly one terminal record; a cancelled job stops between nodes;
a job whose time limit passes stops between nodes; a redelivered job resumes from its
checkpoint (the ``run`` callable gets the same ``job_id``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

import redis

from agents import AgentsError, JobCancelled, JobRequest
from workers.errors import JobTimeout, LeaseLost, QueueUnavailable

log = logging.getLogger(__name__)

EventSink = Callable[[dict[str, Any]], None]
# run(request, job_id, on_event, resume): resume is False on a job's first attempt (no
# checkpoint can exist yet, so the runner need not read one).
RunFn = Callable[[JobRequest, str, EventSink, bool], dict[str, Any]]


class JobStore(Protocol):
    """What :func:`execute_job` needs (RedisJobStore and the embedded SqliteJobStore)."""

    def claim(self, job_id: str, request: dict[str, Any], ttl_s: int,
              ) -> AbstractContextManager[Any]: ...
    def append_event(self, job_id: str, event: dict[str, Any],
                     progress: dict[str, Any]) -> bool: ...
    def end(self, job_id: str, status: str, *, result: dict[str, Any] | None = None,
            error: dict[str, Any] | None = None) -> tuple[bool, Any]: ...


def execute_job(
    job_id: str,
    request: dict[str, Any],
    *,
    store: JobStore,
    run: RunFn,
    lease_ttl_s: int = 30,
    time_limit_s: float | None = None,
) -> dict[str, Any]:
    """Run (or resume) job ``job_id`` and return its record as a dict.

    Raises :class:`workers.errors.LeaseHeld` when another live worker runs it, and lets
    infrastructure faults (Redis, a model call that was never answered: ``retryable``)
    propagate so the caller can retry; everything else, a model call the backend already
    retried included, ends the job as failed. When another worker took the job's lease over
    while this one ran it, this run stops at the next node and writes nothing (the other
    worker finishes).
    """
    with store.claim(job_id, request, lease_ttl_s) as record:
        if record.terminal:
            log.info("job %s already %s; not running it again", job_id, record.status)
            return record.to_dict()
        try:
            job_request = JobRequest.from_dict(request)
        except AgentsError as exc:
            return store.end(job_id, "failed", error=_error(exc))[1].to_dict()
        started = time.monotonic()
        count = {"events": record.progress.get("events", 0)}

        check_lease = getattr(store, "check_lease", None)

        def on_event(event: dict[str, Any]) -> None:
            if check_lease is not None:
                check_lease(job_id)  # LeaseLost: another worker runs it now
            count["events"] += 1
            progress = {"events": count["events"], "node": event.get("node")}
            if store.append_event(job_id, event, progress):
                raise JobCancelled(f"job {job_id} was cancelled")
            if time_limit_s is not None and time.monotonic() - started > time_limit_s:
                raise JobTimeout(f"job {job_id} ran longer than {time_limit_s:.0f} s")

        try:
            result = run(job_request, job_id, on_event, record.attempts > 1)
        except JobCancelled as exc:
            _, final = store.end(job_id, "cancelled", error=_error(exc))
        except JobTimeout as exc:
            _, final = store.end(job_id, "failed", error=_error(exc))
        except AgentsError as exc:
            if getattr(exc, "retryable", False):
                raise  # never answered: the task retries with backoff, resuming the checkpoint
            _, final = store.end(job_id, "failed", error=_error(exc))
        except LeaseLost:
            log.warning("job %s: lease taken over by another worker; stopped here", job_id)
            return record.to_dict()
        except QueueUnavailable:
            raise
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            # Redis went away under the graph (a checkpoint write could not be sent in time):
            # transient, the task resumes the job from its checkpoint once Redis is back
            raise QueueUnavailable(f"Redis is unavailable: {exc}") from exc
        except Exception as exc:  # a bug in a node or a plugin: the job fails, the worker lives
            log.exception("job %s crashed", job_id)
            _, final = store.end(job_id, "failed",
                                 error={"code": "internal_error", "message": str(exc)})
        else:
            won, final = store.end(job_id, "succeeded", result=result)
            if not won:
                log.info("job %s had already ended; result discarded", job_id)
        log.info("job %s %s after %.3f s (attempt %d)", job_id, final.status,
                 time.monotonic() - started, final.attempts)
        return final.to_dict()


def _error(exc: Exception) -> dict[str, str]:
    return {"code": getattr(exc, "code", type(exc).__name__), "message": str(exc)}
