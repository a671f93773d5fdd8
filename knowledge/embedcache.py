"""A bounded text -> vector cache in front of any ``embed(texts)`` encoder.

The in-memory retriever and the built-in judge share one, so a claim is encoded once per
request and knowledge-base passages are encoded once per process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np

__all__ = ["CachedEmbedder", "TextEncoder"]


class TextEncoder(Protocol):
    """What :class:`knowledge.embeddings.Embedder` offers: unit-length float32 rows."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class CachedEmbedder:
    """Wraps an encoder; ``embed`` encodes only the texts not seen recently (LRU)."""

    def __init__(self, encoder: TextEncoder, *, max_items: int = 50_000) -> None:
        if max_items < 1:
            raise ValueError("max_items must be >= 1")
        self.encoder = encoder
        self.max_items = max_items
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def model_name(self) -> str:
        """The wrapped encoder's model name (Chroma records it with each collection)."""
        return str(getattr(self.encoder, "model_name", type(self.encoder).__name__))

    def __len__(self) -> int:
        return len(self._cache)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vectors = np.asarray(self.encoder.embed(missing), dtype=np.float32)
            with self._lock:
                for text, vec in zip(missing, vectors, strict=True):
                    self._cache[text] = vec
                    self._cache.move_to_end(text)
                while len(self._cache) > self.max_items:
                    self._cache.popitem(last=False)
            fresh = dict(zip(missing, vectors, strict=True))
        else:
            fresh = {}
        with self._lock:
            rows = []
            for text in texts:
                vec = fresh.get(text)
                if vec is None:
                    vec = self._cache[text]
                    self._cache.move_to_end(text)
                rows.append(vec)
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack(rows).astype(np.float32, copy=False)
