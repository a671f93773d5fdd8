"""The one error hierarchy of the ``knowledge`` package."""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base class of every error raised by ``knowledge``."""

    code = "knowledge_error"


class EmbeddingError(KnowledgeError):
    """The embedding model could not be loaded or failed to encode."""

    code = "embedding_failed"
