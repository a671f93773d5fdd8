"""Chroma clients and the conversion of chromadb/httpx errors into knowledge errors."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import chromadb
import httpx
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, InvalidArgumentError, NotFoundError

from knowledge.config import KnowledgeConfig, parse_server_url
from knowledge.errors import (
    CollectionNotFound,
    InvalidInputError,
    KnowledgeError,
    StoreError,
)

log = logging.getLogger(__name__)

_NAME_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$")


def check_collection_name(name: str) -> str:
    """Return ``name`` if Chroma accepts it, else raise :class:`InvalidInputError`."""
    if not _NAME_RE.match(name) or ".." in name:
        raise InvalidInputError(
            f"invalid collection name {name!r}: use 3-512 characters from [a-zA-Z0-9._-], "
            "starting and ending with a letter or digit"
        )
    return name


@contextmanager
def chroma_errors(collection: str | None = None, where: str = "chroma") -> Iterator[None]:
    """Convert exceptions raised by chromadb (or its HTTP transport) into knowledge errors."""
    try:
        yield
    except KnowledgeError:
        raise
    except NotFoundError as exc:
        if collection is not None:
            raise CollectionNotFound(collection) from exc
        raise StoreError(f"{where}: {exc}") from exc
    except InvalidArgumentError as exc:
        raise InvalidInputError(f"{where}: {exc}") from exc
    except httpx.HTTPError as exc:
        raise StoreError(f"cannot reach the Chroma server ({where}): {exc}") from exc
    except (ChromaError, ValueError, OSError, RuntimeError) as exc:
        text = str(exc)
        if collection is not None and "does not exist" in text:
            raise CollectionNotFound(collection) from exc
        raise StoreError(f"{where}: {text}") from exc


def make_client(config: KnowledgeConfig) -> Any:
    """An embedded ``PersistentClient`` or an ``HttpClient``; telemetry always off."""
    settings = ChromaSettings(anonymized_telemetry=False)
    if config.url is not None:
        host, port, ssl = parse_server_url(config.url)
        with chroma_errors(where=f"connect {config.url}"):
            client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=settings)
        log.info("chroma: server %s", config.url)
        return client
    assert config.path is not None
    with chroma_errors(where=f"open {config.path}"):
        config.path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(config.path), settings=settings)
    log.info("chroma: embedded at %s", config.path)
    return client
