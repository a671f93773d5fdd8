"""Chroma knowledge base: embeddings, chunking, ingest and hybrid search."""

from knowledge.embeddings import Embedder, resolve_model_path
from knowledge.errors import EmbeddingError, KnowledgeError

__all__ = ["EmbeddingError", "Embedder", "KnowledgeError", "resolve_model_path"]
