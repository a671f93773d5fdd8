"""The fact-checker end to end with an in-memory retriever and the built-in judge."""

import pytest

from knowledge.errors import InvalidInputError, KnowledgeError
from plugins.factcheck.checker import FactChecker, FactCheckLimits, document_score
from plugins.factcheck.errors import (
    InvalidRequestError,
    RequestTooLargeError,
    RetrievalError,
    UnknownCollectionError,
)
from plugins.factcheck.types import ClaimCheck


@pytest.fixture(scope="module")
def checker(retriever, builtin_judge):
    return FactChecker(retriever, builtin_judge, top_k=2)


def test_text_is_split_into_claims_with_evidence(checker):
    report = checker.check_text(
        "Python lists are not mutable. How do I sort a list? "
        "The Eiffel Tower is in Paris. Use sorted() for that."
    )
    assert [c.text for c in report.claims] == [
        "Python lists are not mutable.",
        "The Eiffel Tower is in Paris.",
    ]
    lists, tower = report.claims
    assert lists.verdict == "REFUTED"
    assert tower.verdict == "SUPPORTED"
    assert lists.evidence[0].id == "python-1"
    assert tower.evidence[0].id == "paris-1" and tower.evidence[0].source == "geography"
    assert 0 <= tower.evidence[0].score <= 1
    assert report.counts == {"SUPPORTED": 1, "REFUTED": 1, "NOT_ENOUGH_INFO": 0}
    assert report.score is not None and 0.0 < report.score < 1.0
    data = report.to_dict()
    assert data["judge"] == "builtin"
    assert set(data["claims"][0]) == {"text", "verdict", "confidence", "reason", "evidence"}
    assert set(data["claims"][0]["evidence"][0]) == {"id", "source", "text", "score", "span"}


def test_claims_list_and_top_k(checker):
    report = checker.check_claims(["The Moon orbits the Earth about every 27 days."], top_k=1)
    assert len(report.claims[0].evidence) == 1
    assert report.claims[0].verdict == "SUPPORTED"


def test_no_claims_gives_no_score(checker):
    report = checker.check_text("What is a list? Run it.")
    assert report.claims == () and report.score is None


def test_document_score():
    s = ClaimCheck("a", "SUPPORTED", 0.9)
    r = ClaimCheck("b", "REFUTED", 0.9)
    n = ClaimCheck("c", "NOT_ENOUGH_INFO", 0.9)
    assert document_score([]) is None
    assert document_score([n]) == 1.0
    assert document_score([s, r]) == pytest.approx(0.5)
    assert document_score([s, s, r, n]) == pytest.approx(2 / 3)


def test_limits(retriever, builtin_judge):
    small = FactChecker(
        retriever, builtin_judge, limits=FactCheckLimits(max_chars=50, max_claims=2)
    )
    with pytest.raises(RequestTooLargeError):
        small.check_text("Water boils at one hundred degrees. " * 3)
    with pytest.raises(RequestTooLargeError):
        small.check_claims(["a b c", "d e f", "g h i"])
    with pytest.raises(InvalidRequestError):
        small.check_claims(["a b c"], top_k=0)


def test_unknown_collection(checker):
    with pytest.raises(UnknownCollectionError):
        checker.check_claims(["Water boils at 100 C."], collection="nope")


class _Broken:
    def __init__(self, exc):
        self.exc = exc

    def search(self, query, *, top_k=5, collection=None):
        raise self.exc


class _NotFound(KnowledgeError):
    code = "collection_not_found"


def test_retriever_errors_are_converted(builtin_judge):
    with pytest.raises(UnknownCollectionError):
        FactChecker(_Broken(_NotFound("x")), builtin_judge).check_claims(["a b c d"])
    with pytest.raises(InvalidRequestError, match="invalid collection name"):
        FactChecker(
            _Broken(InvalidInputError("invalid collection name 'a'")), builtin_judge
        ).check_claims(["a b c d"])
    with pytest.raises(RetrievalError, match="disk on fire"):
        FactChecker(_Broken(OSError("disk on fire")), builtin_judge).check_claims(["a b c d"])


@pytest.mark.parametrize("name", ["a", "has space", "x..y"])
def test_collection_name_chroma_rejects_is_a_bad_request(tmp_path, embedder, builtin_judge, name):
    """The caller's mistake (HTTP 422, CLI usage error), not a failed search (503)."""
    from knowledge import KnowledgeBase, KnowledgeConfig

    kb = KnowledgeBase(KnowledgeConfig(path=tmp_path / "chroma"), embedder=embedder)
    with pytest.raises(InvalidRequestError, match="invalid collection name"):
        FactChecker(kb, builtin_judge).check_claims(["Water boils at 100 C."], collection=name)
