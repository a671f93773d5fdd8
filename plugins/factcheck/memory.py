"""A small in-memory :class:`knowledge.types.Retriever` (numpy cosine over embeddings).

For tests, benchmarks and tiny corpora; production wiring uses the Chroma knowledge base.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.embedcache import TextEncoder
from knowledge.types import SearchHit
from plugins.factcheck.errors import UnknownCollectionError

__all__ = ["InMemoryRetriever", "Passage"]


@dataclass(frozen=True, slots=True)
class Passage:
    id: str
    text: str
    source: str = ""


class InMemoryRetriever:
    """Cosine search over passages grouped in named collections (default ``"default"``)."""

    def __init__(self, encoder: TextEncoder, *, default_collection: str = "default") -> None:
        self.encoder = encoder
        self.default_collection = default_collection
        self._passages: dict[str, list[Passage]] = {}
        self._vectors: dict[str, np.ndarray] = {}

    def add(self, passages: Iterable[Passage], *, collection: str | None = None) -> int:
        """Index passages; returns how many were added."""
        name = collection or self.default_collection
        new = [p for p in passages if p.text.strip()]
        if not new:
            self._passages.setdefault(name, [])
            return 0
        vecs = np.asarray(self.encoder.embed([p.text for p in new]), dtype=np.float32)
        self._passages.setdefault(name, []).extend(new)
        old = self._vectors.get(name)
        self._vectors[name] = vecs if old is None else np.concatenate([old, vecs])
        return len(new)

    def count(self, collection: str | None = None) -> int:
        return len(self._passages.get(collection or self.default_collection, ()))

    def search_many(
        self, queries: Sequence[str], *, top_k: int = 5, collection: str | None = None
    ) -> list[list[SearchHit]]:
        name = collection or self.default_collection
        if name not in self._passages:
            raise UnknownCollectionError(f"no collection named {name!r}")
        passages = self._passages[name]
        if not passages or not queries:
            return [[] for _ in queries]
        q = np.asarray(self.encoder.embed(list(queries)), dtype=np.float32)
        sims = q @ self._vectors[name].T
        k = min(top_k, len(passages))
        out: list[list[SearchHit]] = []
        for row in sims:
            idx = np.argpartition(-row, k - 1)[:k]
            idx = idx[np.argsort(-row[idx])]
            out.append(
                [
                    SearchHit(
                        passages[i].id,
                        passages[i].source,
                        passages[i].text,
                        float(np.clip((row[i] + 1) / 2, 0.0, 1.0)),
                    )
                    for i in idx
                ]
            )
        return out

    def search(
        self, query: str, *, top_k: int = 5, collection: str | None = None
    ) -> list[SearchHit]:
        return self.search_many([query], top_k=top_k, collection=collection)[0]
