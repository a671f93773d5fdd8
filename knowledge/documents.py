"""Documents (what loaders produce) and their chunks (what the knowledge base stores)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from knowledge.chunking import chunk_id, chunk_text, markdown_title
from knowledge.errors import InvalidInputError

__all__ = ["Chunk", "Document", "chunk_documents"]


@dataclass(frozen=True, slots=True)
class Document:
    """A text with its provenance. ``source`` identifies it for delete-by-source."""

    text: str
    source: str
    title: str = ""
    id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Chunk:
    """One stored piece of a document; ``id`` is its content hash."""

    id: str
    text: str
    metadata: dict[str, Any]


def chunk_documents(
    collection: str, documents: Iterable[Document], *, size: int, overlap: int
) -> tuple[int, list[Chunk]]:
    """Chunk every document; return ``(document count, unique chunks in order)``.

    Metadata: the document's scalar metadata plus ``source``, ``title`` (the document's, else
    its first Markdown heading), ``chunk`` (index within the document) and ``doc_id`` when the
    document has an id.
    """
    chunks: dict[str, Chunk] = {}
    count = 0
    for document in documents:
        count += 1
        if not document.source.strip():
            raise InvalidInputError("every document needs a non-empty source")
        scalars = {
            k: v for k, v in document.metadata.items() if isinstance(v, (str, int, float, bool))
        }
        title = document.title or markdown_title(document.text)
        for index, piece in enumerate(chunk_text(document.text, size=size, overlap=overlap)):
            cid = chunk_id(collection, document.source, piece)
            meta = {**scalars, "source": document.source, "title": title, "chunk": index}
            if document.id is not None:
                meta["doc_id"] = document.id
            chunks.setdefault(cid, Chunk(cid, piece, meta))
    return count, list(chunks.values())
