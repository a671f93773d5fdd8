"""The learned claim-level aggregation of the built-in judge."""

import numpy as np
import pytest

from plugins.factcheck.claimagg import SUMMARY_SIZE, ClaimAggregator, claim_summary


def test_summary_is_the_same_size_for_any_number_of_passages():
    one = claim_summary(np.array([[0.7, 0.2, 0.1]]), [0.8])
    three = claim_summary(
        np.array([[0.1, 0.1, 0.8], [0.6, 0.3, 0.1], [0.2, 0.2, 0.6]]), [0.9, 0.7, 0.5]
    )
    assert one.shape == three.shape == (SUMMARY_SIZE,)
    assert np.allclose(three[:3], [0.1, 0.1, 0.8])  # the top-ranked passage first
    assert np.allclose(three[12:15], [0.6, 0.3, 0.1])  # then the most decisive one
    assert np.allclose(three[-2:], [0.9, 0.7])  # best and mean cosine


def make(weights: np.ndarray, bias=(0.0, 0.0, 0.0)) -> ClaimAggregator:
    return ClaimAggregator(
        {
            "agg_mean": np.zeros(SUMMARY_SIZE),
            "agg_std": np.ones(SUMMARY_SIZE),
            "agg_w": weights,
            "agg_b": np.array(bias),
        }
    )


def test_predict_is_a_distribution_following_the_weights():
    w = np.zeros((SUMMARY_SIZE, 3))
    w[12, 0] = w[13, 1] = w[14, 2] = 10.0  # follow the decisive passage
    agg = make(w)
    rows = np.stack(
        [
            claim_summary(np.array([[0.1, 0.1, 0.8], [0.9, 0.05, 0.05]]), [0.9, 0.8]),
            claim_summary(np.array([[0.1, 0.85, 0.05]]), [0.9]),
        ]
    )
    probs = agg.predict(rows)
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert probs.argmax(axis=1).tolist() == [0, 1]


def test_bad_shapes_are_rejected():
    with pytest.raises(ValueError, match="inconsistent"):
        make(np.zeros((SUMMARY_SIZE, 2)))
