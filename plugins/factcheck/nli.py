"""The ``nli`` judge: any sentence-transformers CrossEncoder trained for NLI.

The model (hub id or local path) is loaded lazily on first use. Its labels are read from the
model config (``id2label``: entailment / contradiction / neutral, any case) and mapped to
SUPPORTED / REFUTED / NOT_ENOUGH_INFO. Premise = evidence, hypothesis = claim.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from knowledge.embeddings import quiet_hf_progress
from plugins.factcheck.aggregate import PairJudge
from plugins.factcheck.errors import JudgeError, JudgeLoadError

__all__ = ["NLIJudge", "label_order"]

_NAMES = {
    "entailment": 0,
    "entails": 0,
    "supports": 0,
    "supported": 0,
    "contradiction": 1,
    "contradicts": 1,
    "refutes": 1,
    "refuted": 1,
    "neutral": 2,
    "not_enough_info": 2,
    "nei": 2,
}


def label_order(id2label: dict[Any, str]) -> list[int]:
    """Column of SUPPORTED, REFUTED and NOT_ENOUGH_INFO in the model's output."""
    columns: dict[int, int] = {}
    for idx, name in id2label.items():
        key = str(name).strip().lower().replace(" ", "_")
        if key in _NAMES:
            columns[_NAMES[key]] = int(idx)
    if sorted(columns) != [0, 1, 2]:
        raise JudgeLoadError(
            f"the model's labels {sorted(id2label.values())} are not entailment / "
            "contradiction / neutral; is it an NLI cross-encoder?"
        )
    return [columns[0], columns[1], columns[2]]


class NLIJudge(PairJudge):
    name = "nli"

    def __init__(
        self,
        model: str = "cross-encoder/nli-deberta-v3-xsmall",
        *,
        device: str | None = None,
        batch_size: int = 32,
        min_decisive: float = 0.5,
    ) -> None:
        self.model_name = model
        self.device = device
        self.batch_size = batch_size
        self.min_decisive = min_decisive
        self._model: Any = None
        self._columns: list[int] = []
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    try:
                        from sentence_transformers import CrossEncoder

                        with quiet_hf_progress():
                            model = CrossEncoder(self.model_name, device=self.device)
                    except Exception as exc:
                        raise JudgeLoadError(
                            f"cannot load NLI model {self.model_name!r}: {exc}"
                        ) from exc
                    self._columns = label_order(dict(model.config.id2label))
                    self._model = model
        return self._model

    def pair_probs(self, claims: Sequence[str], evidences: Sequence[str]) -> np.ndarray:
        if not claims:
            return np.zeros((0, 3), dtype=np.float32)
        model = self._load()
        try:
            import torch

            logits = model.predict(
                list(zip(evidences, claims, strict=True)),
                batch_size=self.batch_size,
                show_progress_bar=False,
                activation_fn=torch.nn.Identity(),
            )
        except Exception as exc:
            raise JudgeError(f"NLI model {self.model_name!r} failed: {exc}") from exc
        logits = np.asarray(logits, dtype=np.float64).reshape(len(claims), -1)[:, self._columns]
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
