"""Error rendering: every error is ``{"error": {"code", "message"}}`` with a 4xx/5xx status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from agents import AgentsError, JobError
from factforge.errors import ApiError
from knowledge import KnowledgeError
from plugins import PluginsError

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, object]]]:
    details = []
    for err in exc.errors():
        location = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        details.append({"field": location, "message": err.get("msg", "invalid")})
    summary = "; ".join(f"{d['field'] or 'body'}: {d['message']}" for d in details[:5])
    return summary or "invalid request", details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = _validation_message(exc)
        return error_response(422, "invalid_request", message, details=details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(
            exc.status_code, "http_error"
        )
        return error_response(exc.status_code, code, str(exc.detail))

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
