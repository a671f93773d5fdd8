"""A learned claim-level aggregation of per-passage judgements (the built-in judge's).

:func:`plugins.factcheck.aggregate.decisive_evidence` takes the label of the single most
decisive passage with a fixed threshold. This module instead summarises all passages of a
claim into a few numbers that do not depend on how many passages there are (the top-ranked
passage's probabilities; the maximum, minimum and mean of each probability; the most
decisive passage; the best and mean claim/passage cosine) and applies a multinomial
logistic regression trained on out-of-fold judgements of training claims
(``bench/train_factcheck_judge.py``). Whether SUPPORTED needs one strong passage or several
weak ones, and how far a topical but silent passage counts, is thus learned, not hand-set.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["AGG_KEYS", "SUMMARY_SIZE", "ClaimAggregator", "claim_summary"]

AGG_KEYS = ("agg_mean", "agg_std", "agg_w", "agg_b")
SUMMARY_SIZE = 17


def claim_summary(probs: np.ndarray, cosines: Sequence[float]) -> np.ndarray:
    """The summary vector of one claim: ``probs`` ``(k, 3)`` in retrieval order, ``k >= 1``,
    and the claim/passage cosine of each passage."""
    p = np.asarray(probs, dtype=np.float64).reshape(-1, 3)
    cos = np.asarray(cosines, dtype=np.float64).reshape(-1)
    decisive = p[int(np.argmin(p[:, 2]))]
    return np.concatenate(
        [p[0], p.max(axis=0), p.min(axis=0), p.mean(axis=0), decisive, [cos.max(), cos.mean()]]
    ).astype(np.float32)


class ClaimAggregator:
    """Standardise the summary -> linear -> softmax over (SUPPORTED, REFUTED, NEI)."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.mean = np.asarray(arrays["agg_mean"], dtype=np.float32)
        self.std = np.asarray(arrays["agg_std"], dtype=np.float32)
        self.w = np.asarray(arrays["agg_w"], dtype=np.float32)
        self.b = np.asarray(arrays["agg_b"], dtype=np.float32)
        if self.mean.shape != (SUMMARY_SIZE,) or self.w.shape != (SUMMARY_SIZE, 3):
            raise ValueError("claim aggregator weights have inconsistent shapes")

    def predict(self, summaries: np.ndarray) -> np.ndarray:
        """Label probabilities ``(n, 3)`` for summary rows ``(n, SUMMARY_SIZE)``."""
        logits = ((np.asarray(summaries, dtype=np.float32) - self.mean) / self.std) @ self.w
        logits = logits + self.b
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)
