"""Thin Celery tasks: ids and primitives in, JSON out; the logic lives in plain functions.

* ``factforge.run_job`` (queue ``jobs``): kwargs ``job_id``, ``request`` (a JobRequest dict);
  returns the job record dict. Idempotent: a redelivered job resumes from its checkpoint,
  a finished one returns its stored record, and one that a live worker runs right now (a
  duplicate: redelivery, the reaper) is dropped (``Ignore``: acknowledged, no result of its
  own; the owner finishes it, and if the owner dies, its lease expires and the reaper sends
  the job again).
  When Redis goes away mid-job the task waits for it and resumes the job, in the same task
  (a retry message could not be published while Redis is down anyway).
* ``factforge.generate`` (queue ``inference``): kwargs ``requests`` (GenerationRequest dicts);
  returns Generation dicts. Concurrent calls in one process are micro-batched. With
  ``reply_to``, the request is *held* while it runs (a key renewed every second): a caller
  whose request is no longer held and unanswered knows its inference worker died and sends
  it again; a request already held or answered elsewhere is skipped.
* ``factforge.ping``: a no-op round trip (the queue-overhead baseline of the benchmark).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from celery import Celery, Task
from celery.exceptions import Ignore

from agents import JobRequest
from agents.errors import ModelCallError
from workers.errors import LeaseHeld, QueueUnavailable
from workers.execution import execute_job
from workers.runtime import ProcessRuntime
from workers.wire import generation_to_dict, request_from_dict

log = logging.getLogger(__name__)

TRANSIENT = (ModelCallError,)  # retried by Celery (QueueUnavailable: see run_job_task)
_REDIS_POLL_S = 1.0


def runtime_of(app: Celery) -> ProcessRuntime:
    """The app's per-process runtime (created on first use)."""
    runtime = getattr(app, "factforge_runtime", None)
    if runtime is None:
        from workers.celery_app import worker_config

        runtime = ProcessRuntime(worker_config(app))
        app.factforge_runtime = runtime  # type: ignore[attr-defined]
    return runtime


def _wait_for_redis(client: redis.Redis, deadline: float) -> bool:
    """Ping until Redis answers (True) or ``deadline`` passes (False)."""
    while time.monotonic() < deadline:
        try:
            if client.ping():
                return True
        except redis.RedisError:
            pass
        time.sleep(_REDIS_POLL_S)
    return False


def _generate(runtime: ProcessRuntime, requests: list[dict[str, Any]], reply_to: str | None,
              deadline: float = 0.0) -> list[dict[str, Any]]:
    try:
        generations = runtime.batcher().generate([request_from_dict(r) for r in requests])
    except Exception as exc:
        if reply_to:
            _when_redis_is_back(runtime, deadline, runtime.reply, reply_to,
                                {"error": f"{type(exc).__name__}: {exc}",
                                 "retryable": bool(getattr(exc, "retryable", False)),
                                 "code": getattr(exc, "code", None)})
        raise
    answer = [generation_to_dict(g) for g in generations]
    if reply_to:
        _when_redis_is_back(runtime, deadline, runtime.reply, reply_to, {"generations": answer})
    return answer


def _when_redis_is_back(runtime: ProcessRuntime, deadline: float, fn: Any, *args: Any) -> Any:
    """``fn(*args)``, called again while Redis is unreachable, until ``deadline``."""
    while True:
        try:
            return fn(*args)
        except (redis.ConnectionError, redis.TimeoutError):
            if not _wait_for_redis(runtime.store().client, deadline):
                raise


class _JobTask(Task):
    """``factforge.run_job``'s base: when retries are exhausted (or a hard time limit kills
    it), the job record ends as failed instead of staying ``running``."""

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any,
                   einfo: Any) -> None:
        job_id = kwargs.get("job_id") or (args[0] if args else task_id)
        error = {"code": getattr(exc, "code", "task_failed"),
                 "message": f"{type(exc).__name__}: {exc}"}
        try:
            runtime_of(self.app).store().finish(job_id, "failed", error=error)
        except Exception:  # the broker/store may be the thing that failed
            log.exception("could not mark job %s failed", job_id)


def register(app: Celery) -> None:
    """Register FactForge's tasks on ``app``."""
    from workers.celery_app import GENERATE, PING, RUN_JOB, worker_config

    config = worker_config(app)

    @app.task(
        name=RUN_JOB,
        shared=False,
        bind=True,
        base=_JobTask,
        autoretry_for=TRANSIENT,
        retry_backoff=2,
        retry_backoff_max=60,
        retry_jitter=True,
        max_retries=8,
        soft_time_limit=config.job_time_limit_s,
        time_limit=config.job_time_limit_s + 60,
    )
    def run_job_task(self: Task, job_id: str, request: dict[str, Any]) -> dict[str, Any]:
        runtime = runtime_of(app)

        def run(job_request: JobRequest, run_id: str, on_event: Any, resume: bool,
                ) -> dict[str, Any]:
            return runtime.runner().run(job_request, runtime.job_deps(), job_id=run_id,
                                        on_event=on_event, resume=resume)

        deadline = time.monotonic() + config.job_time_limit_s
        while True:
            try:
                return execute_job(
                    job_id, request, store=runtime.store(), run=run,
                    lease_ttl_s=config.job_lease_s, time_limit_s=config.job_time_limit_s,
                )
            except LeaseHeld:
                # a duplicate of a job a live worker runs (redelivery, the reaper): drop it,
                # acknowledged and without a task result of its own (the owner's stands)
                log.info("job %s is running on another worker; duplicate task dropped", job_id)
                raise Ignore() from None
            except QueueUnavailable as exc:
                log.warning("job %s: Redis unavailable (%s); resuming when it is back",
                            job_id, exc)
                if not _wait_for_redis(runtime.store().client, deadline):
                    raise

    @app.task(name=GENERATE, shared=False, soft_time_limit=config.inference_timeout_s,
              time_limit=config.inference_timeout_s + 30)
    def generate_task(requests: list[dict[str, Any]], reply_to: str | None = None,
                      ) -> list[dict[str, Any]]:
        runtime = runtime_of(app)
        if not reply_to:
            return _generate(runtime, requests, None)
        # Redis away (restarting): wait for it rather than lose the request
        deadline = time.monotonic() + config.inference_timeout_s
        held = _when_redis_is_back(runtime, deadline, runtime.hold_request, reply_to)
        if held is None:
            log.info("inference request %s is held or answered elsewhere; skipped", reply_to)
            return []
        try:
            return _generate(runtime, requests, reply_to, deadline)
        finally:
            runtime.release_request(held)

    @app.task(name=PING, shared=False)
    def ping_task(payload: str = "") -> str:
        return payload
