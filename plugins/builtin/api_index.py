"""Build an :data:`~plugins.specs.ApiIndex` from the knowledge base's ingested API docs.

The knowledge helper ingests Python API documentation with ``source`` ``"python:pkg.mod.obj"``.
``api_check`` asks the index about names the installed environment cannot confirm.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from plugins.specs import ApiIndex

if TYPE_CHECKING:  # knowledge's package import pulls numpy; only the type is needed here
    from knowledge.types import Retriever

__all__ = ["retriever_api_index"]

log = logging.getLogger(__name__)

_PREFIX = "python:"


def retriever_api_index(
    retriever: Retriever, *, collection: str | None = None, top_k: int = 20
) -> ApiIndex:
    """True when a document's source is exactly ``python:<name>``; False when documents of
    the name's module exist but none for the name; None when nothing about it is known."""

    def lookup(name: str) -> bool | None:
        try:
            hits = retriever.search(name, top_k=top_k, collection=collection)
        except Exception as exc:  # noqa: BLE001 - the index is advisory
            log.warning("API index lookup of %s failed: %r", name, exc)
            return None
        sources = {hit.source for hit in hits if hit.source.startswith(_PREFIX)}
        if f"{_PREFIX}{name}" in sources:
            return True
        module = name.rsplit(".", 1)[0] if "." in name else name
        if any(s == f"{_PREFIX}{module}" or s.startswith(f"{_PREFIX}{module}.") for s in sources):
            return False
        return None

    return lookup
