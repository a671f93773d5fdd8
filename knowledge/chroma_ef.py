"""Chroma ``EmbeddingFunction`` adapter over :class:`knowledge.embeddings.Embedder`.

Every collection we create or open is given this function, so Chroma never falls back to
its default (which downloads an ONNX model). It is registered under :data:`EF_NAME` so a
collection's persisted configuration can be rebuilt offline.
"""

from __future__ import annotations

from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from knowledge.embeddings import Embedder

__all__ = ["EF_NAME", "EmbedderFunction"]

EF_NAME = "factforge-sentence-transformers"


@register_embedding_function
class EmbedderFunction(EmbeddingFunction[Documents]):
    """Embeds documents with a (shared) :class:`Embedder`; cosine space."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return EF_NAME

    def get_config(self) -> dict[str, Any]:
        return {"model": self.embedder.model_name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> EmbedderFunction:
        return EmbedderFunction(Embedder(str(config.get("model", "all-MiniLM-L6-v2"))))

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]
