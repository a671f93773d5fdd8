"""The typed results: the very pydantic models the server's routes answer with (imported, not
copied, so client and server cannot drift), plus :class:`JobEvent` for the event stream."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from factforge.api.routes.factcheck import ClaimOut, EvidenceOut, FactCheckOut
from factforge.api.routes.jobs import JobAcceptedOut, JobErrorOut, JobOut
from factforge.api.routes.knowledge import HitOut, IngestOut, SearchOut

__all__ = [
    "ClaimOut",
    "EvidenceOut",
    "FactCheckOut",
    "HitOut",
    "IngestOut",
    "JobAcceptedOut",
    "JobErrorOut",
    "JobEvent",
    "JobOut",
    "SearchOut",
]


@dataclass(frozen=True, slots=True)
class JobEvent:
    """One event of ``GET /v1/jobs/{id}/events``: ``type`` is ``node`` (``data["node"]`` ran,
    ``data["data"]`` what it did) or ``status`` (``data["status"]``, the last event once it is
    terminal); ``id`` resumes the stream after this event (``last_event_id=``)."""

    id: str | None
    type: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def terminal(self) -> bool:
        return self.type == "status" and self.data.get("status") in (
            "succeeded", "failed", "cancelled")
