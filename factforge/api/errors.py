"""Error rendering: every error is ``{"error": {"code", "message"}}`` with a 4xx/5xx status."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from agents import AgentsError, JobError
from factforge.errors import ApiError
from knowledge import KnowledgeError
from plugins import PluginsError

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, *,
                   headers: Mapping[str, str] | None = None, **extra: object) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}},
                        status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, object]]]:
    details = []
    for err in exc.errors():
        location = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        details.append({"field": location, "message": message})
    summary = "; ".join(f"{d['field'] or 'body'}: {d['message']}" for d in details[:5])
    return summary or "invalid request", details


def _allowed_methods(request: Request) -> list[str]:
    """The methods the OpenAPI schema lists for the request's path (FastAPI's routes do not
    answer HEAD for GET, so it is not listed)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {m.upper() for m in operations}
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = _validation_message(exc)
        return error_response(422, "invalid_request", message, details=details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(
            exc.status_code, "http_error"
        )
        headers = dict(exc.headers or {})
        message = str(exc.detail)
        if exc.status_code == 400 and message == "There was an error parsing the body":
            # FastAPI's answer to a body json.loads cannot decode (invalid UTF-8, a lone
            # surrogate's bytes); malformed JSON is already a 422, so this is one too
            return error_response(422, "invalid_request",
                                  "the request body is not JSON in valid UTF-8")
        if exc.status_code == 405:
            # Starlette's Allow names the first matching route's methods; a path served by
            # several routes (GET and DELETE /v1/jobs/{id}) allows all of theirs
            allowed = _allowed_methods(request)
            if allowed:
                headers["Allow"] = ", ".join(allowed)
                message = f"{request.method} is not allowed here; allowed: {headers['Allow']}"
        return error_response(exc.status_code, code, message, headers=headers or None)

    @app.exception_handler(JobError)
    async def _job(_: Request, exc: JobError) -> JSONResponse:
        return error_response(422, exc.code, str(exc))

    @app.exception_handler(KnowledgeError)
    async def _knowledge(_: Request, exc: KnowledgeError) -> JSONResponse:
        status = 404 if "not found" in str(exc).lower() else 503
        return error_response(status, exc.code, str(exc))

    @app.exception_handler(AgentsError)
    async def _agents(_: Request, exc: AgentsError) -> JSONResponse:
        return error_response(503, exc.code, str(exc))

    @app.exception_handler(PluginsError)
    async def _plugins(_: Request, exc: PluginsError) -> JSONResponse:
        return error_response(503, exc.code, str(exc))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "internal error; see the server log")
