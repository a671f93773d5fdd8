"""Turning per-evidence label probabilities into one claim-level judgement."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from knowledge.types import SearchHit
from plugins.factcheck.types import LABELS, Judgement

__all__ = ["decisive_evidence"]


def decisive_evidence(probs: np.ndarray, *, min_decisive: float = 0.5) -> Judgement:
    """Aggregate rows of ``[p_supported, p_refuted, p_nei]``, one row per evidence passage.

    The claim takes the label of its most decisive passage (the lowest ``p_nei``): one passage
    that settles the claim is enough, many unrelated passages do not dilute it. When even that
    passage is less than ``min_decisive`` sure of SUPPORTED or REFUTED, the claim is
    NOT_ENOUGH_INFO.
    """
    rows = np.asarray(probs, dtype=np.float64).reshape(-1, 3)
    scores: Sequence[dict[str, float]] = tuple(
        {label: float(p) for label, p in zip(LABELS, row, strict=True)} for row in rows
    )
    if rows.shape[0] == 0:
        return Judgement("NOT_ENOUGH_INFO", 1.0, ())
    best = rows[int(np.argmin(rows[:, 2]))]
    top = int(np.argmax(best))
    if top != 2 and best[top] < min_decisive:
        return Judgement("NOT_ENOUGH_INFO", float(1.0 - best[top]), tuple(scores))
    return Judgement(LABELS[top], float(np.clip(best[top], 0.0, 1.0)), tuple(scores))


class PairJudge:
    """Claim-level judging for judges that score (claim, evidence) pairs.

    A subclass provides ``pair_probs(claims, evidences) -> (n, 3)`` probabilities in
    :data:`LABELS` order and a ``min_decisive`` threshold; each claim's judgement is the
    :func:`decisive_evidence` over its own passages.
    """

    min_decisive: float = 0.5

    def pair_probs(self, claims: Sequence[str], evidences: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def judge(self, claim: str, evidence: Sequence[SearchHit]) -> Judgement:
        return self.judge_many([claim], [evidence])[0]

    def judge_many(
        self, claims: Sequence[str], evidence: Sequence[Sequence[SearchHit]]
    ) -> list[Judgement]:
        pairs_c = [c for c, hits in zip(claims, evidence, strict=True) for _ in hits]
        probs = self.pair_probs(pairs_c, [h.text for hits in evidence for h in hits])
        out, start = [], 0
        for hits in evidence:
            out.append(
                decisive_evidence(probs[start : start + len(hits)], min_decisive=self.min_decisive)
            )
            start += len(hits)
        return out
