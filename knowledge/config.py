"""The plain configuration object a :class:`~knowledge.base.KnowledgeBase` is built from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from knowledge.errors import KnowledgeConfigError

__all__ = ["DEFAULT_COLLECTION", "KnowledgeConfig", "parse_server_url"]

DEFAULT_COLLECTION = "knowledge"


@dataclass(frozen=True, slots=True)
class KnowledgeConfig:
    """Where Chroma lives and how documents are embedded and chunked.

    Exactly one of ``path`` (embedded ``PersistentClient``) and ``url`` (a ``chroma run``
    server, ``HttpClient``) is set. Chunk sizes are in characters.
    """

    path: Path | None = None
    url: str | None = None
    embedding_model: str = "all-MiniLM-L6-v2"
    chunk_size: int = 800
    chunk_overlap: int = 120
    batch_size: int = 64
    default_collection: str = DEFAULT_COLLECTION

    def __post_init__(self) -> None:
        if (self.path is None) == (self.url is None):
            raise KnowledgeConfigError("set exactly one of path (embedded) and url (server)")
        if self.url is not None:
            parse_server_url(self.url)
        if self.chunk_size < 50:
            raise KnowledgeConfigError(f"chunk_size must be >= 50, got {self.chunk_size}")
        if not 0 <= self.chunk_overlap < self.chunk_size // 2:
            raise KnowledgeConfigError(
                f"chunk_overlap must be in [0, chunk_size/2), got {self.chunk_overlap}"
            )
        if self.batch_size < 1:
            raise KnowledgeConfigError(f"batch_size must be >= 1, got {self.batch_size}")


def parse_server_url(url: str) -> tuple[str, int, bool]:
    """Split ``http(s)://host[:port]`` into ``(host, port, ssl)``; port defaults to 8000/443."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise KnowledgeConfigError(f"invalid Chroma URL {url!r}: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KnowledgeConfigError(f"invalid Chroma URL {url!r}: expected http://host:port")
    if parts.path not in ("", "/"):
        raise KnowledgeConfigError(f"invalid Chroma URL {url!r}: a path is not supported")
    ssl = parts.scheme == "https"
    return parts.hostname, port or (443 if ssl else 8000), ssl
