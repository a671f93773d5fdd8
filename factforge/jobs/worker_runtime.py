"""The composition root of a worker process: Settings -> model backend and job deps.

Named by ``FACTFORGE_WORKER_RUNTIME`` (default ``factforge.jobs.worker_runtime:build_runtime``)
and called once per worker process by :class:`workers.runtime.ProcessRuntime`.

Test hook (never a user-facing default): ``FACTFORGE_TEST_MODEL_FACTORY=module:callable``
makes the worker use ``callable()`` as its model (a scripted stand-in), so that tests run real
worker subprocesses through the real graph without a language model. It is only read here.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from agents import JobDeps
from agents.llm.base import ModelBackend
from factforge.errors import ConfigError
from factforge.settings import Settings
from workers.config import WorkerConfig
from workers.runtime import resolve

log = logging.getLogger(__name__)

TEST_MODEL_FACTORY_ENV = "FACTFORGE_TEST_MODEL_FACTORY"


class SettingsRuntime:
    """Builds the worker's backend and deps from :class:`Settings` (each once)."""

    def __init__(self, settings: Settings, *, test_model_factory: str | None = None) -> None:
        self.settings = settings
        self._test_model_factory = test_model_factory
        self._lock = threading.Lock()
        self._local_backend: ModelBackend | None = None
        self._registry: Any = None

    def _model(self) -> ModelBackend:
        """The model this process holds (loaded once)."""
        from factforge import wiring

        with self._lock:
            if self._local_backend is None:
                if self._test_model_factory:
                    log.warning("test hook %s=%s: using a stand-in model",
                                TEST_MODEL_FACTORY_ENV, self._test_model_factory)
                    self._local_backend = resolve(self._test_model_factory)()
                else:
                    self._local_backend = wiring.build_backend(self.settings)
            return self._local_backend

    def backend(self) -> ModelBackend:
        """The inference worker's model (never the remote backend: that would loop)."""
        if self.settings.backend == "remote" and not self._test_model_factory:
            raise ConfigError(
                "an inference worker needs a local model: set FACTFORGE_BACKEND to "
                "transformers or openai for `-Q inference` workers"
            )
        return self._model()

    def job_deps(self) -> JobDeps:
        """Deps of a jobs worker; with FACTFORGE_BACKEND=remote its model calls go to the
        ``inference`` queue."""
        from factforge import wiring

        if self.settings.backend == "remote":
            backend = wiring.build_backend(self.settings)
        else:
            backend = self._model()
        with self._lock:
            if self._registry is None:
                self._registry = wiring.build_plugin_registry(self.settings)
        return wiring.build_job_deps(self.settings, registry=self._registry, backend=backend)

    def close(self) -> None:
        """Release the plugin registry (it owns the sandbox's fork servers)."""
        with self._lock:
            if self._registry is not None:
                self._registry.close()
                self._registry = None


def build_runtime(config: WorkerConfig) -> SettingsRuntime:
    """The default ``FACTFORGE_WORKER_RUNTIME``."""
    settings = Settings()
    if settings.redis_url is None:
        settings = settings.model_copy(update={"redis_url": config.redis_url})
    return SettingsRuntime(settings, test_model_factory=os.environ.get(TEST_MODEL_FACTORY_ENV))
