"""Choosing a model backend by name."""

from __future__ import annotations

from agents.errors import AgentsError
from agents.llm.base import ModelBackend, ModelSpec

BACKEND_KINDS = ("transformers", "openai")


def load_backend(kind: str, spec: ModelSpec) -> ModelBackend:
    """Build the backend named ``kind`` ("transformers" or "openai") for ``spec``.

    The transformers backend loads its weights lazily, on the first ``generate`` (call its
    ``load()`` to load eagerly). The "remote" backend (model calls sent to Celery inference
    workers) lives in ``workers`` and is built there.
    """
    name = kind.strip().lower()
    if name == "transformers":
        from agents.llm.transformers_backend import TransformersBackend

        return TransformersBackend(spec)
    if name == "openai":
        from agents.llm.openai_backend import OpenAIBackend

        return OpenAIBackend(spec)
    hint = " ('remote' is built by workers, not agents)" if name == "remote" else ""
    raise AgentsError(
        f"Unknown model backend {kind!r}{hint}; choose one of: {', '.join(BACKEND_KINDS)}."
    )
