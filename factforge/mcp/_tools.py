"""What the MCP tools do, as plain functions of the composition root's :class:`Services`:
the same services and the same request models (so the same validation) as the HTTP routes.
Every refusal is a :class:`ToolRefused` with the stable code the HTTP API would answer."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from agents import JobError
from factforge.api.routes.factcheck import FactCheckRequest
from factforge.api.routes.jobs import JobCreate
from factforge.api.routes.knowledge import DocumentsIn
from factforge.errors import FactForgeError
from factforge.wiring import job_request
from knowledge import KnowledgeError
from plugins.factcheck import FactCheckError
from plugins.factcheck.documents import ContextDocument
from workers.errors import JobNotFound, QueueUnavailable

MAX_SEARCH_TOP_K = 50


class ToolRefused(FactForgeError):
    """A tool call the service refused: ``code`` as in the HTTP API's error answers."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def _validated(model: type, values: dict[str, Any]) -> Any:
    try:
        return model.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: "
            f"{str(e['msg']).removeprefix('Value error, ')}" for e in exc.errors()[:5])
        raise ToolRefused("invalid_request", problems) from exc


def submit_job(services: Any, arguments: dict[str, Any]) -> Any:
    """Queue a job as ``POST /v1/jobs`` does; returns its record."""
    body = _validated(JobCreate, arguments)
    try:
        job = job_request(services.settings, body.model_dump())
        return services.job_queue().submit(job)
    except JobError as exc:
        raise ToolRefused(exc.code, str(exc)) from exc
    except QueueUnavailable as exc:
        raise ToolRefused(exc.code, str(exc)) from exc


def job_record(services: Any, job_id: str) -> dict[str, Any]:
    """A job's record as ``GET /v1/jobs/{id}`` answers it."""
    try:
        return services.job_queue().get(job_id).to_dict()
    except (JobNotFound, QueueUnavailable) as exc:
        raise ToolRefused(exc.code, str(exc)) from exc


def factcheck(services: Any, arguments: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/factcheck``: text or claims, against a collection or the given documents."""
    body = _validated(FactCheckRequest, arguments)
    has_text = body.text is not None and body.text.strip() != ""
    has_claims = bool(body.claims) and any(c.strip() for c in body.claims or [])
    if has_text == has_claims:
        raise ToolRefused("invalid_request", "give a non-empty `text` or a non-empty `claims` "
                                             "list (not both)")
    settings = services.settings
    documents = None
    collection = body.collection
    if body.documents is not None:
        documents = [ContextDocument(d.text, d.source or "") for d in body.documents]
    else:
        collection = collection or settings.factcheck_collection
    top_k = body.top_k if body.top_k is not None else settings.factcheck_top_k
    try:
        checker = services.fact_checker(judge=body.judge or settings.factcheck_judge)
        check = checker.check_claims if has_claims else checker.check_text
        report = check(body.claims if has_claims else body.text, top_k=top_k,
                       collection=collection, documents=documents)
    except (FactCheckError, KnowledgeError) as exc:
        raise ToolRefused(exc.code, str(exc)) from exc
    return report.to_dict()


def search(services: Any, query: str, collection: str | None, top_k: int) -> dict[str, Any]:
    """``GET /v1/knowledge/search``."""
    if not query.strip():
        raise ToolRefused("invalid_query", "query must not be blank")
    if not 1 <= top_k <= MAX_SEARCH_TOP_K:
        raise ToolRefused("invalid_request", f"top_k must be 1..{MAX_SEARCH_TOP_K}")
    if collection is not None:  # the same name rules as the API's
        collection = _validated(DocumentsIn, {"collection": collection,
                                              "documents": [{"text": "x"}]}).collection
    kb = services.knowledge_base()
    name = collection or kb.config.default_collection
    try:
        hits = kb.search(query, top_k=top_k, collection=name)
    except KnowledgeError as exc:
        raise ToolRefused(exc.code, str(exc)) from exc
    return {"query": query, "collection": name, "hits": [
        {"id": h.id, "source": h.source, "text": h.text, "score": h.score,
         "metadata": h.metadata} for h in hits]}


def add_documents(services: Any, documents: list[dict[str, Any]],
                  collection: str | None) -> dict[str, Any]:
    """``POST /v1/knowledge/documents``."""
    body = _validated(DocumentsIn, {"documents": documents, "collection": collection})
    try:
        report = services.knowledge_base().ingest([d.to_document() for d in body.documents],
                                                  collection=body.collection)
    except KnowledgeError as exc:
        raise ToolRefused(exc.code, str(exc)) from exc
    return {"collection": report.collection, "documents": report.documents,
            "chunks": report.chunks, "added": report.added, "skipped": report.skipped}
