"""OpenAI-compatible chat: ``GET /models``, ``GET /models/{id}``, ``POST /chat/completions``.

The last user message is the task. It runs as a real job through the job queue that
``POST /jobs`` uses (embedded threads or Celery workers), and the answer is the job's result in
OpenAI's ChatCompletion shape (:mod:`factforge.api.openai_format`). ``stream: true`` sends the
job's node events as ``chat.completion.chunk`` events (an empty delta, the event in the
``factforge`` field), then the answer, then ``data: [DONE]``. Errors are OpenAI's
``{"error": {"message", "type", "param", "code"}}``, bad keys included (:class:`OpenAIRoute`).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from starlette.concurrency import iterate_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from agents import JobError
from factforge.api import openai_format as fmt
from factforge.api.openai_models import (
    ROLES,
    ChatCompletionOut,
    ChatCompletionRequest,
    ModelListOut,
    ModelOut,
    OpenAIError,
    OpenAIErrorOut,
)
from factforge.api.proto.codec import wants_protobuf
from factforge.errors import ApiError
from factforge.wiring import job_request
from workers.errors import JobNotFound, QueueUnavailable

__all__ = ["ChatCompletionRequest", "OpenAIRoute", "router"]

# How long POST /chat/completions waits for its job before answering 504 (the job runs on;
# GET /v1/jobs/{id} has it). OpenAI's SDK times out at 600 s by default.
COMPLETION_WAIT_S = 590.0
_SLICE_S = 2.0  # the wait is cut into slices to notice a client that went away
_CREATED = int(time.time())


class OpenAIRoute(APIRoute):
    """Renders every error of its routes, the Bearer-key check included, in OpenAI's shape."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            if wants_protobuf(request) and not _accepts_json(request):
                return fmt.error_response(
                    406, "OpenAI-compatible routes answer JSON (and text/event-stream) only: "
                         "send Accept: application/json", code="not_acceptable")
            try:
                return await handler(request)
            except ApiError as exc:
                code = "invalid_api_key" if exc.status == 401 else exc.code
                return fmt.error_response(exc.status, exc.message, code=code,
                                          param=getattr(exc, "param", None),
                                          retry=getattr(exc, "retry", None))
            except RequestValidationError as exc:
                return _invalid(exc)
            except StarletteHTTPException as exc:
                return fmt.error_response(exc.status_code, str(exc.detail),
                                          code="invalid_request")

        return route


def _accepts_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    types = {part.split(";")[0].strip() for part in accept.split(",")}
    return bool(types & {"application/json", "text/event-stream", "application/*", "text/*",
                         "*/*"})


def _invalid(exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    # the most specific problem: of a union's members, the one that got furthest
    first = max(errors, key=lambda e: len(e.get("loc", ())), default={})
    param = _param(first.get("loc", ()))
    message = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
    if first.get("type") == "json_invalid":
        param, message = None, f"the request body is not valid JSON: {message}"
    elif first.get("type") == "extra_forbidden":
        message = f"Unrecognized request argument supplied: {param}"
    elif param:
        message = f"{param}: {message}"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem(s))"
    return fmt.error_response(400, message, code="invalid_request", param=param)


def _param(loc: tuple[Any, ...]) -> str | None:
    """OpenAI's ``param`` for pydantic's error location: ``messages.0.content``, without the
    body, the message's role tag and union member names (``str``, ``list[TextPart]``)."""
    parts: list[str] = []
    for index, part in enumerate(loc):
        after_index = index > 0 and isinstance(loc[index - 1], int)
        if part == "body" or (after_index and part in ROLES) or not (
                isinstance(part, int) or str(part).isidentifier()):
            continue
        if part == "str" and parts and parts[-1] == "content":
            continue
        parts.append(str(part))
    return ".".join(parts) or None


router = APIRouter(route_class=OpenAIRoute, tags=["openai"])


_REASONS = {
    400: "Invalid request (the error's param names the field), or a task the job refused.",
    401: "Missing or wrong Bearer key (when FACTFORGE_API_KEYS is set).",
    404: "No such model (code model_not_found).",
    406: "The client accepts Protobuf and not JSON: these routes answer JSON (and SSE) only.",
    409: "The job was cancelled (DELETE /v1/jobs/{id}) before it ended.",
    500: "The job failed (code: the job's error code); not retried by OpenAI's SDKs.",
    503: "The job queue is unavailable.",
    504: "The job did not end in time; it runs on (GET /v1/jobs/{id}, id in the message).",
}


def _responses(*statuses: int) -> dict[int | str, Any]:
    return {s: {"model": OpenAIErrorOut, "description": _REASONS[s]} for s in statuses}


_STREAM = {"text/event-stream": {"schema": {  # one event (OpenAPI < 3.2)
    "type": "object", "required": ["data"],
    "properties": {"data": {"type": "string", "description": "a chat.completion.chunk (JSON), "
                                                            "an error (JSON), or [DONE]"}},
}}}


def _model(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": _CREATED, "owned_by": "factforge"}


def _check_model(model_id: str) -> None:
    if model_id not in fmt.MODELS:
        raise OpenAIError(404, "model_not_found",
                           f"The model {model_id!r} does not exist; this server serves "
                           f"{', '.join(fmt.MODELS)}", param="model")


@router.get("/models", summary="Models (OpenAI-compatible)", response_model=ModelListOut,
            responses=_responses(401, 406))
def list_models() -> dict[str, Any]:
    return {"object": "list", "data": [_model(m) for m in fmt.MODELS]}


@router.get("/models/{model_id}", summary="A model (OpenAI-compatible)", response_model=ModelOut,
            responses=_responses(401, 404, 406))
def get_model(model_id: str) -> dict[str, Any]:
    _check_model(model_id)
    return _model(model_id)


_OK = {200: {"model": ChatCompletionOut, "content": _STREAM,
             "description": "A ChatCompletion, or with stream: true chat.completion.chunk "
                            "Server-Sent Events ending data: [DONE]"}}


@router.post("/chat/completions", summary="Chat completion (OpenAI-compatible): runs a job",
             responses={**_OK, **_responses(400, 401, 404, 406, 409, 500, 503, 504)})
async def chat_completions(
    body: ChatCompletionRequest,
    request: Request,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", json_schema_extra={"minLength": 1, "maxLength": 200},
        description="The same key answers from the job it first created."),
) -> Response:
    """The last user message runs as a job (as ``POST /v1/jobs``); the answer is its result
    as a ChatCompletion, or with ``stream: true`` its events then the answer as chunks."""
    _check_model(body.model)
    if idempotency_key is not None and not 0 < len(idempotency_key) <= 200:
        raise OpenAIError(400, "idempotency_key_invalid",
                           "Idempotency-Key must be 1..200 characters")
    services = request.app.state.services
    try:
        job = job_request(services.settings, body.job_fields())
    except JobError as exc:
        raise OpenAIError(400, exc.code, str(exc), param="messages") from exc
    queue = services.job_queue()
    try:
        record = await run_in_threadpool(queue.submit, job, idempotency_key)
    except QueueUnavailable as exc:
        raise OpenAIError(503, exc.code, str(exc)) from exc
    # a client that goes away takes its job with it, unless it means to come back for it
    cancel = idempotency_key is None
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        return StreamingResponse(
            _stream(queue, record.to_dict(), body.model, include_usage, cancel),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    try:
        ended = await _wait(queue, record.job_id, request, cancel)
    except (QueueUnavailable, JobNotFound) as exc:
        raise OpenAIError(503, exc.code, f"job {record.job_id}: {exc}") from exc
    if ended is None:  # the client went away
        return Response(status_code=499)
    if ended["status"] == "succeeded":
        return JSONResponse(fmt.completion(ended, body.model))
    return _job_error(ended)


async def _wait(queue: Any, job_id: str, request: Request, cancel: bool,
                ) -> dict[str, Any] | None:
    """The ended job's record; None when the client disconnected (its job cancelled when
    ``cancel``). 504 after :data:`COMPLETION_WAIT_S`, 503 when the server is stopping."""
    deadline = time.monotonic() + COMPLETION_WAIT_S
    while True:
        remaining = deadline - time.monotonic()
        slice_s = max(0.0, min(_SLICE_S, remaining))
        started = time.monotonic()
        record = await run_in_threadpool(queue.wait, job_id, slice_s)
        if record.terminal:
            return record.to_dict()
        if remaining <= _SLICE_S:
            raise OpenAIError(504, "job_timeout",
                               f"job {job_id} did not end within {COMPLETION_WAIT_S:.0f} s; "
                               f"it runs on: GET /v1/jobs/{job_id} has its result", retry=False)
        if time.monotonic() - started < slice_s * 0.9:  # the store woke every waiter: stopping
            raise OpenAIError(503, "server_stopping",
                               f"the server is stopping; job {job_id} resumes at the next "
                               f"start: GET /v1/jobs/{job_id} has its result", retry=False)
        if await request.is_disconnected():
            if cancel:
                await run_in_threadpool(queue.cancel, job_id)
            return None


def _job_failure(record: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """A job that ended without a result: its HTTP status and OpenAI error body."""
    job_id = record["job_id"]
    error = record.get("error") or {}
    code = str(error.get("code") or "job_failed")
    message = f"job {job_id} {record['status']}: {error.get('message') or 'no reason given'}"
    if record["status"] == "cancelled":
        return 409, fmt.error_body(message, type_=fmt.error_type(409), code="job_cancelled")
    if code == "prompt_too_long":
        return 400, fmt.error_body(message, type_=fmt.error_type(400), code=code,
                                   param="messages")
    return 500, fmt.error_body(message, type_=fmt.error_type(500), code=code)


def _job_error(record: dict[str, Any]) -> JSONResponse:
    """The failure as an answer that OpenAI's SDKs do not retry (the job ran)."""
    status, body = _job_failure(record)
    return JSONResponse(body, status_code=status, headers={"x-should-retry": "false"})


async def _stream(queue: Any, record: dict[str, Any], model: str, include_usage: bool,
                  cancel: bool) -> AsyncIterator[str]:
    """The job's events as chunks (empty delta, the event in ``factforge``), then the answer
    (one content chunk, then one with ``finish_reason``), or an ``error`` event; then
    ``[DONE]``. A client that disconnects first cancels the job when ``cancel``."""
    job_id, created = record["job_id"], int(record["created_at"])
    finished = False
    yield fmt.sse(fmt.chunk(job_id, created, model, delta={"role": "assistant", "content": ""},
                            extra={"job_id": job_id, "job_status": record["status"]}))
    try:
        async for _, event in iterate_in_threadpool(
                queue.events(job_id, "0", timeout_s=COMPLETION_WAIT_S)):
            yield fmt.sse(fmt.chunk(job_id, created, model, extra={
                "job_id": job_id, "event": event, "progress": fmt.event_summary(event)}))
        final = (await run_in_threadpool(queue.get, job_id)).to_dict()
        if final["status"] == "succeeded":
            result = final["result"]
            yield fmt.sse(fmt.chunk(job_id, created, model,
                                    delta={"content": fmt.message_content(result)}))
            yield fmt.sse(fmt.chunk(job_id, created, model, finish=fmt.finish_reason(result),
                                    extra=fmt.factforge_field(final)))
            if include_usage:
                yield fmt.sse(fmt.chunk(job_id, created, model, choices=False,
                                        usage_=fmt.usage(result)))
        elif final["status"] in ("failed", "cancelled"):
            yield fmt.sse(_job_failure(final)[1])
        else:
            yield fmt.sse(fmt.error_body(
                f"job {job_id} did not end within {COMPLETION_WAIT_S:.0f} s; it runs on: "
                f"GET /v1/jobs/{job_id} has its result", type_="server_error",
                code="job_timeout"))
    except (QueueUnavailable, JobNotFound) as exc:
        yield fmt.sse(fmt.error_body(f"job {job_id}: {exc}", type_="server_error",
                                     code=exc.code))
    else:
        finished = True
    finally:
        if not finished and cancel:
            try:  # the client went away (or the stream broke) before the job ended
                queue.cancel(job_id)
            except Exception:  # noqa: BLE001 - the queue may be stopping; the job resumes
                pass
    yield fmt.sse("[DONE]")

