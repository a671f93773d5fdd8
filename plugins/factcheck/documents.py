"""Check against given context: documents passed with one request, searched in memory.

The hallucination-check use ("is this answer supported by these documents?"): the documents are
chunked as the knowledge base chunks them, embedded with the same encoder and searched with the
same hybrid ranking (dense cosine and BM25, fused by reciprocal rank), for that request only.
Nothing is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.chunking import chunk_id, chunk_text, markdown_title
from knowledge.embedcache import TextEncoder
from knowledge.lexical import Bm25Index, reciprocal_rank_fusion
from knowledge.types import SearchHit
from plugins.factcheck.errors import InvalidRequestError, RequestTooLargeError

__all__ = ["ContextDocument", "DocumentRetriever", "validate_documents"]

_POOL = 20  # candidates per retriever before fusion


@dataclass(frozen=True, slots=True)
class ContextDocument:
    text: str
    source: str = ""


def validate_documents(
    documents: Sequence[ContextDocument], *, max_documents: int, max_chars: int
) -> list[ContextDocument]:
    """Documents with a source each (``document N`` when none was given); 422 / 413 errors."""
    if not documents:
        raise InvalidRequestError("documents must hold at least one document")
    if len(documents) > max_documents:
        raise RequestTooLargeError(f"at most {max_documents} documents per request")
    total = 0
    out = []
    for i, doc in enumerate(documents):
        if not isinstance(doc.text, str) or not doc.text.strip():
            raise InvalidRequestError(f"documents[{i}].text is empty")
        total += len(doc.text)
        out.append(ContextDocument(doc.text, (doc.source or "").strip() or f"document {i + 1}"))
    if total > max_chars:
        raise RequestTooLargeError(f"documents longer than {max_chars} characters in all")
    return out


class DocumentRetriever:
    """Hybrid search over ``documents`` (a :class:`knowledge.types.Retriever`)."""

    def __init__(self, documents: Sequence[ContextDocument], encoder: TextEncoder) -> None:
        self.encoder = encoder
        self.ids: list[str] = []
        self.sources: list[str] = []
        self.texts: list[str] = []
        self.titles: list[str] = []  # each chunk's document title (its first Markdown heading)
        seen: set[str] = set()
        for doc in documents:
            title = markdown_title(doc.text)
            for piece in chunk_text(doc.text):
                cid = chunk_id("request", doc.source, piece)
                if cid not in seen:  # the same chunk twice adds nothing
                    seen.add(cid)
                    self.ids.append(cid)
                    self.sources.append(doc.source)
                    self.texts.append(piece)
                    self.titles.append(title)
        self.vectors = np.asarray(encoder.embed(self.texts), dtype=np.float32)
        self.bm25 = Bm25Index.build(self.ids, self.texts)

    def search_many(
        self, queries: Sequence[str], *, top_k: int = 5, collection: str | None = None
    ) -> list[list[SearchHit]]:
        if not queries:
            return []
        q = np.asarray(self.encoder.embed(list(queries)), dtype=np.float32)
        sims = q @ self.vectors.T
        pool = min(len(self.ids), max(_POOL, top_k))
        position = {cid: i for i, cid in enumerate(self.ids)}
        out = []
        for query, row in zip(queries, sims, strict=True):
            dense = [self.ids[i] for i in np.argsort(-row, kind="stable")[:pool]]
            lexical = [self.ids[i] for i, _ in self.bm25.top(query, pool)]
            fused = reciprocal_rank_fusion([dense, lexical])[:top_k]
            out.append(
                [
                    SearchHit(
                        cid,
                        self.sources[position[cid]],
                        self.texts[position[cid]],
                        score,
                        {
                            "similarity": float(row[position[cid]]),
                            "title": self.titles[position[cid]],
                        },
                    )
                    for cid, score in fused
                ]
            )
        return out

    def search(
        self, query: str, *, top_k: int = 5, collection: str | None = None
    ) -> list[SearchHit]:
        return self.search_many([query], top_k=top_k, collection=collection)[0]
