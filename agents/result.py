"""The job result contract (ARCHITECTURE.md): built from the final graph state."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agents.state import JobState
from plugins import Verdict

__all__ = ["JOB_STATUSES", "build_result", "decide_status"]

#: ``verified``: at least one verdict passed and none failed or errored; ``failed``: some
#: verdict is ``fail`` or ``error``; ``unverified``: nothing failed but no check passed either
#: (no verifier enabled, or every verdict was ``skipped``/``warn``).
JOB_STATUSES: tuple[str, ...] = ("verified", "failed", "unverified")


def decide_status(verdicts: Sequence[Verdict]) -> tuple[str, str]:
    """The job status for ``verdicts`` and the reason, failing closed.

    A job is ``verified`` only when a check really ran and passed: an empty list (every
    verifier disabled) or a list of ``skipped``/``warn`` verdicts is ``unverified``.
    """
    blocking = [v for v in verdicts if v.blocking]
    if blocking:
        return "failed", "blocking verdicts: " + ", ".join(
            f"{v.plugin} ({v.status}{': ' + v.message if v.message else ''})" for v in blocking)
    passed = [v.plugin for v in verdicts if v.status == "pass"]
    if passed:
        return "verified", "passed: " + ", ".join(passed)
    if not verdicts:
        return "unverified", "no blocking check ran: no verifier is enabled"
    return "unverified", "no blocking check ran: " + ", ".join(
        f"{v.plugin} ({v.status})" for v in verdicts)


def build_result(state: JobState, *, job_id: str, wall_s: float | None = None) -> dict[str, Any]:
    request = state["request"]
    candidates = state.get("candidates", [])
    timings = dict(state.get("timings", {}))
    if wall_s is not None:
        timings["total"] = round(wall_s, 6)
    usage = state.get("usage", {})
    status = state.get("status")
    return {
        "job_id": job_id,
        "status": status if status in JOB_STATUSES else "failed",
        "reason": state.get("reason", ""),
        "code": state.get("code", ""),
        "language": request["language"],
        "tests": state.get("tests", ""),
        "explanation": state.get("explanation", ""),
        "experts": [
            {"name": e["name"], "role": e["role"], "weight": e["weight"],
             "activated": e["activated"], "adapter": e.get("adapter")}
            for e in state.get("experts", [])
        ],
        "verdicts": state.get("verdicts", []),
        "candidates": {"n": len(candidates), "chosen": state.get("chosen", 0)},
        "rounds": state.get("round", 0) + 1,
        "history": state.get("history", []),
        "usage": {
            "calls": int(usage.get("calls", 0)),
            "prompt_tokens": int(usage.get("prompt_tokens", 0)),
            "completion_tokens": int(usage.get("completion_tokens", 0)),
        },
        "timings": timings,
    }
