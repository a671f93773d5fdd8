"""Lazily built, shared services of one process, from Settings: the one composition root.

The API server, the CLI, embedded jobs and every Celery worker (jobs and inference, through
:mod:`factforge.jobs.worker_runtime`) get their model, knowledge base, plugin registry (with
the fact-check verifier), judges and job deps from this class, so a job has the same
verifiers, experts, judges and knowledge base wherever it runs."""

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

    def embedder(self):
        """One cached MiniLM shared by the router, the knowledge base and the judge."""
        from factforge.wiring import build_embedder
        from knowledge import CachedEmbedder

        return self._get("embedder", lambda: CachedEmbedder(build_embedder(self.settings)))

    def local_backend(self):
        """The model this process holds (an inference worker's; never the remote backend)."""
        from factforge.wiring import build_local_backend

        return self._get("local_backend", lambda: build_local_backend(self.settings))

    def backend(self):
        """The job's model: the remote backend (``inference`` queue) or the local model."""
        from factforge.wiring import build_backend

        def build():
            if self.settings.backend == "remote":
                return build_backend(self.settings)
            return self.local_backend()

        return self._get("backend", build)

    def knowledge_base(self):
        from factforge.wiring import build_knowledge_base

        return self._get(
            "knowledge_base", lambda: build_knowledge_base(self.settings, self.embedder())
        )

    def plugin_registry(self):
        from factforge.wiring import build_plugin_registry

        return self._get(
            "plugin_registry",
            lambda: build_plugin_registry(self.settings, self.factcheck_verifier),
        )

    def fact_checker(self, judge: str | None = None):
        """The fact checker with ``judge`` (default: FACTFORGE_FACTCHECK_JUDGE)."""
        from factforge.wiring import build_fact_checker, build_judge

        name = judge or self.settings.factcheck_judge

        def build():
            judge_impl = build_judge(
                self.settings, name, registry=self.plugin_registry(),
                encoder=self.embedder(), backend=self.backend,
            )
            return build_fact_checker(self.settings, self.knowledge_base(), judge_impl)

        return self._get(f"fact_checker:{name}", build)

    def factcheck_verifier(self):
        """The job verifier that fact-checks explanations, docstrings and comments."""
        from knowledge import CollectionNotFound
        from plugins.factcheck import FactCheckVerifier

        collection = self.settings.factcheck_collection

        def kb_size() -> int:
            try:
                return self.knowledge_base().stats(collection).count
            except CollectionNotFound:
                return 0

        return FactCheckVerifier(
            self.fact_checker(),
            collection=collection,
            fail_confidence=self.settings.factcheck_fail_confidence,
            kb_size=kb_size,
        )

    def job_deps(self):
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

    def job_queue(self):
        """Embedded thread pool, or Celery + Redis when FACTFORGE_REDIS_URL is set."""
        from factforge.jobs import build_job_queue

        return self._get("job_queue", lambda: build_job_queue(self.settings, self.job_deps))

    def close(self) -> None:
        """Release what needs releasing (thread pools, connections)."""
        with self._lock:
            closed: set[int] = set()
            for value in self._cache.values():
                closer = getattr(value, "close", None)
                if callable(closer) and id(value) not in closed:
                    closed.add(id(value))
                    closer()
            self._cache.clear()
