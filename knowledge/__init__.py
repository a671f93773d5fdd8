"""Chroma knowledge base: embeddings, chunking, ingest and hybrid search.

chromadb is imported only when :class:`KnowledgeBase` (or its report types) is first used,
so importing ``knowledge.embeddings`` or the error types stays cheap.
"""

from typing import TYPE_CHECKING, Any

from knowledge.config import KnowledgeConfig
from knowledge.documents import Document
from knowledge.embedcache import CachedEmbedder
from knowledge.embeddings import Embedder, quiet_hf_progress, resolve_model_path
from knowledge.errors import (
    CollectionNotFound,
    EmbeddingError,
    InvalidInputError,
    KnowledgeConfigError,
    KnowledgeError,
    LoaderError,
    StoreError,
)
from knowledge.types import Retriever, SearchHit

if TYPE_CHECKING:
    from knowledge.base import CollectionStats, IngestReport, KnowledgeBase

__all__ = [
    "CachedEmbedder",
    "CollectionNotFound",
    "CollectionStats",
    "Document",
    "Embedder",
    "EmbeddingError",
    "IngestReport",
    "InvalidInputError",
    "KnowledgeBase",
    "KnowledgeConfig",
    "KnowledgeConfigError",
    "KnowledgeError",
    "LoaderError",
    "Retriever",
    "SearchHit",
    "StoreError",
    "quiet_hf_progress",
    "resolve_model_path",
]

_LAZY = frozenset({"CollectionStats", "IngestReport", "KnowledgeBase"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from knowledge import base

        return getattr(base, name)
    raise AttributeError(f"module 'knowledge' has no attribute {name!r}")
