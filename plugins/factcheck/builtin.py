"""The built-in judge: a small MLP over frozen MiniLM pair features and lexical cues.

CPU-only, offline, no generative model. The weights (``builtin_judge.npz``, trained by
``bench/train_factcheck_judge.py``) hold the feature standardisation and a one-hidden-layer
network; inference is plain numpy on top of the sentence embeddings.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.embedcache import CachedEmbedder, TextEncoder
from plugins.factcheck.aggregate import PairJudge
from plugins.factcheck.errors import JudgeLoadError
from plugins.factcheck.features import LEXICAL_NAMES, pair_features

__all__ = ["DEFAULT_WEIGHTS", "BuiltinJudge", "PairModel"]

DEFAULT_WEIGHTS = Path(__file__).with_name("builtin_judge.npz")
_KEYS = ("mean", "std", "w1", "b1", "w2", "b2")


class PairModel:
    """The network: standardise -> ReLU hidden layer (+ a linear path from the lexical cues)
    -> softmax over (SUPPORTED, REFUTED, NOT_ENOUGH_INFO)."""

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict[str, object]) -> None:
        missing = [k for k in _KEYS if k not in arrays]
        if missing:
            raise JudgeLoadError(f"judge weights lack {', '.join(missing)}")
        self.mean, self.std = arrays["mean"], arrays["std"]
        self.w1, self.b1 = arrays["w1"].astype(np.float32), arrays["b1"].astype(np.float32)
        self.w2, self.b2 = arrays["w2"].astype(np.float32), arrays["b2"].astype(np.float32)
        self.w_lex = arrays.get("w_lex")
        self.meta = meta
        if self.w1.shape[0] != self.mean.shape[0] or self.w2.shape[1] != 3:
            raise JudgeLoadError("judge weights have inconsistent shapes")

    @classmethod
    def load(cls, path: str | Path) -> PairModel:
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files if k != "meta"}
                meta = json.loads(str(data["meta"])) if "meta" in data.files else {}
        except (OSError, ValueError, KeyError) as exc:
            raise JudgeLoadError(f"cannot read judge weights {path}: {exc}") from exc
        if list(meta.get("lexical", LEXICAL_NAMES)) != list(LEXICAL_NAMES):
            raise JudgeLoadError(f"judge weights {path} were trained on other features")
        return cls(arrays, meta)

    def predict(self, features: np.ndarray) -> np.ndarray:
        x = (features - self.mean) / self.std
        h = np.maximum(x @ self.w1 + self.b1, 0.0)
        logits = h @ self.w2 + self.b2
        if self.w_lex is not None:
            logits = logits + x[:, -self.w_lex.shape[0] :] @ self.w_lex
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)


_CONFLICT = LEXICAL_NAMES.index("number_conflict") - len(LEXICAL_NAMES)
_COVERAGE = LEXICAL_NAMES.index("claim_coverage") - len(LEXICAL_NAMES)


def _number_guard(probs: np.ndarray, features: np.ndarray) -> np.ndarray:
    """A claim that restates its evidence (>= 70 % of its content words) except for a number
    the evidence gives differently ("40 degrees" vs "100 degrees") is not SUPPORTED by it: swap
    the SUPPORTED and REFUTED probabilities there. The trained network is weak on exactly this
    (numbers rarely differ in its training pairs), and docstrings state numbers often."""
    hit = (
        (features[:, _CONFLICT] > 0) & (features[:, _COVERAGE] >= 0.7) & (probs[:, 0] > probs[:, 1])
    )
    out = probs.copy()
    out[hit, 0], out[hit, 1] = probs[hit, 1], probs[hit, 0]
    return out


class BuiltinJudge(PairJudge):
    """Judges (claim, evidence) pairs with :class:`PairModel`; see :func:`decisive_evidence`."""

    name = "builtin"

    def __init__(
        self,
        encoder: TextEncoder | None = None,
        *,
        weights: str | Path = DEFAULT_WEIGHTS,
        min_decisive: float = 0.5,
        number_guard: bool = True,
    ) -> None:
        if encoder is None:
            from knowledge.embeddings import Embedder

            encoder = Embedder()
        self.encoder = encoder if isinstance(encoder, CachedEmbedder) else CachedEmbedder(encoder)
        self.model = PairModel.load(weights)
        self.min_decisive = min_decisive
        self.number_guard = number_guard

    def pair_probs(self, claims: Sequence[str], evidences: Sequence[str]) -> np.ndarray:
        """``[p_supported, p_refuted, p_nei]`` per aligned (claim, evidence) pair."""
        if not claims:
            return np.zeros((0, 3), dtype=np.float32)
        vecs = self.encoder.embed(list(dict.fromkeys([*claims, *evidences])))
        index = {t: i for i, t in enumerate(dict.fromkeys([*claims, *evidences]))}
        u = vecs[[index[c] for c in claims]]
        v = vecs[[index[e] for e in evidences]]
        features = pair_features(u, v, claims, evidences)
        probs = self.model.predict(features)
        if self.number_guard:
            probs = _number_guard(probs, features)
        return probs
