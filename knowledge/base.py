"""The knowledge base: ingest documents into Chroma, delete, stats and hybrid search."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from knowledge._chroma import check_collection_name, chroma_errors, make_client
from knowledge.chroma_ef import EmbedderFunction
from knowledge.config import KnowledgeConfig
from knowledge.documents import Document, chunk_documents
from knowledge.embeddings import Embedder
from knowledge.errors import InvalidInputError
from knowledge.lexical import Bm25Index
from knowledge.loaders import load_paths
from knowledge.pydocs import load_package_docs
from knowledge.search import Mode, Passage, fuse_hits
from knowledge.types import SearchHit

__all__ = ["CollectionStats", "IngestReport", "KnowledgeBase"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""``progress(done_chunks, total_chunks)``, called after each stored batch."""

_PAGE = 1000


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one ingest did. Re-ingesting the same content reports ``added == 0``."""

    collection: str
    documents: int
    chunks: int
    added: int
    skipped: int


@dataclass(frozen=True, slots=True)
class CollectionStats:
    """Size of a collection and its chunks per source."""

    name: str
    count: int
    sources: dict[str, int] = field(default_factory=dict)


class KnowledgeBase:
    """Chroma-backed knowledge base. Implements :class:`knowledge.types.Retriever`.

    Thread-safe for concurrent searches. The embedded client is not process-safe: run a
    Chroma server (``config.url``) when several processes share one knowledge base.
    """

    def __init__(self, config: KnowledgeConfig, *, embedder: Embedder | None = None) -> None:
        self.config = config
        self.embedder = embedder or Embedder(config.embedding_model)
        self._ef = EmbedderFunction(self.embedder)
        self._client = make_client(config)
        self._bm25: dict[str, tuple[int, Bm25Index]] = {}
        self._lock = threading.Lock()

    # ---- collections -------------------------------------------------------------------
    def _name(self, collection: str | None) -> str:
        return check_collection_name(collection or self.config.default_collection)

    def _collection(self, name: str, *, create: bool = False) -> Any:
        with chroma_errors(name, "open collection"):
            if create:
                return self._client.get_or_create_collection(name, embedding_function=self._ef)
            return self._client.get_collection(name, embedding_function=self._ef)

    def list_collections(self) -> list[str]:
        """Names of all collections, sorted."""
        with chroma_errors(where="list collections"):
            return sorted(c.name for c in self._client.list_collections())

    def delete_collection(self, collection: str) -> None:
        """Drop a whole collection."""
        name = self._name(collection)
        with chroma_errors(name, "delete collection"):
            self._client.delete_collection(name)
        self._invalidate(name)

    def stats(self, collection: str | None = None) -> CollectionStats:
        """Chunk count and chunks per source of one collection."""
        name = self._name(collection)
        col = self._collection(name)
        sources: dict[str, int] = {}
        for _ids, _texts, metas in self._pages(col, name, documents=False):
            for meta in metas:
                source = str((meta or {}).get("source", ""))
                sources[source] = sources.get(source, 0) + 1
        return CollectionStats(name, sum(sources.values()), dict(sorted(sources.items())))

    def delete_source(self, source: str, *, collection: str | None = None) -> int:
        """Delete every chunk whose source is ``source``; return how many were deleted."""
        name = self._name(collection)
        col = self._collection(name)
        with chroma_errors(name, "delete"):
            ids = col.get(where={"source": source}, include=[])["ids"]
            if ids:
                col.delete(ids=ids)
        self._invalidate(name)
        log.info("kb: deleted %d chunks of %s from %s", len(ids), source, name)
        return len(ids)

    # ---- ingest ------------------------------------------------------------------------
    def ingest(
        self,
        documents: Iterable[Document],
        *,
        collection: str | None = None,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Chunk, embed (in batches) and store ``documents``; chunks already stored are skipped."""
        name = self._name(collection)
        n_docs, chunks = chunk_documents(
            name, documents, size=self.config.chunk_size, overlap=self.config.chunk_overlap
        )
        col = self._collection(name, create=True)
        added = 0
        batch = self.config.batch_size
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            with chroma_errors(name, "ingest"):
                existing = set(col.get(ids=[c.id for c in part], include=[])["ids"])
            new = [c for c in part if c.id not in existing]
            if new:
                vectors = self.embedder.embed([c.text for c in new])
                with chroma_errors(name, "ingest"):
                    col.upsert(  # upsert: a concurrent ingest of the same chunk is harmless
                        ids=[c.id for c in new],
                        documents=[c.text for c in new],
                        metadatas=[c.metadata for c in new],
                        embeddings=vectors,
                    )
                added += len(new)
            if progress is not None:
                progress(min(start + batch, len(chunks)), len(chunks))
        if added:
            self._invalidate(name)
        report = IngestReport(name, n_docs, len(chunks), added, len(chunks) - added)
        log.info("kb: ingest %s", report)
        return report

    def ingest_paths(
        self,
        paths: Sequence[Path],
        *,
        collection: str | None = None,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Ingest .txt/.md/.rst/.html/.jsonl files (directories recursively)."""
        return self.ingest(load_paths(paths), collection=collection, progress=progress)

    def ingest_package(
        self,
        package: str,
        *,
        collection: str | None = None,
        max_modules: int = 200,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Ingest the API docs (signatures and docstrings) of an installed package."""
        documents = load_package_docs(package, max_modules=max_modules)
        return self.ingest(documents, collection=collection, progress=progress)

    # ---- search ------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        top_k: int = 5,
        collection: str | None = None,
        mode: Mode = "hybrid",
    ) -> list[SearchHit]:
        """Hybrid search: dense (Chroma, cosine) and BM25, fused by reciprocal rank fusion.

        ``score`` is the fused RRF score normalised to 0..1 (1.0: ranked first by both
        retrievers; about 0.5: first by one only). ``metadata["similarity"]`` is the cosine
        similarity to the query (0..1), an absolute relevance measure; ``dense_rank``,
        ``bm25_rank`` and ``bm25`` tell how each retriever saw the hit. ``mode`` "dense" or
        "lexical" uses one retriever alone (to compare against).
        """
        if not query.strip():
            raise InvalidInputError("the query is empty")
        if top_k < 1:
            raise InvalidInputError(f"top_k must be >= 1, got {top_k}")
        if mode not in ("hybrid", "dense", "lexical"):
            raise InvalidInputError(f"unknown search mode {mode!r}")
        name = self._name(collection)
        col = self._collection(name)
        with chroma_errors(name, "count"):
            total = col.count()
        if total == 0:
            return []
        pool = min(total, max(4 * top_k, 20))
        qvec = self.embedder.embed([query])[0]

        dense: list[tuple[str, Passage]] = []
        if mode != "lexical":
            with chroma_errors(name, "query"):
                got = col.query(
                    query_embeddings=[qvec],
                    n_results=pool,
                    include=["documents", "metadatas", "distances"],
                )
            for cid, text, meta, distance in zip(
                got["ids"][0],
                got["documents"][0],
                got["metadatas"][0],
                got["distances"][0],
                strict=True,
            ):
                dense.append((cid, Passage(text or "", dict(meta or {}), 1.0 - float(distance))))
        lexical: list[tuple[str, float]] = []
        if mode != "dense":
            index = self._bm25_index(name, col, total)
            lexical = [(index.ids[pos], score) for pos, score in index.top(query, pool)]

        def fetch(ids: list[str]) -> dict[str, Passage]:
            with chroma_errors(name, "get"):
                got = col.get(ids=ids, include=["documents", "metadatas", "embeddings"])
            return {
                cid: Passage(text or "", dict(meta or {}), float(np.dot(np.asarray(vec), qvec)))
                for cid, text, meta, vec in zip(
                    got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
                )
            }

        return fuse_hits(collection=name, dense=dense, lexical=lexical, fetch=fetch, top_k=top_k)

    # ---- internals ---------------------------------------------------------------------
    def _pages(self, col: Any, name: str, *, documents: bool) -> Iterable[tuple[list, list, list]]:
        include = ["documents", "metadatas"] if documents else ["metadatas"]
        offset = 0
        while True:
            with chroma_errors(name, "read"):
                page = col.get(include=include, limit=_PAGE, offset=offset)
            ids = page["ids"]
            if not ids:
                return
            yield ids, (page.get("documents") or [""] * len(ids)), page["metadatas"]
            offset += len(ids)
            if len(ids) < _PAGE:
                return

    def _bm25_index(self, name: str, col: Any, total: int) -> Bm25Index:
        """The cached BM25 index, rebuilt when invalidated or the chunk count changed."""
        with self._lock:
            cached = self._bm25.get(name)
            if cached is not None and cached[0] == total:
                return cached[1]
            ids: list[str] = []
            texts: list[str] = []
            for page_ids, page_texts, _ in self._pages(col, name, documents=True):
                ids.extend(page_ids)
                texts.extend(t or "" for t in page_texts)
            index = Bm25Index.build(ids, texts)
            self._bm25[name] = (len(ids), index)
            log.debug("kb: built BM25 index of %s (%d chunks)", name, len(ids))
            return index

    def _invalidate(self, name: str) -> None:
        with self._lock:
            self._bm25.pop(name, None)
