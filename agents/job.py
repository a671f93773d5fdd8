"""What a job is: the request a user sends and the dependencies the graph runs with."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from agents.errors import JobError
from agents.experts import Expert
from agents.llm.base import ModelBackend
from agents.router import EmbeddingRouter
from plugins import Candidate, Verdict, Verifier

MAX_PROMPT_CHARS = 50_000
LANGUAGES = ("python",)

# Picks one of several candidates; gets each candidate's verdicts, returns an index.
Selector = Callable[[Sequence[Candidate], Sequence[Sequence[Verdict]]], int]


@dataclass(frozen=True, slots=True)
class JobRequest:
    """A code-generation job. Validated on construction (raises :class:`JobError`)."""

    prompt: str
    language: str = "python"
    samples: int = 1
    top_k: int = 3
    max_rounds: int = 2
    max_new_tokens: int = 768
    temperature: float = 0.2
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.prompt, str) or not self.prompt.strip():
            raise JobError("prompt must be a non-empty string")
        if len(self.prompt) > MAX_PROMPT_CHARS:
            raise JobError(f"prompt is longer than {MAX_PROMPT_CHARS} characters")
        _check_text("prompt", self.prompt)
        if self.language not in LANGUAGES:
            raise JobError(f"language {self.language!r} is not supported (supported: python)")
        _check_range("samples", self.samples, 1, 32)
        _check_range("top_k", self.top_k, 1, 16)
        _check_range("max_rounds", self.max_rounds, 0, 10)
        _check_range("max_new_tokens", self.max_new_tokens, 1, 32768)
        if not 0 <= self.temperature <= 2:
            raise JobError("temperature must be within 0..2")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JobRequest:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise JobError(f"unknown job field(s): {', '.join(sorted(unknown))}")
        try:
            return cls(**data)
        except TypeError as exc:
            raise JobError(str(exc)) from exc


def _check_text(name: str, value: str) -> None:
    """Lone surrogates cannot be stored or sent on (UTF-8); NUL is never part of a task."""
    if "\x00" in value:
        raise JobError(f"{name} contains a NUL character (U+0000)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise JobError(f"{name} is not valid Unicode: lone surrogate "
                       f"U+{ord(value[exc.start]):04X} at position {exc.start}") from None


def _check_range(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise JobError(f"{name} must be an integer within {low}..{high}, got {value!r}")


@dataclass(slots=True)
class JobDeps:
    """Everything a job runs with; passed to the graph as its runtime context."""

    backend: ModelBackend
    router: EmbeddingRouter
    experts: Mapping[str, Expert]
    verifiers: Sequence[Verifier] = ()
    verifier_timeout_s: float | None = None
    selector: Selector | None = None
    on_event: Callable[[dict[str, Any]], None] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
