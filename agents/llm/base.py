"""The model contract: batched chat generation returning text and token counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: Role
    content: str


BASE_ADAPTER = "__base__"  # PEFT's name for "no adapter" in a mixed-adapter batch


@dataclass(frozen=True, slots=True)
class Adapter:
    """A LoRA adapter over the base model, named by the expert that uses it.

    ``name`` is what an OpenAI-compatible server serves it as (vLLM ``--lora-modules
    name=path``) and what the job result reports; ``source`` is what PEFT loads (a local
    adapter directory or a hub id) when the transformers backend runs it.
    """

    name: str
    source: str

    def __post_init__(self) -> None:
        for label, value in (("name", self.name), ("source", self.source)):
            if not isinstance(value, str) or not value.strip() or value != value.strip():
                raise ValueError(f"adapter {label} must be non-empty text without surrounding "
                                 f"spaces, got {value!r}")
        if self.name == BASE_ADAPTER:
            raise ValueError(f"{BASE_ADAPTER!r} is reserved for the base model")


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    """One chat completion to produce.

    ``temperature`` 0 means greedy decoding. ``stop`` strings end the completion early and are
    not included in the returned text. ``seed`` makes sampling reproducible where the backend
    supports it. ``adapter`` runs the request with that LoRA adapter; None runs the base model.
    """

    messages: tuple[ChatMessage, ...]
    max_new_tokens: int = 512
    temperature: float = 0.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    seed: int | None = None
    adapter: Adapter | None = None

    @classmethod
    def chat(cls, system: str, user: str, **options: object) -> GenerationRequest:
        """A request made of one system and one user message."""
        messages = (ChatMessage("system", system), ChatMessage("user", user))
        return cls(messages=messages, **options)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Generation:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: Literal["stop", "length", "error"] = "stop"


@dataclass(slots=True)
class Usage:
    """Accumulated model usage of a job."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, generations: Sequence[Generation]) -> None:
        self.calls += len(generations)
        self.prompt_tokens += sum(g.prompt_tokens for g in generations)
        self.completion_tokens += sum(g.completion_tokens for g in generations)

    def as_dict(self) -> dict[str, int]:
        return {
            "calls": self.calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }


@runtime_checkable
class ModelBackend(Protocol):
    """Anything that turns a batch of chat requests into generations, in order.

    Implementations must return exactly one :class:`Generation` per request, raise
    :class:`agents.errors.ModelCallError` for failed calls and
    :class:`agents.errors.ModelLoadError` when the model cannot be loaded.
    """

    name: str

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]: ...


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """What to load: passed from settings by the composition root."""

    model: str
    device: str = "auto"
    dtype: str = "auto"
    load_in_8bit: bool = False
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout_s: float = 120.0
