"""The built-in judge: a small MLP over frozen MiniLM pair features, lexical and alignment cues.

CPU-only, offline, no generative model. The weights (``builtin_judge.npz``, trained by
``bench/train_factcheck_judge.py``) hold the feature standardisation, one or (stacked)
several one-hidden-layer networks that judge each (claim, passage) pair (an ensemble: their
probabilities are averaged) and, optionally, a learned claim-level aggregation
(:mod:`plugins.factcheck.claimagg`) of a claim's passages; without it the claim takes
:func:`~plugins.factcheck.aggregate.decisive_evidence`. Inference is plain numpy on top of
the sentence embeddings plus a lookup in MiniLM's static token table.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.embedcache import CachedEmbedder, TextEncoder
from knowledge.types import SearchHit
from plugins.factcheck.aggregate import PairJudge
from plugins.factcheck.align import StaticWordVectors
from plugins.factcheck.claimagg import AGG_KEYS, SUMMARY_CUES, ClaimAggregator, claim_summary
from plugins.factcheck.errors import JudgeLoadError
from plugins.factcheck.features import CUE_NAMES, LEXICAL_NAMES, judge_features, pair_features
from plugins.factcheck.types import LABELS, Judgement

__all__ = ["DEFAULT_WEIGHTS", "BuiltinJudge", "PairModel"]

DEFAULT_WEIGHTS = Path(__file__).with_name("builtin_judge.npz")
_KEYS = ("mean", "std", "w1", "b1", "w2", "b2")


class PairModel:
    """The network: standardise -> ReLU hidden layer (+ a linear path from the cues)
    -> softmax over (SUPPORTED, REFUTED, NOT_ENOUGH_INFO); weights may hold an ensemble of
    such heads over the same features (leading axis), whose probabilities are averaged.

    ``cues`` is :data:`CUE_NAMES` (lexical + alignment cues) or, for weights trained before
    the alignment cues existed, :data:`LEXICAL_NAMES`.
    """

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict[str, object]) -> None:
        missing = [k for k in _KEYS if k not in arrays]
        if missing:
            raise JudgeLoadError(f"judge weights lack {', '.join(missing)}")
        self.mean, self.std = arrays["mean"], arrays["std"]
        # one head: w1 (d, h); an ensemble of k heads: w1 (k, d, h), b1 (k, h), w2 (k, h, 3) ...
        w1, b1 = np.asarray(arrays["w1"], np.float32), np.asarray(arrays["b1"], np.float32)
        w2, b2 = np.asarray(arrays["w2"], np.float32), np.asarray(arrays["b2"], np.float32)
        if w1.ndim == 2:
            w1, b1, w2, b2 = w1[None], b1[None], w2[None], b2[None]
        w_lex = arrays.get("w_lex")
        if w_lex is not None and np.ndim(w_lex) == 2:
            w_lex = np.asarray(w_lex)[None]
        self.meta = meta
        self.cues: tuple[str, ...] = tuple(meta.get("lexical", CUE_NAMES))  # type: ignore[arg-type]
        if self.cues not in (CUE_NAMES, LEXICAL_NAMES):
            raise JudgeLoadError("judge weights were trained on other features")
        k = w1.shape[0]
        if (
            w1.ndim != 3
            or w1.shape[1] != self.mean.shape[0]
            or b1.shape != (k, w1.shape[2])
            or w2.shape != (k, w1.shape[2], 3)
            or b2.shape != (k, 3)
            or (w_lex is not None and (w_lex.shape[0] != k or w_lex.shape[2] != 3))
        ):
            raise JudgeLoadError("judge weights have inconsistent shapes")
        self.heads = k
        self.w1, self.b1, self.w2, self.b2 = np.ascontiguousarray(w1), b1, w2, b2
        self.w_lex = None if w_lex is None else np.asarray(w_lex, np.float32)
        self.aggregator: ClaimAggregator | None = None
        if all(k in arrays for k in AGG_KEYS):
            try:
                self.aggregator = ClaimAggregator(arrays)
            except ValueError as exc:
                raise JudgeLoadError(str(exc)) from exc

    @classmethod
    def load(cls, path: str | Path) -> PairModel:
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files if k != "meta"}
                meta = json.loads(str(data["meta"])) if "meta" in data.files else {}
        except (OSError, ValueError, KeyError) as exc:
            raise JudgeLoadError(f"cannot read judge weights {path}: {exc}") from exc
        if list(meta.get("lexical", CUE_NAMES)) not in (list(CUE_NAMES), list(LEXICAL_NAMES)):
            raise JudgeLoadError(f"judge weights {path} were trained on other features")
        return cls(arrays, meta)

    def predict(self, features: np.ndarray) -> np.ndarray:
        """``(n, 3)`` probabilities: the mean of the heads' softmax outputs."""
        x = ((features - self.mean) / self.std).astype(np.float32)
        out = np.zeros((len(x), 3), dtype=np.float32)
        # one small product per head: a single (d, k * h) product is wide enough to start
        # multi-threaded BLAS, which is slower for the few rows of a request on a busy host
        for k in range(self.heads):
            logits = np.maximum(x @ self.w1[k] + self.b1[k], 0.0) @ self.w2[k] + self.b2[k]
            if self.w_lex is not None:
                logits = logits + x[:, -self.w_lex.shape[1] :] @ self.w_lex[k]
            logits -= logits.max(axis=1, keepdims=True)
            e = np.exp(logits)
            out += e / e.sum(axis=1, keepdims=True)
        return out / self.heads


def _number_guard(probs: np.ndarray, features: np.ndarray, cues: Sequence[str]) -> np.ndarray:
    """A claim that restates its evidence (>= 70 % of its content words) except for a number
    the evidence gives differently ("40 degrees" vs "100 degrees") is not SUPPORTED by it: swap
    the SUPPORTED and REFUTED probabilities there. The trained network is weak on exactly this
    (numbers rarely differ in its training pairs), and docstrings state numbers often."""
    conflict = list(cues).index("number_conflict") - len(cues)
    coverage = list(cues).index("claim_coverage") - len(cues)
    hit = (features[:, conflict] > 0) & (features[:, coverage] >= 0.7) & (probs[:, 0] > probs[:, 1])
    out = probs.copy()
    out[hit, 0], out[hit, 1] = probs[hit, 1], probs[hit, 0]
    return out


class BuiltinJudge(PairJudge):
    """Judges (claim, evidence) pairs with :class:`PairModel`; whether a claim's passages
    settle it is the weights' learned gate (:mod:`plugins.factcheck.claimagg`), else
    :func:`decisive_evidence`."""

    name = "builtin"

    def __init__(
        self,
        encoder: TextEncoder | None = None,
        *,
        weights: str | Path = DEFAULT_WEIGHTS,
        min_decisive: float = 0.5,
        number_guard: bool = True,
        words: StaticWordVectors | None = None,
    ) -> None:
        if encoder is None:
            from knowledge.embeddings import Embedder

            encoder = Embedder()
        self.encoder = encoder if isinstance(encoder, CachedEmbedder) else CachedEmbedder(encoder)
        self.model = PairModel.load(weights)
        self.min_decisive = min_decisive
        self.number_guard = number_guard
        self.words = words
        if self.model.cues == CUE_NAMES and words is None:
            self.words = StaticWordVectors.bundled()

    def pair_details(
        self, claims: Sequence[str], evidences: Sequence[str]
    ) -> tuple[np.ndarray, ...]:
        """Per-pair probabilities, claim/evidence cosines and the aggregator's cue columns."""
        vecs = self.encoder.embed(list(dict.fromkeys([*claims, *evidences])))
        index = {t: i for i, t in enumerate(dict.fromkeys([*claims, *evidences]))}
        u = vecs[[index[c] for c in claims]]
        v = vecs[[index[e] for e in evidences]]
        if self.model.cues == CUE_NAMES:
            features = judge_features(u, v, claims, evidences, self.words)
        else:
            features = pair_features(u, v, claims, evidences)
        probs = self.model.predict(features)
        if self.number_guard:
            probs = _number_guard(probs, features, self.model.cues)
        names = list(self.model.cues)
        if all(n in names for n in SUMMARY_CUES):
            cues = features[:, [names.index(n) - len(names) for n in SUMMARY_CUES]]
        else:  # weights from before the alignment cues: no learned aggregation either
            cues = np.zeros((len(features), len(SUMMARY_CUES)), dtype=np.float32)
        return probs, np.sum(u * v, axis=1), cues

    def pair_probs(self, claims: Sequence[str], evidences: Sequence[str]) -> np.ndarray:
        """``[p_supported, p_refuted, p_nei]`` per aligned (claim, evidence) pair."""
        if not claims:
            return np.zeros((0, 3), dtype=np.float32)
        return self.pair_details(claims, evidences)[0]

    def judge_many(
        self, claims: Sequence[str], evidence: Sequence[Sequence[SearchHit]]
    ) -> list[Judgement]:
        aggregator = self.model.aggregator
        if aggregator is None:
            return super().judge_many(claims, evidence)
        pairs_c = [c for c, hits in zip(claims, evidence, strict=True) for _ in hits]
        pairs_e = [h.text for hits in evidence for h in hits]
        if not pairs_c:
            return [Judgement("NOT_ENOUGH_INFO", 1.0, ()) for _ in claims]
        probs, cos, cues = self.pair_details(pairs_c, pairs_e)
        judgements, start = [], 0
        for hits in evidence:
            end = start + len(hits)
            p = probs[start:end]
            scores = tuple(
                {label: float(x) for label, x in zip(LABELS, row, strict=True)} for row in p
            )
            if not hits:
                judgements.append(Judgement("NOT_ENOUGH_INFO", 1.0, ()))
            else:
                summary = claim_summary(p, cos[start:end], cues[start:end])
                top, confidence = aggregator.judge(p, summary)
                judgements.append(Judgement(LABELS[top], float(np.clip(confidence, 0, 1)), scores))
            start = end
        return judgements
