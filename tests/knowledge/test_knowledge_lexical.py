from __future__ import annotations

import pytest

from knowledge.lexical import Bm25Index, reciprocal_rank_fusion, stem, tokenize


def test_tokenize_drops_stopwords_stems_and_splits_identifiers() -> None:
    assert tokenize("The json.dumps call raises ERR_QUOTA_4471!") == [
        "json", "dump", "call", "rais", "err_quota_4471", "err", "quota", "4471",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("words", "same"),
    [
        (["process", "processes"], True),
        (["terminate", "terminates", "terminated"], True),
        (["query", "queries"], True),
        (["class", "classes"], True),
        (["bus", "analysis"], False),
        (["x86", "py3"], False),
    ],
)
def test_light_stemmer_conflates_inflections(words: list[str], same: bool) -> None:
    assert (len({stem(w) for w in words}) == 1) is same


def test_bm25_ranks_the_document_with_the_rare_term_first() -> None:
    index = Bm25Index.build(
        ["a", "b", "c"],
        ["cats sit on mats", "dogs bark at cats", "quota exceeded error ERR_QUOTA_4471"],
    )
    assert [index.ids[i] for i, _ in index.top("ERR_QUOTA_4471", 3)] == ["c"]
    ranked = [index.ids[i] for i, _ in index.top("dogs and cats", 3)]
    assert ranked == ["b", "a"]
    assert index.top("unrelated words", 3) == []
    assert index.top("the of and", 3) == []


def test_rrf_normalises_to_unit_interval() -> None:
    fused = reciprocal_rank_fusion([["x", "y", "z"], ["y", "x"]])
    # x and y tie (ranks 1+2 each); ties break by id, deterministically
    assert [d for d, _ in fused] == ["x", "y", "z"]
    assert fused[0][1] == fused[1][1] < 1.0
    top = reciprocal_rank_fusion([["x", "y"], ["x"]])
    assert top[0] == ("x", 1.0)
    assert top[1][0] == "y" and 0 < top[1][1] < 0.5
    assert reciprocal_rank_fusion([]) == []
