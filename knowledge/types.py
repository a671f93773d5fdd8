"""Plain data types the knowledge base hands to other layers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One retrieved passage. ``score`` is higher-is-better and within 0..1."""

    id: str
    source: str
    text: str
    score: float
    metadata: dict[str, Any] = field(default_factory=dict)


class Retriever(Protocol):
    """What the fact-checker needs from a knowledge base."""

    def search(
        self, query: str, *, top_k: int = 5, collection: str | None = None
    ) -> list[SearchHit]: ...
