"""Checking against documents given with a request: in-memory hybrid search and its errors."""

from __future__ import annotations

import pytest

from plugins.factcheck.checker import FactChecker, FactCheckLimits
from plugins.factcheck.documents import ContextDocument, DocumentRetriever, validate_documents
from plugins.factcheck.errors import FactCheckError, InvalidRequestError, RequestTooLargeError

DOCS = [
    ContextDocument("Harbor is a web server written in Rust. It does not support HTTP/3.", "a"),
    ContextDocument("The heapq module implements a min-heap.", ""),
]


def test_documents_are_searched_in_memory(embedder):
    retriever = DocumentRetriever(
        validate_documents(DOCS, max_documents=5, max_chars=1000), embedder
    )
    hits = retriever.search("Which heap does heapq implement?", top_k=2)
    assert hits[0].source == "document 2" and "min-heap" in hits[0].text
    assert 0 < hits[0].score <= 1 and len(hits) == 2
    assert all(h.metadata["title"] == "" for h in hits)  # no Markdown heading in either


def test_hits_carry_their_documents_markdown_title(embedder):
    docs = [ContextDocument("# Nimbra H6 router\n\nThe router has four LAN ports.", "r.md")]
    hits = DocumentRetriever(docs, embedder).search("How many LAN ports?", top_k=1)
    assert hits[0].metadata["title"] == "Nimbra H6 router"


@pytest.mark.parametrize(
    ("docs", "error", "message"),
    [
        ([], InvalidRequestError, "at least one"),
        ([ContextDocument("  ")], InvalidRequestError, r"documents\[0\].text is empty"),
        ([ContextDocument("x")] * 3, RequestTooLargeError, "at most 2 documents"),
        ([ContextDocument("x" * 60)], RequestTooLargeError, "longer than 50"),
    ],
)
def test_bad_documents_are_clear_errors(docs, error, message):
    with pytest.raises(error, match=message):
        validate_documents(docs, max_documents=2, max_chars=50)


def test_checker_uses_documents_and_stores_nothing(retriever, builtin_judge, embedder):
    checker = FactChecker(retriever, builtin_judge, encoder=embedder)
    before = retriever.count()
    report = checker.check_claims(["Harbor is written in Rust."], documents=DOCS)
    evidence = report.claims[0].evidence
    assert evidence and evidence[0].source == "a"
    start, end = evidence[0].span
    chunk = DOCS[0].text  # one chunk: the whole short document
    assert chunk[start:end] == evidence[0].text
    assert retriever.count() == before


def test_documents_and_collection_together_are_refused(retriever, builtin_judge, embedder):
    checker = FactChecker(retriever, builtin_judge, encoder=embedder)
    with pytest.raises(InvalidRequestError, match="not both"):
        checker.check_claims(["x is y."], documents=DOCS, collection="default")


def test_document_limits_follow_the_checker_limits(retriever, builtin_judge, embedder):
    checker = FactChecker(
        retriever, builtin_judge, encoder=embedder, limits=FactCheckLimits(max_documents=1)
    )
    with pytest.raises(RequestTooLargeError):
        checker.check_text("Harbor is written in Rust.", documents=DOCS)


def test_without_an_encoder_documents_fail_clearly(builtin_judge):
    class Bare:
        def search(self, query, *, top_k=5, collection=None):
            return []

    with pytest.raises(FactCheckError, match="no encoder"):
        FactChecker(Bare(), builtin_judge).check_claims(["x is y."], documents=DOCS)
