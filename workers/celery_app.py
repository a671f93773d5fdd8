"""The Celery application: Redis broker and result backend, queues ``jobs`` and ``inference``.

``create_app(config)`` builds an app (tests and the API use it). ``factforge worker`` runs
``celery -A factforge.jobs.worker_app``, whose app the composition root configures from
Settings; ``celery -A workers.celery_app`` loads that same app (the module's ``app``
attribute is resolved by name, as ``FACTFORGE_WORKER_RUNTIME`` is: ``workers`` never imports
the front door).

Reliability choices: ``acks_late`` + ``task_reject_on_worker_lost`` + prefetch 1, so a job whose
worker dies is redelivered (after the broker's visibility timeout) to another worker, which
resumes it from its Redis checkpoint; jobs are idempotent (a job lease and an exactly-once
result write in :mod:`workers.job_store`).
"""

from __future__ import annotations

from celery import Celery
from celery.signals import worker_shutdown
from kombu import Queue

from workers.config import WorkerConfig

JOBS_QUEUE = "jobs"
INFERENCE_QUEUE = "inference"
RUN_JOB = "factforge.run_job"
GENERATE = "factforge.generate"
PING = "factforge.ping"

TASK_ROUTES = {
    RUN_JOB: {"queue": JOBS_QUEUE},
    PING: {"queue": JOBS_QUEUE},
    GENERATE: {"queue": INFERENCE_QUEUE},
}


def celery_settings(config: WorkerConfig) -> dict[str, object]:
    """The Celery configuration for ``config`` (a plain dict, tested directly)."""
    restore_every = max(1, min(10, config.broker_visibility_timeout_s // 2))
    return {
        "broker_url": config.redis_url,
        "result_backend": config.redis_url,
        "task_queues": (Queue(JOBS_QUEUE), Queue(INFERENCE_QUEUE)),
        "task_default_queue": JOBS_QUEUE,
        "task_routes": TASK_ROUTES,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_track_started": True,
        "worker_prefetch_multiplier": 1,
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "result_expires": config.job_record_ttl_s,
        "result_extended": False,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {
            # Unacked messages of a dead worker go back to the queue after this long: it must
            # exceed the longest job (a live worker's job is additionally guarded by its lease).
            "visibility_timeout": config.broker_visibility_timeout_s,
            "unacked_restore_interval": restore_every,
            "unacked_restore_throttle": 1,
        },
        "result_backend_transport_options": {"retry_policy": {"timeout": 5.0}},
        "worker_hijack_root_logger": False,
    }


def create_app(config: WorkerConfig) -> Celery:
    """A configured Celery app with FactForge's tasks registered."""
    from workers import tasks

    celery = Celery("factforge")
    celery.conf.update(celery_settings(config))
    celery.factforge_config = config  # type: ignore[attr-defined]
    tasks.register(celery)

    def _close_runtime(**_: object) -> None:
        runtime = getattr(celery, "factforge_runtime", None)
        if runtime is not None:
            runtime.close()

    celery._factforge_close = _close_runtime  # type: ignore[attr-defined] # keeps it alive
    worker_shutdown.connect(_close_runtime, weak=True)
    return celery


def worker_config(celery: Celery) -> WorkerConfig:
    """The :class:`WorkerConfig` an app was created with."""
    return celery.factforge_config  # type: ignore[attr-defined,no-any-return]


SETTINGS_APP = "factforge.jobs.worker_app:app"


def __getattr__(name: str) -> Celery:
    """``app``: the worker app configured from Settings (for ``celery -A workers.celery_app``)."""
    if name == "app":
        from workers.runtime import resolve

        return resolve(SETTINGS_APP)  # type: ignore[no-any-return]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
