"""JSON dicts of the API -> Protobuf messages, and content negotiation.

JSON is always available; a client that sends ``Accept: application/x-protobuf`` gets the
message from ``factforge.proto`` instead (same field names).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from google.protobuf.message import Message

from factforge.api.proto import factforge_pb2 as pb

PROTOBUF = "application/x-protobuf"

__all__ = ["PROTOBUF", "accepted_message", "generate_message", "job_message", "respond",
           "wants_protobuf"]


def wants_protobuf(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return any(part.split(";")[0].strip() == PROTOBUF for part in accept.split(","))


def respond(request: Request, payload: dict[str, Any], to_message: Any,
            status_code: int = 200) -> Response:
    """JSON, or ``to_message(payload)`` serialised when the client accepts Protobuf."""
    if wants_protobuf(request):
        message: Message = to_message(payload)
        return Response(message.SerializeToString(), status_code=status_code,
                        media_type=PROTOBUF)
    return JSONResponse(payload, status_code=status_code)


def accepted_message(payload: dict[str, Any]) -> pb.JobAccepted:
    return pb.JobAccepted(job_id=payload["job_id"], status=payload["status"])


def generate_message(payload: dict[str, Any]) -> pb.GenerateResponse:
    return pb.GenerateResponse(output=payload["output"])


def _verdict(v: dict[str, Any]) -> pb.Verdict:
    message = pb.Verdict(plugin=v.get("plugin", ""), status=v.get("status", ""),
                         message=v.get("message", "") or "")
    if v.get("score") is not None:
        message.score = float(v["score"])
    for f in v.get("findings", []):
        message.findings.append(pb.Finding(
            kind=f.get("kind", ""), message=f.get("message", ""),
            location=str(f.get("location") or ""), evidence=str(f.get("evidence") or "")))
    return message


def _result(r: dict[str, Any]) -> pb.JobResult:
    usage = r.get("usage", {})
    candidates = r.get("candidates", {})
    return pb.JobResult(
        status=r.get("status", ""),
        reason=r.get("reason", ""),
        code=r.get("code", ""),
        language=r.get("language", ""),
        explanation=r.get("explanation", ""),
        tests=r.get("tests", ""),
        experts=[pb.Expert(name=e["name"], role=e.get("role", ""), weight=e["weight"],
                           activated=e["activated"]) for e in r.get("experts", [])],
        verdicts=[_verdict(v) for v in r.get("verdicts", [])],
        candidates=pb.Candidates(n=candidates.get("n", 0), chosen=candidates.get("chosen", 0)),
        rounds=r.get("rounds", 0),
        usage=pb.Usage(calls=usage.get("calls", 0), prompt_tokens=usage.get("prompt_tokens", 0),
                       completion_tokens=usage.get("completion_tokens", 0)),
        timings={k: float(v) for k, v in r.get("timings", {}).items()},
    )


def job_message(payload: dict[str, Any]) -> pb.Job:
    progress = payload.get("progress") or {}
    message = pb.Job(
        job_id=payload["job_id"],
        status=payload["status"],
        created_at=payload["created_at"],
        updated_at=payload["updated_at"],
        progress=pb.Progress(events=progress.get("events", 0), node=progress.get("node") or ""),
    )
    if payload.get("result"):
        message.result.CopyFrom(_result(payload["result"]))
    if payload.get("error"):
        message.error.CopyFrom(pb.Error(code=payload["error"].get("code", ""),
                                        message=payload["error"].get("message", "")))
    return message
