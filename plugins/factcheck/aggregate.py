"""Turning per-evidence label probabilities into one claim-level judgement."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from knowledge.types import SearchHit
from plugins.factcheck.types import LABELS, Judgement

__all__ = ["PairJudge", "decisive_evidence", "discount_claim_prior"]


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


def discount_claim_prior(probs: np.ndarray, prior: np.ndarray, strength: float) -> np.ndarray:
    """Rows of ``probs`` divided by ``prior ** strength`` (elementwise) and renormalised.

    ``prior`` is what the judge says of the claim alone (against content-free evidence): its
    lean from the claim's wording (a negation reads as REFUTED, a claim full of specifics as
    NOT_ENOUGH_INFO) rather than from any evidence. Dividing part of it out ("contextual
    calibration") leaves what the evidence adds; ``strength`` 0 changes nothing.
    """
    p = np.asarray(probs, dtype=np.float64).reshape(-1, 3)
    if strength == 0.0 or p.shape[0] == 0:
        return p
    q = np.clip(np.asarray(prior, dtype=np.float64).reshape(-1, 3), 1e-6, 1.0)
    out = p * q ** (-strength)
    return out / out.sum(axis=1, keepdims=True)


class PairJudge:
    """Claim-level judging for judges that score (claim, evidence) pairs.

    A subclass provides ``pair_probs(claims, evidences) -> (n, 3)`` probabilities in
    :data:`LABELS` order and a ``min_decisive`` threshold; each claim's judgement is the
    :func:`decisive_evidence` over its own passages. With ``claim_prior`` > 0 each claim is
    also scored against empty evidence and that lean is discounted first
    (:func:`discount_claim_prior`).
    """

    min_decisive: float = 0.5
    claim_prior: float = 0.0

    def pair_probs(self, claims: Sequence[str], evidences: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def judge(self, claim: str, evidence: Sequence[SearchHit]) -> Judgement:
        return self.judge_many([claim], [evidence])[0]

    def judge_many(
        self, claims: Sequence[str], evidence: Sequence[Sequence[SearchHit]]
    ) -> list[Judgement]:
        pairs_c = [c for c, hits in zip(claims, evidence, strict=True) for _ in hits]
        probs = self.pair_probs(pairs_c, [h.text for hits in evidence for h in hits])
        if self.claim_prior and len(pairs_c):
            unique = sorted(set(pairs_c))
            priors = dict(zip(unique, self.pair_probs(unique, [""] * len(unique)), strict=True))
            probs = discount_claim_prior(
                probs, np.stack([priors[c] for c in pairs_c]), self.claim_prior
            )
        out, start = [], 0
        for hits in evidence:
            out.append(
                decisive_evidence(probs[start : start + len(hits)], min_decisive=self.min_decisive)
            )
            start += len(hits)
        return out
