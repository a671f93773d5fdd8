"""The learned claim-level aggregation of the built-in judge."""

import numpy as np
import pytest

from plugins.factcheck.claimagg import (
    SUMMARY_CUES,
    SUMMARY_SIZE,
    ClaimAggregator,
    claim_summary,
)

CUES1 = np.full((1, len(SUMMARY_CUES)), 0.5)
CUES2 = np.array([[0.2] * len(SUMMARY_CUES), [0.8] * len(SUMMARY_CUES)])
CUES3 = np.vstack([CUES2, CUES1])


def test_summary_is_the_same_size_for_any_number_of_passages():
    one = claim_summary(np.array([[0.7, 0.2, 0.1]]), [0.8], CUES1)
    three = claim_summary(
        np.array([[0.1, 0.1, 0.8], [0.6, 0.3, 0.1], [0.2, 0.2, 0.6]]), [0.9, 0.7, 0.5], CUES3
    )
    assert one.shape == three.shape == (SUMMARY_SIZE,)
    assert np.allclose(three[:3], [0.6, 0.3, 0.1])  # the most decisive passage
    assert np.allclose(three[3:5], [0.6, 0.3])  # best SUPPORTED, best REFUTED
    assert np.isclose(three[5], 0.9)  # best cosine
    assert np.allclose(three[6:], 0.8)  # best of each cue


def test_unrelated_passages_do_not_dilute_a_settling_one():
    settling = np.array([[0.05, 0.9, 0.05]])
    alone = claim_summary(settling, [0.8], CUES1)
    unrelated = np.array([[0.0, 0.0, 1.0], [0.01, 0.01, 0.98]])
    padded = claim_summary(
        np.vstack([unrelated, settling]),
        [0.1, 0.2, 0.8],
        np.vstack([np.zeros((2, len(SUMMARY_CUES))), CUES1]),
    )
    assert np.allclose(alone, padded)


def make(weights: np.ndarray, bias: float = 0.0) -> ClaimAggregator:
    return ClaimAggregator(
        {
            "agg_mean": np.zeros(SUMMARY_SIZE),
            "agg_std": np.ones(SUMMARY_SIZE),
            "agg_w": weights,
            "agg_b": np.array([bias]),
        }
    )


def test_gate_decides_whether_and_the_passages_decide_which_way():
    w = np.zeros(SUMMARY_SIZE)
    w[2] = 20.0  # the decisive passage's p_nei
    gate = make(w, bias=-10.0)
    settled = np.array([[0.1, 0.1, 0.8], [0.05, 0.9, 0.05]])
    label, confidence = gate.judge(settled, claim_summary(settled, [0.9, 0.8], CUES2))
    assert label == 1 and 0.5 < confidence <= 1.0  # REFUTED, from the second passage
    silent = np.array([[0.2, 0.1, 0.7]])
    label, confidence = gate.judge(silent, claim_summary(silent, [0.9], CUES1))
    assert label == 2 and confidence > 0.9
    rows = np.stack(
        [claim_summary(settled, [0.9, 0.8], CUES2), claim_summary(silent, [0.9], CUES1)]
    )
    p = gate.p_nei(rows)
    assert p.shape == (2,) and p[0] < 0.5 < p[1]


def test_bad_shapes_are_rejected():
    with pytest.raises(ValueError, match="inconsistent"):
        make(np.zeros((SUMMARY_SIZE, 3)))
