"""Shared fixtures. No test downloads anything: the hub is forced offline before any import."""

from __future__ import annotations

import os
import tempfile

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Tests never touch the user's ~/.factforge: an embedded app a test starts with default
# settings (its jobs database is one process's) gets a data dir of this session's own.
os.environ["FACTFORGE_DATA_DIR"] = tempfile.mkdtemp(prefix="factforge-tests-")

from pathlib import Path

import pytest

from knowledge import Embedder


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """One bundled MiniLM for the whole session (loading it takes seconds)."""
    return Embedder()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Llama with a chat-template tokenizer, saved locally (see tests/fixtures)."""
    from tests.fixtures.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny_model"))
