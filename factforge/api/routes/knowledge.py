"""``POST /knowledge/documents`` and ``GET /knowledge/search`` (mounted under ``/v1``)."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from factforge.api.openapi import responses
from factforge.api.proto.codec import ingest_message, respond, search_message
from factforge.errors import ApiError
from factforge.text import NONBLANK_PATTERN, CleanStr
from knowledge import (
    CollectionNotFound,
    Document,
    InvalidInputError,
    KnowledgeError,
    StoreError,
)

if TYPE_CHECKING:
    from knowledge import KnowledgeBase

__all__ = ["COLLECTION_PATTERN", "CollectionName", "router"]

router = APIRouter(tags=["knowledge"])

_MAX_DOCUMENTS = 1000

# Chroma's collection-name rules: 3-512 of [a-zA-Z0-9._-], starting and ending with a letter or
# digit, no "..", not an IPv4 address.
COLLECTION_PATTERN = (
    r"^(?!.*\.\.)(?![0-9]{1,3}(\.[0-9]{1,3}){3}$)[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$"
)
_COLLECTION_RE = re.compile(COLLECTION_PATTERN)


def _collection_name(value: str) -> str:
    if not _COLLECTION_RE.match(value):
        raise ValueError(
            f"invalid collection name {value!r}: use 3-512 characters from [a-zA-Z0-9._-], "
            "starting and ending with a letter or digit, without '..', not an IPv4 address"
        )
    return value


CollectionName = Annotated[
    str, AfterValidator(_collection_name), Field(json_schema_extra={"pattern": COLLECTION_PATTERN})
]
"""A knowledge-base collection name (422 naming the rules when it breaks them)."""


def _Bounded(low: int, high: int) -> Any:  # noqa: N802 - a type
    """Valid text of ``low..high`` characters. The schema says it with one pattern (NUL and
    length together): schemathesis cannot combine a pattern with maxLength."""

    def check(value: str) -> str:
        if not low <= len(value) <= high:
            raise ValueError(f"must have {low}..{high} characters, got {len(value)}")
        return value

    return Annotated[CleanStr, AfterValidator(check),
                     Field(json_schema_extra={"pattern": f"^[^\\x00]{{{low},{high}}}$"})]


class DocumentIn(BaseModel):
    """One document to add. Without ``source`` it is ``api:<id>`` or ``api:<text hash>``."""

    model_config = ConfigDict(extra="forbid", strict=True)  # no "1" for 1, no false for 0

    text: CleanStr = Field(min_length=1, json_schema_extra={"pattern": NONBLANK_PATTERN},
                           description="The document text (chunked server-side); not blank.")
    source: _Bounded(1, 2048) | None = None
    title: _Bounded(0, 512) | None = None
    id: _Bounded(1, 512) | None = None

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be blank")
        return value

    def to_document(self) -> Document:
        if self.source:
            source = self.source
        elif self.id:
            source = f"api:{self.id}"
        else:
            source = "api:" + hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]
        return Document(text=self.text, source=source, title=self.title or "", id=self.id)


class DocumentsIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # no "1" for 1, no false for 0

    collection: CollectionName | None = Field(
        None, description="Collection (default: the configured one).")
    documents: list[DocumentIn] = Field(min_length=1, max_length=_MAX_DOCUMENTS)


class IngestOut(BaseModel):
    collection: str
    documents: int
    chunks: int
    added: int
    skipped: int = Field(description="Chunks already stored (re-posting adds nothing).")


class HitOut(BaseModel):
    id: str
    source: str
    text: str
    score: float = Field(description="Fused rank score, 0..1.")
    metadata: dict[str, Any]


class SearchOut(BaseModel):
    query: str
    collection: str
    hits: list[HitOut]


def _knowledge_base(request: Request) -> KnowledgeBase:
    return request.app.state.services.knowledge_base()


def _api_error(exc: KnowledgeError) -> ApiError:
    if isinstance(exc, CollectionNotFound):
        return ApiError(404, exc.code, str(exc))
    if isinstance(exc, InvalidInputError):
        return ApiError(422, exc.code, str(exc))
    if isinstance(exc, StoreError):
        return ApiError(503, exc.code, str(exc))
    return ApiError(500, exc.code, str(exc))


@router.post("/knowledge/documents", response_model=IngestOut,
             responses=responses(401, 413, 422, 503, protobuf="IngestReport"))
def add_documents(body: DocumentsIn, request: Request) -> Response:
    """Chunk, embed and store documents; chunks already stored are skipped."""
    kb = _knowledge_base(request)
    try:
        report = kb.ingest([d.to_document() for d in body.documents], collection=body.collection)
    except KnowledgeError as exc:
        raise _api_error(exc) from exc
    payload = IngestOut(
        collection=report.collection,
        documents=report.documents,
        chunks=report.chunks,
        added=report.added,
        skipped=report.skipped,
    ).model_dump()
    return respond(request, payload, ingest_message)


@router.get("/knowledge/search", response_model=SearchOut,
            responses=responses(401, 404, 422, 503, protobuf="SearchResponse"))
def search(
    request: Request,
    q: Annotated[CleanStr, Query(min_length=1, max_length=4096,
                                 json_schema_extra={"pattern": NONBLANK_PATTERN},
                                 description="Query text: not blank, no NUL.")],
    collection: Annotated[CollectionName | None,
                          Query(description="Default: the configured one.")] = None,
    top_k: Annotated[int, Query(ge=1, le=50)] = 5,
) -> Response:
    """Hybrid (dense + BM25, RRF-fused) search over one collection."""
    if not q.strip():
        raise ApiError(422, "invalid_query", "q must not be blank")
    kb = _knowledge_base(request)
    name = collection or kb.config.default_collection
    try:
        hits = kb.search(q, top_k=top_k, collection=name)
    except KnowledgeError as exc:
        raise _api_error(exc) from exc
    payload = SearchOut(
        query=q,
        collection=name,
        hits=[
            HitOut(id=h.id, source=h.source, text=h.text, score=h.score, metadata=h.metadata)
            for h in hits
        ],
    ).model_dump()
    return respond(request, payload, search_message)
