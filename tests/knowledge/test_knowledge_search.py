from __future__ import annotations

import pytest

from knowledge.search import Passage, fuse_hits


def _p(text: str, similarity: float) -> Passage:
    return Passage(text, {"source": f"{text}.md", "title": text}, similarity)


def test_fusion_prefers_agreement_and_fetches_lexical_only_passages() -> None:
    fetched: list[list[str]] = []

    def fetch(ids: list[str]) -> dict[str, Passage]:
        fetched.append(ids)
        return {cid: _p(cid, 0.1) for cid in ids}

    hits = fuse_hits(
        collection="c",
        dense=[("a", _p("a", 0.9)), ("b", _p("b", 0.7)), ("c", _p("c", 1.3))],
        lexical=[("b", 12.0), ("z", 3.0)],
        fetch=fetch,
        top_k=3,
    )
    assert [h.id for h in hits] == ["b", "a", "z"]  # b: ranks 2+1 beats a: rank 1 alone
    assert fetched == [["z"]]
    b, a, z = hits
    assert b.metadata["dense_rank"] == 2 and b.metadata["bm25_rank"] == 1
    assert b.metadata["bm25"] == 12.0 and b.metadata["collection"] == "c"
    assert a.metadata["bm25_rank"] is None and a.score == pytest.approx(0.5)
    assert z.source == "z.md" and z.metadata["similarity"] == pytest.approx(0.1)
    assert all(0 <= h.score <= 1 for h in hits)


def test_single_ranking_and_clamped_similarity() -> None:
    hits = fuse_hits(
        collection="c",
        dense=[("c", _p("c", 1.3)), ("d", _p("d", -0.2))],
        lexical=[],
        fetch=lambda ids: {},
        top_k=5,
    )
    assert (hits[0].id, hits[0].score) == ("c", 1.0)
    assert [h.metadata["similarity"] for h in hits] == [1.0, 0.0]


def test_passages_that_vanished_are_dropped() -> None:
    hits = fuse_hits(
        collection="c", dense=[], lexical=[("gone", 1.0)], fetch=lambda ids: {}, top_k=3
    )
    assert hits == []
