"""``/jobs``: submit (202), read, follow (SSE) and cancel code-generation jobs."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import iterate_in_threadpool

from agents import JobError
from agents.job import MAX_PROMPT_CHARS
from factforge.api.openapi import responses
from factforge.api.proto.codec import accepted_message, job_message, respond, wants_protobuf
from factforge.errors import ApiError
from factforge.text import NONBLANK_PATTERN, CleanStr, json_int
from factforge.wiring import job_request
from workers.errors import JobNotFound, QueueUnavailable
from workers.job_store import STATUSES

__all__ = ["JobCreate", "router"]

router = APIRouter()

MAX_IDEMPOTENCY_KEY = 200
MAX_WAIT_S = 60.0
_EVENT_ID = re.compile(r"[0-9]{1,20}(-[0-9]{1,20})?")  # embedded: "7"; Redis streams: "17-0"  # longest long-poll of GET /v1/jobs/{id}?wait=


class JobCreate(BaseModel):
    """A job request; omitted fields take the job defaults."""

    model_config = ConfigDict(extra="forbid", strict=True)  # no "1" for 1, no false for 0

    prompt: CleanStr = Field(
        min_length=1, max_length=MAX_PROMPT_CHARS,
        json_schema_extra={"pattern": NONBLANK_PATTERN},
        description="The programming task: not blank, no NUL, valid Unicode.",
    )
    language: Literal["python"] | None = Field(None, description="Target language.")
    samples: json_int(1, 32) | None = Field(None, description="Candidate solutions to draft.")
    top_k: json_int(1, 16) | None = Field(None, description="Experts to activate.")
    max_rounds: json_int(0, 10) | None = Field(None, description="Repair rounds.")
    max_new_tokens: json_int(1, 32768) | None = Field(None,
                                       description="Token budget per model call.")
    temperature: float | None = Field(None, ge=0, le=2, description="Sampling temperature.")
    # +-2**53: every bound a JSON number (a double) states exactly
    seed: json_int(-(2**53), 2**53) | None = Field(None, description="Random seed.")


class JobAcceptedOut(BaseModel):
    job_id: str
    status: Literal[STATUSES]  # type: ignore[valid-type]


class JobErrorOut(BaseModel):
    code: str
    message: str


class JobOut(BaseModel):
    """A job's record: ``result`` is the job result contract (README) once it succeeded."""

    job_id: str
    status: Literal[STATUSES]  # type: ignore[valid-type]
    created_at: float
    updated_at: float
    progress: dict[str, Any]
    request: dict[str, Any]
    result: dict[str, Any] | None
    error: JobErrorOut | None


_SSE = {200: {
    "description": "Server-Sent Events: `node` events, then one `status` event.",
    "content": {"text/event-stream": {"schema": {  # one event (OpenAPI < 3.2)
        "type": "object",
        "required": ["data"],
        "properties": {
            "id": {"type": "string", "pattern": f"^{_EVENT_ID.pattern}$"},
            "event": {"type": "string"},
            "data": {"type": "string", "contentMediaType": "application/json",
                     "contentSchema": {"type": "object", "required": ["type"],
                                       "properties": {"type": {"type": "string"}}}},
        },
    }}},
}}


def _queue(request: Request) -> Any:
    return request.app.state.services.job_queue()


def _accepts_event_stream(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    types = {part.split(";")[0].strip() for part in accept.split(",")}
    return bool(types & {"text/event-stream", "text/*", "*/*"})


def _record(queue: Any, job_id: str) -> Any:
    try:
        return queue.get(job_id)
    except JobNotFound as exc:
        raise ApiError(404, exc.code, str(exc)) from exc
    except QueueUnavailable as exc:
        raise ApiError(503, exc.code, str(exc)) from exc


@router.post("/jobs", status_code=202, summary="Submit a job", response_model=JobAcceptedOut,
             responses=responses(401, 413, 422, 503, protobuf="JobAccepted", ok=202,
                                 ok_description="Queued (or the job this Idempotency-Key "
                                                "created)"))
def submit_job(
    body: JobCreate,
    request: Request,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", json_schema_extra={"minLength": 1,
                                                          "maxLength": MAX_IDEMPOTENCY_KEY},
        description="The same key returns the job it first created."),
) -> Response:
    """Queue a job; the same ``Idempotency-Key`` returns the job it first created."""
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
        raise ApiError(422, "idempotency_key_invalid",
                       f"Idempotency-Key must be 1..{MAX_IDEMPOTENCY_KEY} characters")
    try:
        job = job_request(request.app.state.services.settings, body.model_dump())
    except JobError as exc:
        raise ApiError(422, exc.code, str(exc)) from exc
    try:
        record = _queue(request).submit(job, idempotency_key=idempotency_key)
    except QueueUnavailable as exc:
        raise ApiError(503, exc.code, str(exc)) from exc
    payload = {"job_id": record.job_id, "status": record.status}
    return respond(request, payload, accepted_message, status_code=202)


@router.get("/jobs/{job_id}", summary="A job's status, progress and result",
            response_model=JobOut, responses=responses(401, 404, 422, 503, protobuf="Job"))
def get_job(
    job_id: str,
    request: Request,
    wait: float = Query(0.0, ge=0.0, le=MAX_WAIT_S,
                        description="Long-poll: hold the request up to this many seconds "
                                    "until the job has ended"),
) -> Response:
    """The job's record; with ``?wait=S``, answered as soon as the job ends (or after S s)."""
    queue = _queue(request)
    record = _record(queue, job_id)
    if wait > 0 and not record.terminal:
        try:
            record = queue.wait(job_id, wait)
        except QueueUnavailable as exc:
            raise ApiError(503, exc.code, str(exc)) from exc
    return respond(request, record.to_dict(), job_message)


@router.delete("/jobs/{job_id}", summary="Cancel a job", response_model=JobOut,
               responses=responses(401, 404, 503, protobuf="Job"))
def cancel_job(job_id: str, request: Request) -> Response:
    """A queued job ends now; a running one stops at its next node."""
    queue = _queue(request)
    _record(queue, job_id)
    return respond(request, queue.cancel(job_id).to_dict(), job_message)


@router.get("/jobs/{job_id}/events", summary="Follow a job's events (Server-Sent Events)",
            response_class=EventSourceResponse,
            responses={**responses(400, 401, 404, 406, 503), **_SSE})
def job_events(
    job_id: str,
    request: Request,
    last_event_id: str | None = Header(
        None, alias="Last-Event-ID", json_schema_extra={"pattern": f"^{_EVENT_ID.pattern}$"},
        description="Resume after this event id (400 unless digits or digits-digits)."),
) -> EventSourceResponse:
    """Node events in order, then one ``status`` event with the terminal status; resumable
    with ``Last-Event-ID`` (an event id this stream sent: digits, or digits-digits; anything
    else is a 400)."""
    if last_event_id is not None and not _EVENT_ID.fullmatch(last_event_id):
        raise ApiError(400, "invalid_last_event_id",
                       f"Last-Event-ID {last_event_id[:40]!r} is not an event id of this "
                       "stream (digits, or digits-digits); omit it to read from the start")
    if wants_protobuf(request) and not _accepts_event_stream(request):
        raise ApiError(406, "not_acceptable",
                       "job events are Server-Sent Events only: send Accept: text/event-stream "
                       "(or poll GET /v1/jobs/{id}, which answers Protobuf)")
    queue = _queue(request)
    _record(queue, job_id)

    async def stream() -> AsyncIterator[dict[str, str]]:
        async for event_id, event in iterate_in_threadpool(
            queue.events(job_id, last_event_id or "0")
        ):
            if await request.is_disconnected():
                return
            yield {"id": event_id, "event": event.get("type", "message"),
                   "data": json.dumps(event)}

    return EventSourceResponse(stream(), ping=15)
