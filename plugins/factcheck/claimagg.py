"""A learned claim-level gate over per-passage judgements (the built-in judge's).

:func:`plugins.factcheck.aggregate.decisive_evidence` calls a claim NOT_ENOUGH_INFO when even
its most decisive passage is less than a fixed 0.5 sure. This module learns that decision
instead: it summarises all passages of a claim into numbers that do not depend on how many
passages there are (the most decisive passage's probabilities, the best SUPPORTED and REFUTED
probabilities, the best claim/passage cosine and the best of a few coverage and alignment
cues, :data:`SUMMARY_CUES`) and a logistic
regression, trained on out-of-fold judgements of training claims
(``bench/train_factcheck_judge.py``), gives the probability that the passages do not settle
the claim. Whether a settled claim is SUPPORTED or REFUTED stays with the pair model (its most
decisive passage): the gate learns *whether* the evidence decides, never *which way*, so a
dataset's claim-only biases cannot flip a clear per-passage judgement.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["AGG_KEYS", "SUMMARY_CUES", "SUMMARY_SIZE", "ClaimAggregator", "claim_summary"]

AGG_KEYS = ("agg_mean", "agg_std", "agg_w", "agg_b")
SUMMARY_CUES = ("claim_coverage", "bigram_coverage", "names_missing", "align_frac", "align_mean")
SUMMARY_SIZE = 6 + len(SUMMARY_CUES)


def claim_summary(probs: np.ndarray, cosines: Sequence[float], cues: np.ndarray) -> np.ndarray:
    """The summary vector of one claim: ``probs`` ``(k, 3)`` (``k >= 1``), the claim/passage
    cosine of each passage and its :data:`SUMMARY_CUES` ``(k, 5)``.

    Only maxima and the most decisive passage: adding a passage that is less decisive, less
    similar and less covering than the others leaves the summary unchanged, so unrelated
    passages never dilute a passage that settles the claim."""
    p = np.asarray(probs, dtype=np.float64).reshape(-1, 3)
    cos = np.asarray(cosines, dtype=np.float64).reshape(-1)
    c = np.asarray(cues, dtype=np.float64).reshape(len(p), len(SUMMARY_CUES))
    decisive = p[int(np.argmin(p[:, 2]))]
    return np.concatenate([decisive, p[:, :2].max(axis=0), [cos.max()], c.max(axis=0)]).astype(
        np.float32
    )


class ClaimAggregator:
    """Standardise the summary -> logistic -> probability of NOT_ENOUGH_INFO."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.mean = np.asarray(arrays["agg_mean"], dtype=np.float32)
        self.std = np.asarray(arrays["agg_std"], dtype=np.float32)
        self.w = np.asarray(arrays["agg_w"], dtype=np.float32)
        self.b = float(np.asarray(arrays["agg_b"], dtype=np.float32).reshape(-1)[0])
        if self.mean.shape != (SUMMARY_SIZE,) or self.w.shape != (SUMMARY_SIZE,):
            raise ValueError("claim aggregator weights have inconsistent shapes")

    def p_nei(self, summaries: np.ndarray) -> np.ndarray:
        """``(n,)`` probabilities that the passages leave the claim undecided."""
        z = ((np.asarray(summaries, dtype=np.float32) - self.mean) / self.std) @ self.w + self.b
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))

    def judge(self, probs: np.ndarray, summary: np.ndarray) -> tuple[int, float]:
        """(label index, confidence) of one claim from its passages' ``probs`` ``(k, 3)``."""
        p_nei = float(self.p_nei(summary[None])[0])
        if p_nei >= 0.5:
            return 2, p_nei
        best = np.asarray(probs, dtype=np.float64)[int(np.argmin(probs[:, 2]))]
        top = 0 if best[0] >= best[1] else 1
        return top, (1.0 - p_nei) * float(best[top] / max(best[0] + best[1], 1e-9))
