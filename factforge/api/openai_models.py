"""OpenAI's request and response bodies as FastAPI models, for
:mod:`factforge.api.routes.openai_compat` (validation and the OpenAPI schema)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agents.job import MAX_PROMPT_CHARS
from factforge.api import openai_format as fmt
from factforge.errors import ApiError
from factforge.text import NO_NUL_PATTERN, NONBLANK_PATTERN, CleanStr, json_int

__all__ = ["ChatCompletionOut", "ChatCompletionRequest", "ModelListOut", "ModelOut",
           "OpenAIError", "OpenAIErrorOut", "ROLES", "UserMessage"]

MAX_PARTS = 8  # text parts of a user message: joined with "\n", within MAX_PROMPT_CHARS
_PART_CHARS = (MAX_PROMPT_CHARS - MAX_PARTS) // MAX_PARTS


class OpenAIError(ApiError):
    """An ApiError with OpenAI's ``param`` and whether SDKs may retry."""

    def __init__(self, status: int, code: str, message: str, param: str | None = None,
                 retry: bool | None = None) -> None:
        super().__init__(status, code, message)
        self.param = param
        self.retry = retry  # False: the job ran (or runs on); another try is a new job


# -- request ---------------------------------------------------------------------------------
class TextPart(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    type: Literal["text"]
    text: CleanStr = Field(max_length=_PART_CHARS,
                           json_schema_extra={"pattern": NO_NUL_PATTERN})


_NONBLANK_PART = {"type": "object", "required": ["text"],
                  "properties": {"text": {"type": "string", "pattern": NONBLANK_PATTERN}}}


class UserMessage(BaseModel):
    """The task: text, not blank (a string, or text parts of which one is not blank)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    role: Literal["user"]
    content: (Annotated[CleanStr, Field(min_length=1, max_length=MAX_PROMPT_CHARS,
                                        json_schema_extra={"pattern": NONBLANK_PATTERN})]
              | Annotated[list[TextPart], Field(min_length=1, max_length=MAX_PARTS,
                                                json_schema_extra={
                                                    "contains": _NONBLANK_PART})])
    name: str | None = Field(None, description="Ignored.")

    @field_validator("content")
    @classmethod
    def _not_blank(cls, content: str | list[TextPart]) -> str | list[TextPart]:
        text = content if isinstance(content, str) else "".join(p.text for p in content)
        if not text.strip():
            raise ValueError("the task (a user message) is blank")
        return content

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "\n".join(part.text for part in self.content)


ROLES = ("user", "system", "developer", "assistant", "tool", "function")


class OtherMessage(BaseModel):
    """System, developer, assistant and tool messages: accepted and not used (the job's
    experts write their own system prompts)."""

    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "assistant", "tool", "function"]
    content: Any = None


class JobOptions(BaseModel):
    """FactForge's own job options (``extra_body={"factforge": {...}}`` in OpenAI's SDK)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    samples: json_int(1, 32) | None = Field(None, description="Candidate solutions to draft.")
    top_k: json_int(1, 16) | None = Field(None, description="Experts to activate.")
    max_rounds: json_int(0, 10) | None = Field(None, description="Repair rounds.")


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    include_usage: bool | None = None


class ChatCompletionRequest(BaseModel):
    """OpenAI's chat request. Sampling knobs FactForge has no use for (``top_p``, penalties,
    ``user``, ``metadata``, ``store``) are accepted and ignored; arguments that would change
    what the answer is (``tools``, ``response_format``, ``logprobs``, ``stop``, ``n`` > 1)
    are refused as unrecognised (400)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    model: CleanStr = Field(json_schema_extra={"enum": list(fmt.MODELS)},
                            description="A model id of GET /v1/models.")
    messages: list[Annotated[UserMessage | OtherMessage, Field(discriminator="role")]] = Field(
        min_length=1, json_schema_extra={"contains": {
            "type": "object", "required": ["role"], "properties": {"role": {"const": "user"}}}},
        description="The last user message is the task.")
    stream: bool | None = None
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(None, ge=0, le=2)
    seed: json_int(-(2**53), 2**53) | None = None
    max_tokens: json_int(1, 32768) | None = Field(None, description="Tokens per model call.")
    max_completion_tokens: json_int(1, 32768) | None = Field(
        None, description="Tokens per model call (wins over max_tokens).")
    n: json_int(1, 1) | None = Field(None, description="One choice only.")
    top_p: float | None = Field(None, ge=0, le=1, description="Ignored.")
    frequency_penalty: float | None = Field(None, ge=-2, le=2, description="Ignored.")
    presence_penalty: float | None = Field(None, ge=-2, le=2, description="Ignored.")
    user: str | None = Field(None, description="Ignored.")
    metadata: dict[str, Any] | None = Field(None, description="Ignored.")
    store: bool | None = Field(None, description="Ignored.")
    factforge: JobOptions | None = None

    def task(self) -> str:
        users = [m for m in self.messages if isinstance(m, UserMessage)]
        if not users:  # the schema says so too; checked here for the message
            raise OpenAIError(400, "invalid_request",
                               "messages: no user message; the last one is the task",
                               param="messages")
        return users[-1].text()

    def job_fields(self) -> dict[str, Any]:
        options = self.factforge.model_dump() if self.factforge else {}
        return {"prompt": self.task(), "temperature": self.temperature, "seed": self.seed,
                "max_new_tokens": self.max_completion_tokens or self.max_tokens, **options}


# -- responses -------------------------------------------------------------------------------
class _ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None
    code: str | None


class OpenAIErrorOut(BaseModel):
    """OpenAI's error body."""

    error: _ErrorDetail


class ModelOut(BaseModel):
    id: str
    object: Literal["model"]
    created: int
    owned_by: str


class ModelListOut(BaseModel):
    object: Literal["list"]
    data: list[ModelOut]



class _MessageOut(BaseModel):
    role: Literal["assistant"]
    content: str
    refusal: None


class _ChoiceOut(BaseModel):
    index: int
    message: _MessageOut
    logprobs: None
    finish_reason: Literal[tuple(fmt.FINISH_REASONS.values())]  # type: ignore[valid-type]


class _UsageOut(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletionOut(BaseModel):
    """OpenAI's ChatCompletion; ``factforge`` holds the job id and status and the job result
    less code and explanation (verdicts, experts with router weights, ...)."""

    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[_ChoiceOut]
    usage: _UsageOut
    factforge: dict[str, Any]
