"""The composition root of a worker process: the same :class:`factforge.services.Services`
as the API and embedded mode, from the same :class:`Settings`.

Named by ``FACTFORGE_WORKER_RUNTIME`` (default ``factforge.jobs.worker_runtime:build_runtime``)
and called once per worker process by :class:`workers.runtime.ProcessRuntime`.

Test hook (never a user-facing default): ``FACTFORGE_TEST_MODEL_FACTORY=module:callable``
(a Settings field like every other) makes the process's local model ``callable()``, a scripted
stand-in, so that tests run real worker subprocesses through the real graph without a
language model (:func:`factforge.wiring.build_local_backend`).
"""

from __future__ import annotations

from agents import JobDeps
from agents.llm.base import ModelBackend
from factforge.errors import ConfigError
from factforge.services import Services
from factforge.settings import Settings
from workers.config import WorkerConfig


class SettingsRuntime:
    """A worker's backend and job deps, built (each once) by :class:`Services`."""

    def __init__(self, settings: Settings, services: Services | None = None) -> None:
        self.settings = settings
        self.services = services or Services(settings)

    def backend(self) -> ModelBackend:
        """The inference worker's model (never the remote backend: that would loop)."""
        if self.settings.backend == "remote" and not self.settings.test_model_factory:
            raise ConfigError(
                "an inference worker needs a local model: set FACTFORGE_BACKEND to "
                "transformers or openai for `-Q inference` workers"
            )
        return self.services.local_backend()

    def job_deps(self) -> JobDeps:
        """Deps of a jobs worker, exactly as embedded mode builds them (with
        FACTFORGE_BACKEND=remote its model calls go to the ``inference`` queue)."""
        return self.services.job_deps()

    def close(self) -> None:
        """Release what the services built (the plugin registry owns the sandbox)."""
        self.services.close()


def build_runtime(config: WorkerConfig) -> SettingsRuntime:
    """The default ``FACTFORGE_WORKER_RUNTIME``."""
    settings = Settings()
    if settings.redis_url is None:
        settings = settings.model_copy(update={"redis_url": config.redis_url})
    return SettingsRuntime(settings)
