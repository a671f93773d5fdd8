"""The job result contract (ARCHITECTURE.md): built from the final graph state."""

from __future__ import annotations

from typing import Any

from agents.state import JobState


def build_result(state: JobState, *, job_id: str, wall_s: float | None = None) -> dict[str, Any]:
    request = state["request"]
    candidates = state.get("candidates", [])
    timings = dict(state.get("timings", {}))
    if wall_s is not None:
        timings["total"] = round(wall_s, 6)
    usage = state.get("usage", {})
    return {
        "job_id": job_id,
        "status": "verified" if state.get("status") == "verified" else "failed",
        "code": state.get("code", ""),
        "language": request["language"],
        "tests": state.get("tests", ""),
        "explanation": state.get("explanation", ""),
        "experts": [
            {"name": e["name"], "role": e["role"], "weight": e["weight"],
             "activated": e["activated"]}
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
