"""Lazily built, shared services of one process (API server or CLI), from Settings."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from factforge.settings import Settings

T = TypeVar("T")


class Services:
    """Builds each part on first use and keeps it; safe to share between threads."""

    def __init__(self, settings: Settings | None = None, **prebuilt: Any) -> None:
        self.settings = settings or Settings()
        self._cache: dict[str, Any] = dict(prebuilt)
        self._lock = threading.RLock()

    def _get(self, name: str, build: Callable[[], T]) -> T:
        with self._lock:
            if name not in self._cache:
                self._cache[name] = build()
            return self._cache[name]

    def embedder(self):  # noqa: ANN201
        from factforge.wiring import build_embedder

        return self._get("embedder", lambda: build_embedder(self.settings))

    def backend(self):  # noqa: ANN201
        from factforge.wiring import build_backend

        return self._get("backend", lambda: build_backend(self.settings))

    def plugin_registry(self):  # noqa: ANN201
        from factforge.wiring import build_plugin_registry

        return self._get("plugin_registry", lambda: build_plugin_registry(self.settings))

    def job_deps(self):  # noqa: ANN201
        from factforge.wiring import build_job_deps

        return self._get(
            "job_deps",
            lambda: build_job_deps(
                self.settings,
                registry=self.plugin_registry(),
                backend=self.backend(),
                embedder=self.embedder(),
            ),
        )

    def close(self) -> None:
        """Release what needs releasing (thread pools, connections)."""
        with self._lock:
            for value in self._cache.values():
                closer = getattr(value, "close", None)
                if callable(closer):
                    closer()
            self._cache.clear()
