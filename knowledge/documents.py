"""The document type loaders produce and the knowledge base ingests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Document"]


@dataclass(frozen=True, slots=True)
class Document:
    """A text with its provenance. ``source`` identifies it for delete-by-source."""

    text: str
    source: str
    title: str = ""
    id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
