"""Plain result types of the fact-checker (the ``Fact-check claim`` contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["LABELS", "ClaimCheck", "EvidenceItem", "FactCheckReport", "Judgement", "Label"]

Label = Literal["SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"]
LABELS: tuple[Label, ...] = ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")


@dataclass(frozen=True, slots=True)
class Judgement:
    """A judge's answer for one claim: label, confidence 0..1 and one score per evidence.

    ``evidence_scores[i]`` maps each label to the judge's probability that evidence ``i``
    alone gives that label (judges that cannot score single passages put the claim-level
    distribution there). ``reason`` says why, in words, when a rule (not a model) decided.
    """

    label: Label
    confidence: float
    evidence_scores: tuple[dict[str, float], ...] = ()
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValueError(f"unknown label {self.label!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be within 0..1, got {self.confidence}")


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """The text a judge read: ``id`` is its chunk's id, ``score`` the chunk's retrieval score
    and ``span`` the ``(start, end)`` characters of ``text`` within that chunk."""

    id: str
    source: str
    text: str
    score: float
    span: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "source": self.source, "text": self.text, "score": self.score,
        }  # fmt: skip
        if self.span is not None:
            out["span"] = [int(self.span[0]), int(self.span[1])]
        return out


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    """One claim's verdict; ``reason`` explains a verdict a rule decided (None otherwise)."""

    text: str
    verdict: Label
    confidence: float
    evidence: tuple[EvidenceItem, ...] = ()
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "verdict": self.verdict,
            "confidence": round(self.confidence, 4),
            "reason": self.reason,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class FactCheckReport:
    """All claims of one text. ``score`` is the document's factuality in 0..1 (None: no claims):
    the share of decided claims (SUPPORTED or REFUTED) that are SUPPORTED, confidence-weighted;
    1.0 when no claim could be decided."""

    claims: tuple[ClaimCheck, ...]
    score: float | None
    judge: str
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": None if self.score is None else round(self.score, 4),
            "judge": self.judge,
            "counts": dict(self.counts),
            "claims": [c.to_dict() for c in self.claims],
        }
