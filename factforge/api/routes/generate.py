"""``POST /generate``: the seed-compatible one-shot completion ``{model, prompt, max_tokens}``.

Runs on the job queue's model backend: the in-process model in embedded mode, the
``inference`` queue (micro-batched GPU workers) in distributed mode.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from agents.errors import AgentsError, PromptTooLongError
from agents.llm.base import ChatMessage, GenerationRequest
from factforge.api.openapi import responses
from factforge.api.proto.codec import generate_message, respond
from factforge.errors import ApiError
from factforge.text import NO_NUL_PATTERN, CleanStr, JsonInt

__all__ = ["GenerateBody", "router"]

router = APIRouter()


class GenerateBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # no "1" for 1, no false for 0

    model: CleanStr | None = Field(None, json_schema_extra={"pattern": NO_NUL_PATTERN},
                                   description="Must name the served model when given.")
    prompt: CleanStr = Field(min_length=1, max_length=100_000,
                             json_schema_extra={"pattern": NO_NUL_PATTERN},
                             description="The prompt: no NUL, valid Unicode.")
    max_tokens: JsonInt = Field(256, ge=1, le=32768, description="Largest completion, in tokens.")


class GenerateOut(BaseModel):
    output: str


@router.post("/generate", summary="One completion (seed-compatible)", response_model=GenerateOut,
             responses=responses(401, 413, 422, 503, protobuf="GenerateResponse"))
def generate(body: GenerateBody, request: Request) -> Response:
    services = request.app.state.services
    served = services.settings.model
    backend = services.job_queue().backend()
    if body.model and body.model not in (served, backend.name):
        raise ApiError(422, "model_not_served",
                       f"model {body.model!r} is not served here; this server serves {served!r}")
    generation_request = GenerationRequest(
        messages=(ChatMessage("user", body.prompt),), max_new_tokens=body.max_tokens,
        temperature=0.0,
    )
    try:
        [generation] = backend.generate([generation_request])
    except PromptTooLongError as exc:  # names the prompt's length and the model's context
        raise ApiError(422, exc.code, str(exc)) from exc
    except AgentsError as exc:
        raise ApiError(503, exc.code, str(exc)) from exc
    return respond(request, {"output": generation.text}, generate_message)
