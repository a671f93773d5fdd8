"""The Verdict contract every verifier, built-in or third-party, speaks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

VerdictStatus = Literal["pass", "fail", "warn", "error", "skipped"]
VERDICT_STATUSES: tuple[str, ...] = ("pass", "fail", "warn", "error", "skipped")


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    message: str
    location: str | None = None
    evidence: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    plugin: str
    status: VerdictStatus
    score: float | None = None
    message: str = ""
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.status not in VERDICT_STATUSES:
            raise ValueError(f"unknown verdict status {self.status!r}")
        if self.score is not None and not 0.0 <= self.score <= 1.0:
            raise ValueError(f"verdict score must be within 0..1, got {self.score}")

    @property
    def blocking(self) -> bool:
        """A verdict that makes the answer unverified."""
        return self.status in ("fail", "error")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["findings"] = [asdict(f) for f in self.findings]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        findings = tuple(Finding(**f) for f in data.get("findings", ()))
        return cls(
            plugin=data["plugin"],
            status=data["status"],
            score=data.get("score"),
            message=data.get("message", ""),
            findings=findings,
        )


@dataclass(frozen=True, slots=True)
class Candidate:
    """What verifiers check: one answer to a code-generation job."""

    code: str
    language: str = "python"
    prompt: str = ""
    tests: str = ""
    explanation: str = ""
    entry_point: str | None = None
