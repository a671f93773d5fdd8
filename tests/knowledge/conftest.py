"""Fixtures: one shared Embedder, and knowledge bases over embedded and server Chroma."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from knowledge import Embedder, KnowledgeBase, KnowledgeConfig

os.environ.setdefault("HF_HUB_OFFLINE", "1")

CHROMA_BIN = Path(sys.executable).with_name("chroma")


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """One MiniLM for the whole session (loading it is the slow part)."""
    shared = Embedder("all-MiniLM-L6-v2")
    shared.embed(["warm up"])
    return shared


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``chroma run`` server on a free port; yields its URL, terminated at the end."""
    if not CHROMA_BIN.exists():
        pytest.skip(f"chroma CLI not found next to {sys.executable}")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = (data / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            str(CHROMA_BIN),
            "run",
            "--path",
            str(data / "db"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"chroma run exited with {proc.returncode}")
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("chroma run did not answer its heartbeat within 60 s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


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
