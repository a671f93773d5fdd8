"""The one error hierarchy of the ``knowledge`` package.

Errors from chromadb, httpx and the loaders are converted into these where they enter
(:mod:`knowledge._chroma`), so callers only ever catch :class:`KnowledgeError`.
"""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base class of every error raised by ``knowledge``."""

    code = "knowledge_error"


class EmbeddingError(KnowledgeError):
    """The embedding model could not be loaded or failed to encode."""

    code = "embedding_failed"


class KnowledgeConfigError(KnowledgeError):
    """The knowledge-base configuration is invalid (path/url, chunk sizes, ...)."""

    code = "knowledge_config_invalid"


class InvalidInputError(KnowledgeError):
    """A caller passed something unusable: an empty query, a bad collection name, ..."""

    code = "invalid_input"


class LoaderError(InvalidInputError):
    """A file or package could not be read into documents."""

    code = "load_failed"


class CollectionNotFound(KnowledgeError):
    """The named collection does not exist."""

    code = "collection_not_found"

    def __init__(self, collection: str) -> None:
        super().__init__(f"collection {collection!r} does not exist")
        self.collection = collection


class StoreError(KnowledgeError):
    """Chroma failed or could not be reached."""

    code = "store_failed"
