"""``POST /factcheck``: fact-check a text or a list of claims against the knowledge base, or
against documents sent with the request (searched in memory, nothing stored)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from factforge.api.openapi import responses
from factforge.api.proto.codec import factcheck_message, respond
from factforge.api.routes.knowledge import CollectionName
from factforge.errors import ApiError
from factforge.text import NO_NUL_PATTERN, NONBLANK_PATTERN, CleanStr, json_int
from plugins.factcheck import FactCheckError
from plugins.factcheck.checker import FactCheckLimits
from plugins.factcheck.documents import ContextDocument
from plugins.factcheck.errors import (
    InvalidRequestError,
    JudgeLoadError,
    RequestTooLargeError,
    UnknownCollectionError,
    UnknownJudgeError,
)

__all__ = ["ContextDocumentIn", "FactCheckRequest", "router"]

router = APIRouter()


class ContextDocumentIn(BaseModel):
    """A document to check against, for this request only."""

    model_config = ConfigDict(extra="forbid")

    text: CleanStr = Field(
        ..., json_schema_extra={"pattern": NONBLANK_PATTERN},
        description="The document's text (chunked and searched in memory); not blank.",
    )
    source: CleanStr | None = Field(
        None, json_schema_extra={"pattern": NO_NUL_PATTERN},
        description="Shown with evidence (default `document N`).",
    )


class FactCheckRequest(BaseModel):
    """Either ``text`` (claims are extracted from it) or ``claims`` (checked as given)."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        # "text or claims", as JSON Schema: exactly one of a non-blank text and a claims list
        # with at least one non-blank claim (the other absent, null, blank or empty); and
        # never both a collection and documents.
        json_schema_extra={"oneOf": [
            {"required": ["text"],
             "properties": {"text": {"type": "string", "pattern": NONBLANK_PATTERN}}},
            {"required": ["claims"],
             "properties": {"claims": {"type": "array",
                                       "contains": {"type": "string",
                                                    "pattern": NONBLANK_PATTERN}}}},
        ], "not": {"required": ["collection", "documents"],
                   "properties": {"collection": {"type": "string"},
                                  "documents": {"type": "array"}}}},
    )

    text: CleanStr | None = Field(
        None, json_schema_extra={"pattern": NO_NUL_PATTERN},
        description="Prose or a code answer's explanation.",
    )
    claims: list[Annotated[CleanStr, Field(json_schema_extra={"pattern": NO_NUL_PATTERN})]] | None = (
        Field(None, description="Claims to check as they are (at most "
                                "FACTFORGE_FACTCHECK_MAX_CLAIMS; 413 over it).")
    )
    collection: CollectionName | None = Field(
        None, description="Knowledge-base collection (not with `documents`)."
    )
    documents: list[ContextDocumentIn] | None = Field(
        None, min_length=1,
        description="Check against these documents instead of a collection; nothing is stored "
        "(at most 100, within the request's character limit; 413 over it).",
    )
    top_k: json_int(1, FactCheckLimits().max_top_k) | None = Field(
        None,
        description="Evidence passages per claim (default FACTFORGE_FACTCHECK_TOP_K).",
    )
    judge: CleanStr | None = Field(
        None,
        description="reader, builtin, cross, nli, llm or a plugin's judge "
        "(default FACTFORGE_FACTCHECK_JUDGE).",
    )


class EvidenceOut(BaseModel):
    id: str
    source: str
    text: str
    score: float
    span: list[int] | None = Field(None, description="[start, end) characters of `text` "
                                   "within its chunk; absent when the judge does not say.")


class ClaimOut(BaseModel):
    text: str
    verdict: Literal["SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"]
    confidence: float = Field(ge=0, le=1)
    reason: str | None = Field(None, description="Why, in words, when a rule decided the "
                               "verdict (e.g. the claim's number differs from the evidence's); "
                               "null when the judge did.")
    evidence: list[EvidenceOut]


class FactCheckOut(BaseModel):
    score: float | None = Field(description="Factuality 0..1; null without claims.")
    judge: str
    counts: dict[str, int]
    claims: list[ClaimOut]


def _status(exc: FactCheckError) -> int:
    if isinstance(exc, RequestTooLargeError):
        return 413
    if isinstance(exc, UnknownCollectionError):
        return 404
    if isinstance(exc, UnknownJudgeError | InvalidRequestError):
        return 422
    if isinstance(exc, JudgeLoadError):
        return 503
    return 503


@router.post("/factcheck", response_model=FactCheckOut,
             responses=responses(401, 404, 413, 422, 503, protobuf="FactCheckReport"))
def factcheck(body: FactCheckRequest, request: Request) -> Response:
    """Per-claim verdicts (SUPPORTED / REFUTED / NOT_ENOUGH_INFO) with evidence."""
    has_text = body.text is not None and body.text.strip() != ""
    has_claims = bool(body.claims) and any(c.strip() for c in body.claims or [])
    if has_text == has_claims:
        raise ApiError(
            422,
            "invalid_request",
            "send a non-empty `text` or a non-empty `claims` list (not both)",
        )
    services = request.app.state.services
    settings = services.settings
    top_k = body.top_k if body.top_k is not None else settings.factcheck_top_k
    documents = None
    if body.documents is not None:
        documents = [ContextDocument(d.text, d.source or "") for d in body.documents]
        collection = body.collection  # both given: the checker says which to drop
    else:
        collection = body.collection or settings.factcheck_collection
    try:
        checker = services.fact_checker(judge=body.judge or settings.factcheck_judge)
        if has_claims:
            report = checker.check_claims(
                body.claims, top_k=top_k, collection=collection, documents=documents
            )
        else:
            report = checker.check_text(
                body.text, top_k=top_k, collection=collection, documents=documents
            )
    except FactCheckError as exc:
        raise ApiError(_status(exc), exc.code, str(exc)) from exc
    return respond(request, report.to_dict(), factcheck_message)
