"""Thin Celery tasks: ids and primitives in, JSON out; the logic lives in plain functions.

* ``factforge.run_job`` (queue ``jobs``): kwargs ``job_id``, ``request`` (a JobRequest dict);
  returns the job record dict. Idempotent: a redelivered job resumes from its checkpoint,
  and a finished one returns its stored record.
* ``factforge.generate`` (queue ``inference``): kwargs ``requests`` (GenerationRequest dicts);
  returns Generation dicts. Concurrent calls in one process are micro-batched.
* ``factforge.ping``: a no-op round trip (the queue-overhead baseline of the benchmark).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, Task

from agents import JobRequest
from agents.errors import ModelCallError
from workers.errors import LeaseHeld, QueueUnavailable
from workers.execution import execute_job
from workers.runtime import ProcessRuntime
from workers.wire import generation_to_dict, request_from_dict

log = logging.getLogger(__name__)

TRANSIENT = (QueueUnavailable, ModelCallError)


def runtime_of(app: Celery) -> ProcessRuntime:
    """The app's per-process runtime (created on first use)."""
    runtime = getattr(app, "factforge_runtime", None)
    if runtime is None:
        from workers.celery_app import worker_config

        runtime = ProcessRuntime(worker_config(app))
        app.factforge_runtime = runtime  # type: ignore[attr-defined]
    return runtime


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

        try:
            return execute_job(
                job_id, request, store=runtime.store(), run=run,
                lease_ttl_s=config.job_lease_s, time_limit_s=config.job_time_limit_s,
            )
        except LeaseHeld as exc:
            # Another live worker runs it (a redelivery after the visibility timeout): check
            # again later; if that worker dies, its lease expires and this retry takes over.
            raise self.retry(exc=exc, countdown=config.job_lease_s, max_retries=None) from exc

    @app.task(name=GENERATE, shared=False, soft_time_limit=config.inference_timeout_s,
              time_limit=config.inference_timeout_s + 30)
    def generate_task(requests: list[dict[str, Any]], reply_to: str | None = None,
                      ) -> list[dict[str, Any]]:
        runtime = runtime_of(app)
        try:
            generations = runtime.batcher().generate([request_from_dict(r) for r in requests])
        except Exception as exc:
            if reply_to:
                runtime.reply(reply_to, {"error": f"{type(exc).__name__}: {exc}",
                                         "retryable": bool(getattr(exc, "retryable", False)),
                                         "code": getattr(exc, "code", None)})
            raise
        answer = [generation_to_dict(g) for g in generations]
        if reply_to:
            runtime.reply(reply_to, {"generations": answer})
        return answer

    @app.task(name=PING, shared=False)
    def ping_task(payload: str = "") -> str:
        return payload
