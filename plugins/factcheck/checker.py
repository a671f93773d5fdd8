"""The fact-checker: claims -> retrieval (chunks) -> evidence sentences -> judge -> verdicts.

Claims are checked against a knowledge-base collection or against documents given with the
request (searched in memory, nothing stored); either way each claim's top chunks are narrowed
to the sentences (or neighbour pairs) that bear on it (:mod:`plugins.factcheck.evidence`), and
the judge reads those.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.embedcache import TextEncoder
from knowledge.types import Retriever, SearchHit
from plugins.factcheck.claims import Claim, extract_claims
from plugins.factcheck.documents import ContextDocument, DocumentRetriever, validate_documents
from plugins.factcheck.errors import (
    FactCheckError,
    InvalidRequestError,
    RequestTooLargeError,
    RetrievalError,
    UnknownCollectionError,
)
from plugins.factcheck.evidence import select_evidence
from plugins.factcheck.judge import Judge
from plugins.factcheck.slots import apply_slot_rules
from plugins.factcheck.types import ClaimCheck, EvidenceItem, FactCheckReport, Judgement

__all__ = ["FactCheckLimits", "FactChecker", "document_score"]

log = logging.getLogger(__name__)

_MISSING_COLLECTION_CODES = frozenset({"collection_not_found", "unknown_collection"})
_INVALID_INPUT_CODES = frozenset({"invalid_input"})  # knowledge.errors.InvalidInputError


@dataclass(frozen=True, slots=True)
class FactCheckLimits:
    """Bounds on one request (the API turns violations into 413 / 422)."""

    max_chars: int = 100_000
    max_claims: int = 200
    max_top_k: int = 50
    max_documents: int = 100


def document_score(checks: Sequence[ClaimCheck]) -> float | None:
    """Confidence-weighted share of decided claims that are SUPPORTED; None without claims."""
    if not checks:
        return None
    decided = [c for c in checks if c.verdict != "NOT_ENOUGH_INFO"]
    weight = sum(c.confidence for c in decided)
    if not decided or weight == 0:
        return 1.0
    good = sum(c.confidence for c in decided if c.verdict == "SUPPORTED")
    return good / weight


def _retrieval_error(exc: Exception, collection: str | None) -> FactCheckError:
    code = getattr(exc, "code", "")
    name = type(exc).__name__.lower()
    if code in _MISSING_COLLECTION_CODES or ("collection" in name and "notfound" in name):
        return UnknownCollectionError(f"no knowledge-base collection named {collection!r}")
    if code in _INVALID_INPUT_CODES:  # e.g. a collection name Chroma rejects: the caller's fault
        return InvalidRequestError(str(exc))
    return RetrievalError(f"knowledge-base search failed: {exc}")


class FactChecker:
    """Checks claims against a :class:`knowledge.types.Retriever` with a :class:`Judge`.

    ``top_k`` chunks are retrieved per claim and ``evidence_windows`` sentences (or neighbour
    pairs) of them are judged. With ``slot_check`` a claim whose number or name conflicts with
    the same slot of an evidence sentence is REFUTED whatever the judge said, and one that
    restates a yes/no question of the evidence is settled by its answer, one it states word for
    word SUPPORTED
    (:mod:`plugins.factcheck.slots`). ``encoder`` (an ``embed(texts)`` object, normally the knowledge
    base's MiniLM) embeds documents given with a request; without it such requests fail.
    """

    def __init__(
        self,
        retriever: Retriever,
        judge: Judge,
        *,
        top_k: int = 3,
        evidence_windows: int = 3,
        encoder: TextEncoder | None = None,
        limits: FactCheckLimits | None = None,
        slot_check: bool = True,
    ) -> None:
        self.retriever = retriever
        self.judge = judge
        self.top_k = top_k
        self.evidence_windows = evidence_windows
        self.encoder = encoder
        self.limits = limits or FactCheckLimits()
        self.slot_check = slot_check

    def _context(
        self, documents: Sequence[ContextDocument] | None, collection: str | None
    ) -> Retriever:
        """The retriever of one request: the knowledge base, or its own documents."""
        if documents is None:
            return self.retriever
        if collection is not None:
            raise InvalidRequestError("give either documents or a collection, not both")
        docs = validate_documents(
            documents, max_documents=self.limits.max_documents, max_chars=self.limits.max_chars
        )
        encoder = self.encoder
        if encoder is None:  # not `or`: an empty embedding cache is falsy
            encoder = getattr(self.retriever, "embedder", None)
        if encoder is None:
            raise FactCheckError("this fact-checker has no encoder for request documents")
        try:
            return DocumentRetriever(docs, encoder)
        except FactCheckError:
            raise
        except Exception as exc:
            raise RetrievalError(f"indexing the request's documents failed: {exc}") from exc

    def _search(
        self, retriever: Retriever, claims: Sequence[str], top_k: int, collection: str | None
    ) -> list[list[SearchHit]]:
        try:
            many = getattr(retriever, "search_many", None)
            if callable(many):
                return list(many(list(claims), top_k=top_k, collection=collection))
            return [retriever.search(c, top_k=top_k, collection=collection) for c in claims]
        except FactCheckError:
            raise
        except Exception as exc:
            raise _retrieval_error(exc, collection) from exc

    def check_claims(
        self,
        claims: Sequence[str | Claim],
        *,
        top_k: int | None = None,
        collection: str | None = None,
        documents: Sequence[ContextDocument] | None = None,
    ) -> FactCheckReport:
        """Judge each claim, as given, against the evidence sentences of its top-k chunks (of
        the knowledge base, or of ``documents`` when given)."""
        k = self.top_k if top_k is None else top_k
        if not 1 <= k <= self.limits.max_top_k:
            raise InvalidRequestError(f"top_k must be within 1..{self.limits.max_top_k}")
        texts = [c.text if isinstance(c, Claim) else str(c) for c in claims]
        texts = [t.strip() for t in texts if t and t.strip()]
        if len(texts) > self.limits.max_claims:
            raise RequestTooLargeError(f"at most {self.limits.max_claims} claims per request")
        start = time.perf_counter()
        retriever = self._context(documents, collection)
        hits = self._search(retriever, texts, k, collection) if texts else []
        windows = [
            [w.as_hit() for w in select_evidence(t, found, max_windows=self.evidence_windows)]
            for t, found in zip(texts, hits, strict=True)
        ]
        judgements: list[Judgement] = self.judge.judge_many(texts, windows) if texts else []
        if self.slot_check:
            judgements = [
                apply_slot_rules(
                    t, [h.text for h in found], j, titles=[h.metadata.get("title") for h in found]
                )
                for t, found, j in zip(texts, windows, judgements, strict=True)
            ]
        checks = tuple(
            ClaimCheck(
                text,
                j.label,
                j.confidence,
                tuple(
                    EvidenceItem(
                        h.id, h.source, h.text, round(float(h.score), 4), h.metadata.get("span")
                    )
                    for h in found
                ),
                j.reason,
            )
            for text, found, j in zip(texts, windows, judgements, strict=True)
        )
        counts = {
            label: sum(c.verdict == label for c in checks)
            for label in ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")
        }
        log.info(
            "factcheck claims=%d judge=%s counts=%s ms=%.1f",
            len(checks),
            self.judge.name,
            counts,
            1000 * (time.perf_counter() - start),
        )
        return FactCheckReport(checks, document_score(checks), self.judge.name, counts)

    def check_text(
        self,
        text: str,
        *,
        top_k: int | None = None,
        collection: str | None = None,
        documents: Sequence[ContextDocument] | None = None,
    ) -> FactCheckReport:
        """Extract the claims of ``text`` and check them."""
        if len(text) > self.limits.max_chars:
            raise RequestTooLargeError(f"text longer than {self.limits.max_chars} characters")
        claims = extract_claims(text)[: self.limits.max_claims]
        return self.check_claims(claims, top_k=top_k, collection=collection, documents=documents)
