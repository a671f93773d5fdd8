"""The graph's state: a TypedDict with reducers for what several nodes add to."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict


def sum_counts(left: dict[str, float] | None, right: dict[str, float] | None) -> dict[str, float]:
    """Merge two ``{name: number}`` dicts by adding values (usage, timings)."""
    merged = dict(left or {})
    for key, value in (right or {}).items():
        merged[key] = round(merged.get(key, 0) + value, 6)
    return merged


class JobState(TypedDict, total=False):
    job_id: str
    request: dict[str, Any]
    experts: list[dict[str, Any]]
    round: int
    candidates: list[dict[str, Any]]
    chosen: int
    candidate_verdicts: list[list[dict[str, Any]]]
    tests: str
    code: str
    explanation: str
    reviews: Annotated[list[dict[str, Any]], operator.add]
    verdicts: list[dict[str, Any]]
    history: Annotated[list[dict[str, Any]], operator.add]
    usage: Annotated[dict[str, float], sum_counts]
    timings: Annotated[dict[str, float], sum_counts]
    status: str
    reason: str


class ReviewTask(TypedDict):
    """What one reviewer receives through ``Send``."""

    expert: str
    weight: float
    round: int
    task: str
    code: str
    request: dict[str, Any]
