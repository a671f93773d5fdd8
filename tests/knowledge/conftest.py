"""Fixtures: one shared Embedder, and knowledge bases over embedded and server Chroma."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge import Embedder, KnowledgeBase, KnowledgeConfig
from tests.fixtures.services import ChromaServer

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """One MiniLM for the whole session (loading it is the slow part)."""
    shared = Embedder("all-MiniLM-L6-v2")
    shared.embed(["warm up"])
    return shared


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``chroma run`` server on a free port; yields its URL, terminated at the end."""
    if not ChromaServer.binary.exists():
        pytest.skip(f"chroma CLI not found next to {sys.executable}")
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    try:
        yield server.start().url
    finally:
        server.stop()


@pytest.fixture(
    params=[
        "embedded",
        pytest.param("server", marks=pytest.mark.integration),
    ]
)
def kb_config(request: pytest.FixtureRequest, tmp_path: Path) -> KnowledgeConfig:
    """A config for an empty knowledge base, embedded or on the shared server."""
    if request.param == "embedded":
        return KnowledgeConfig(path=tmp_path / "chroma", chunk_size=200, chunk_overlap=40)
    url = request.getfixturevalue("chroma_server")
    return KnowledgeConfig(url=url, chunk_size=200, chunk_overlap=40)


@pytest.fixture
def kb(kb_config: KnowledgeConfig, embedder: Embedder) -> KnowledgeBase:
    """An empty knowledge base (collections left on the shared server are dropped)."""
    base = KnowledgeBase(kb_config, embedder=embedder)
    for name in base.list_collections():  # the server is shared by the session
        base.delete_collection(name)
    return base
