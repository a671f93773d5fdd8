"""JSON dicts of the API -> Protobuf messages, and content negotiation.

JSON is always available; a client that sends ``Accept: application/x-protobuf`` gets the
message from ``factforge.proto`` instead (same field names). Every /v1 route but the event
stream answers Protobuf; errors are always JSON.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from google.protobuf.message import Message

from factforge.api.proto import factforge_pb2 as pb

PROTOBUF = "application/x-protobuf"

__all__ = ["PROTOBUF", "accepted_message", "experts_message", "factcheck_message",
           "generate_message", "ingest_message", "job_message", "plugins_message", "respond",
           "search_message", "wants_protobuf"]


def wants_protobuf(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return any(part.split(";")[0].strip() == PROTOBUF for part in accept.split(","))


def respond(request: Request, payload: Any, to_message: Any,
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
                           activated=e["activated"], adapter=e.get("adapter"))
                 for e in r.get("experts", [])],
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


def experts_message(payload: list[dict[str, Any]]) -> pb.ExpertList:
    return pb.ExpertList(experts=[
        pb.ExpertInfo(name=e["name"], role=e["role"], description=e["description"],
                      examples=e["examples"], source=e["source"], adapter=e.get("adapter"),
                      adapter_model=e.get("adapter_model")) for e in payload])


def plugins_message(payload: dict[str, Any]) -> pb.PluginRegistry:
    message = pb.PluginRegistry()
    for p in payload.get("plugins", []):
        info = pb.PluginInfo(name=p["name"], version=p.get("version") or "",
                             source=p.get("source") or "", status=p.get("status") or "",
                             hooks=p.get("hooks", []), provides=p.get("provides", []))
        if p.get("error") is not None:
            info.error = str(p["error"])
        message.plugins.append(info)
    message.verifiers.extend(
        pb.VerifierInfo(name=v["name"], plugin=v.get("plugin") or "",
                        description=v.get("description") or "", order=int(v.get("order") or 0))
        for v in payload.get("verifiers", []))
    message.experts.extend(
        pb.PluginExpertInfo(name=e["name"], plugin=e.get("plugin") or "",
                            role=e.get("role") or "", description=e.get("description") or "")
        for e in payload.get("experts", []))
    message.judges.extend(
        pb.JudgeInfo(name=j["name"], plugin=j.get("plugin") or "",
                     description=j.get("description") or "")
        for j in payload.get("judges", []))
    return message


def ingest_message(payload: dict[str, Any]) -> pb.IngestReport:
    return pb.IngestReport(**{k: payload[k] for k in
                              ("collection", "documents", "chunks", "added", "skipped")})


def search_message(payload: dict[str, Any]) -> pb.SearchResponse:
    message = pb.SearchResponse(query=payload["query"], collection=payload["collection"])
    for h in payload["hits"]:
        hit = message.hits.add(id=h["id"], source=h["source"], text=h["text"],
                               score=float(h["score"]))
        hit.metadata.update(h.get("metadata") or {})
    return message


def factcheck_message(payload: dict[str, Any]) -> pb.FactCheckReport:
    message = pb.FactCheckReport(judge=payload.get("judge", ""),
                                 counts={k: int(v) for k, v in payload.get("counts", {}).items()})
    if payload.get("score") is not None:
        message.score = float(payload["score"])
    for c in payload.get("claims", []):
        message.claims.add(
            text=c["text"], verdict=c["verdict"], confidence=float(c["confidence"]),
            reason=c.get("reason"),
            evidence=[pb.Evidence(id=e["id"], source=e["source"], text=e["text"],
                                  score=float(e["score"]), span=e.get("span") or [])
                      for e in c.get("evidence", [])])
    return message
