"""Shared fixtures. Nothing here downloads: HF_HUB_OFFLINE is forced for the whole run."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402

from knowledge import Embedder  # noqa: E402


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """One bundled MiniLM for the whole session (loading it takes seconds)."""
    return Embedder()
