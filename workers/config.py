"""Worker configuration: a plain dataclass the composition root fills in from Settings.

Nothing here reads the environment: :func:`factforge.wiring.worker_config` copies each field
from the :class:`factforge.settings.Settings` field of the same name (the env names below are
for error messages). Everything else a worker needs (model, router, verifiers) comes from the
*runtime factory* named by ``FACTFORGE_WORKER_RUNTIME``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from workers.errors import WorkerConfigError

DEFAULT_REDIS_URL = "redis://localhost:6379/0"
DEFAULT_RUNTIME = "factforge.jobs.worker_runtime:build_runtime"

# dataclass field -> env variable
_ENV = {
    "redis_url": "FACTFORGE_REDIS_URL",
    "broker_visibility_timeout_s": "FACTFORGE_BROKER_VISIBILITY_TIMEOUT_S",
    "job_time_limit_s": "FACTFORGE_JOB_TIME_LIMIT_S",
    "job_lease_s": "FACTFORGE_JOB_LEASE_S",
    "job_record_ttl_s": "FACTFORGE_JOB_RECORD_TTL_S",
    "checkpoint_ttl_s": "FACTFORGE_CHECKPOINT_TTL_S",
    "batch_max_size": "FACTFORGE_BATCH_MAX_SIZE",
    "batch_max_wait_ms": "FACTFORGE_BATCH_MAX_WAIT_MS",
    "inference_timeout_s": "FACTFORGE_INFERENCE_TIMEOUT_S",
    "worker_runtime": "FACTFORGE_WORKER_RUNTIME",
}

_MAY_BE_ZERO = frozenset({"batch_max_wait_ms"})  # as in factforge.settings.Settings


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """What the Celery app, the tasks and the remote backend are configured with."""

    redis_url: str = DEFAULT_REDIS_URL
    broker_visibility_timeout_s: int = 3600
    job_time_limit_s: int = 900
    job_lease_s: int = 30
    job_record_ttl_s: int = 7 * 24 * 3600
    checkpoint_ttl_s: int = 7 * 24 * 3600
    batch_max_size: int = 8
    batch_max_wait_ms: int = 10
    inference_timeout_s: int = 300
    worker_runtime: str = DEFAULT_RUNTIME

    def __post_init__(self) -> None:
        if not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise WorkerConfigError(f"FACTFORGE_REDIS_URL must be a redis:// URL, got {self.redis_url!r}")
        for f in fields(self):
            value = getattr(self, f.name)
            least = 0 if f.name in _MAY_BE_ZERO else 1
            if isinstance(value, int) and value < least:
                raise WorkerConfigError(
                    f"{_ENV[f.name]} must be {'>= 0' if least == 0 else 'positive'}, got {value}")
        if self.job_lease_s < 3:
            raise WorkerConfigError("FACTFORGE_JOB_LEASE_S must be at least 3 seconds")


def env_names() -> dict[str, str]:
    """Field -> env variable (used by the docker-compose test)."""
    return dict(_ENV)
