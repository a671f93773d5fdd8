"""OpenAI's wire shapes for a FactForge job: the ChatCompletion (and its stream chunks) that a
job's record becomes, and OpenAI's error body. Pure functions of the record; the routes are in
:mod:`factforge.api.routes.openai_compat`.

The assistant message is what a model would write: the explanation, then the code in a fenced
block. Code that did not pass verification says so first, and the choice's ``finish_reason``
is ``unverified`` or ``verification_failed`` instead of ``stop``. Verdicts, router weights and
the job id ride in the top-level ``factforge`` field, which OpenAI clients keep but ignore.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse

__all__ = ["FINISH_REASONS", "MODELS", "chunk", "completion", "error_body", "error_response",
           "error_type",
           "event_summary", "factforge_field", "finish_reason", "message_content", "sse",
           "usage"]

# The model ids served: the whole mixture (router, experts, verifiers). A job cannot be
# pinned to one expert (the router picks per task), so no per-expert ids are offered.
MODELS: tuple[str, ...] = ("factforge",)

# result status -> finish_reason; anything but "stop" means: do not trust this code as is
FINISH_REASONS = {"verified": "stop", "unverified": "unverified",
                  "failed": "verification_failed"}

_LEADS = {
    "unverified": "**Not verified**: no blocking check ran on this code ({reason}). "
                  "Review it before use.",
    "failed": "**Verification failed**: {reason}. The code below did not pass FactForge's "
              "checks; do not use it as is.",
}

# fields of the job result that the message itself carries
_IN_MESSAGE = ("code", "explanation", "job_id")


def error_body(message: str, *, type_: str, code: str | None, param: str | None = None,
               ) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def error_type(status: int) -> str:
    if status == 401:
        return "invalid_request_error"  # what OpenAI answers for a wrong key
    return "server_error" if status >= 500 else "invalid_request_error"


def error_response(status: int, message: str, *, code: str | None, param: str | None = None,
                   retry: bool | None = None) -> JSONResponse:
    """OpenAI's error shape; ``retry=False`` tells OpenAI's SDKs not to retry
    (``x-should-retry``): the job ran, and running it again is the caller's decision."""
    headers = {} if retry is None else {"x-should-retry": str(retry).lower()}
    return JSONResponse(error_body(message, type_=error_type(status), code=code, param=param),
                        status_code=status, headers=headers)


def finish_reason(result: Mapping[str, Any]) -> str:
    return FINISH_REASONS.get(str(result.get("status")), "verification_failed")


def message_content(result: Mapping[str, Any]) -> str:
    """The assistant message: a warning first unless verified, the explanation, the code."""
    parts = []
    status = str(result.get("status"))
    if status != "verified":
        lead = _LEADS.get(status, _LEADS["failed"])
        parts.append(lead.format(reason=result.get("reason") or "no reason given"))
    explanation = str(result.get("explanation") or "").strip()
    if explanation:
        parts.append(explanation)
    code = str(result.get("code") or "").rstrip("\n")
    if code:
        parts.append(f"```{result.get('language') or 'python'}\n{code}\n```")
    return "\n\n".join(parts)


def usage(result: Mapping[str, Any]) -> dict[str, int]:
    used = result.get("usage") or {}
    prompt = int(used.get("prompt_tokens") or 0)
    completion_tokens = int(used.get("completion_tokens") or 0)
    return {"prompt_tokens": prompt, "completion_tokens": completion_tokens,
            "total_tokens": prompt + completion_tokens}


def factforge_field(record: Mapping[str, Any]) -> dict[str, Any]:
    """The extra top-level field: the job id and status, and the job result less what the
    message carries (status, reason, verdicts, experts with router weights, candidates,
    rounds, tests, usage, timings)."""
    result = record.get("result") or {}
    return {"job_id": record["job_id"], "job_status": record["status"],
            "verified": result.get("status") == "verified",
            **{k: v for k, v in result.items() if k not in _IN_MESSAGE}}


def completion(record: Mapping[str, Any], model: str) -> dict[str, Any]:
    """A succeeded job's record as a ChatCompletion."""
    result = record["result"]
    return {
        "id": f"chatcmpl-{record['job_id']}",
        "object": "chat.completion",
        "created": int(record["created_at"]),
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": message_content(result),
                        "refusal": None},
            "logprobs": None,
            "finish_reason": finish_reason(result),
        }],
        "usage": usage(result),
        "factforge": factforge_field(record),
    }


def chunk(job_id: str, created: int, model: str, *, delta: Mapping[str, Any] | None = None,
          finish: str | None = None, extra: Mapping[str, Any] | None = None,
          usage_: Mapping[str, int] | None = None, choices: bool = True) -> dict[str, Any]:
    """One ``chat.completion.chunk``; ``choices=False`` gives the usage chunk (no choices)."""
    body: dict[str, Any] = {
        "id": f"chatcmpl-{job_id}", "object": "chat.completion.chunk", "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": dict(delta or {}), "logprobs": None,
                     "finish_reason": finish}] if choices else [],
    }
    if usage_ is not None:
        body["usage"] = dict(usage_)
    if extra is not None:
        body["factforge"] = dict(extra)
    return body


def sse(data: Mapping[str, Any] | str) -> str:
    """One Server-Sent Event as OpenAI sends it: a ``data:`` line and a blank line."""
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return f"data: {text}\n\n"


def event_summary(event: Mapping[str, Any]) -> str:
    """A one-line, human-readable account of a job event (for progress displays)."""
    data = event.get("data") or {}
    node = event.get("node") or event.get("type")
    if event.get("type") == "status":
        return f"job {event.get('status')}"
    if node == "route":
        active = [f"{e['name']} {e['weight']:.2f}" for e in data.get("experts", [])
                  if e.get("activated")]
        return "route: " + ", ".join(active)
    if node == "review":
        return f"review: {data.get('expert')} {data.get('verdict')}"
    if node == "verify":
        return f"verify: {data.get('status')} ({data.get('reason')})"
    details = ", ".join(f"{k}={v}" for k, v in data.items() if not isinstance(v, list | dict))
    return f"{node}: {details}" if details else str(node)
