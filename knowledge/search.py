"""Turn dense and lexical rankings into fused :class:`SearchHit` s (plain functions)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from knowledge.lexical import reciprocal_rank_fusion
from knowledge.types import SearchHit

__all__ = ["Mode", "Passage", "fuse_hits"]

Mode = Literal["hybrid", "dense", "lexical"]
"""Which retrievers a search fuses: both (default), or one alone (for comparison)."""


@dataclass(frozen=True, slots=True)
class Passage:
    """A stored chunk and its cosine similarity to the query."""

    text: str
    metadata: dict[str, Any]
    similarity: float


def fuse_hits(
    *,
    collection: str,
    dense: Sequence[tuple[str, Passage]],
    lexical: Sequence[tuple[str, float]],
    fetch: Callable[[list[str]], dict[str, Passage]],
    top_k: int,
    rrf_k: int = 60,
) -> list[SearchHit]:
    """Fuse the rankings by RRF and build the best ``top_k`` hits.

    ``dense`` is ranked (id, passage) pairs; ``lexical`` ranked (id, bm25 score) pairs, whose
    passages ``fetch`` supplies when the dense ranking did not. An empty ranking takes no
    part in the fusion, so a single retriever's first hit scores 1.0.
    """
    passages = dict(dense)
    rankings = [[cid for cid, _ in ranking] for ranking in (dense, lexical) if ranking]
    fused = reciprocal_rank_fusion(rankings, k=rrf_k)[:top_k]
    missing = [cid for cid, _ in fused if cid not in passages]
    if missing:
        passages.update(fetch(missing))
    dense_rank = {cid: rank for rank, (cid, _) in enumerate(dense, start=1)}
    bm25_rank = {cid: rank for rank, (cid, _) in enumerate(lexical, start=1)}
    bm25 = dict(lexical)
    hits: list[SearchHit] = []
    for cid, score in fused:
        passage = passages.get(cid)
        if passage is None:  # deleted since the BM25 index was built
            continue
        meta = dict(passage.metadata)
        meta.update(
            collection=collection,
            similarity=max(0.0, min(1.0, passage.similarity)),
            bm25=bm25.get(cid, 0.0),
            dense_rank=dense_rank.get(cid),
            bm25_rank=bm25_rank.get(cid),
        )
        hits.append(SearchHit(cid, str(meta.get("source", "")), passage.text, score, meta))
    return hits
