"""Word alignment cues of the built-in judge (static MiniLM token vectors)."""

import numpy as np
import pytest

from plugins.factcheck.align import ALIGN_NAMES, StaticWordVectors, alignment_features
from plugins.factcheck.errors import JudgeLoadError


@pytest.fixture(scope="module")
def words() -> StaticWordVectors:
    return StaticWordVectors.bundled()


def cues(claim: str, evidence: str, words: StaticWordVectors) -> dict[str, float]:
    row = alignment_features(claim, evidence, words)
    assert row.shape == (len(ALIGN_NAMES),)
    return dict(zip(ALIGN_NAMES, row.tolist(), strict=True))


def test_static_vectors_rank_synonyms_above_unrelated_words(words):
    v = words.vectors(["film", "movie", "algorithm"])
    assert v.shape == (3, words.dimension)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > 0.6 > v[0] @ v[2] + 0.3
    assert words.vectors([]).shape == (0, words.dimension)


def test_restated_claim_is_fully_aligned(words):
    c = cues(
        "Daggering is associated with dancehall music.",
        "Daggering is associated with the 2006 wave of dancehall music.",
        words,
    )
    assert c["align_all"] == 1.0 and c["align_frac"] == 1.0 and c["align_min"] == 1.0
    assert c["align_one_slot"] == 0.0 and c["align_unaligned_name"] == 0.0


def test_one_swapped_slot_is_flagged(words):
    evidence = "The Eiffel Tower is a wrought-iron tower in Paris, France."
    swapped = cues("The Eiffel Tower is a wrought-iron tower in Berlin.", evidence, words)
    assert swapped["align_exact_frac"] < 1.0
    assert swapped["align_unaligned_name"] == 1.0  # Berlin is a name the evidence lacks
    same = cues("The Eiffel Tower is a wrought-iron tower in Paris.", evidence, words)
    assert same["align_unaligned_name"] == 0.0
    assert same["align_mean"] > swapped["align_mean"]
    one = cues(
        "Daggering is associated with death metal.",
        "Daggering is associated with dancehall music.",
        words,
    )
    assert one["align_unaligned"] > 0.0 and one["align_all"] == 0.0


def test_stems_align_and_unrelated_text_does_not(words):
    stem = cues("Temperatures increased sharply.", "The temperature increases sharply.", words)
    assert stem["align_exact_frac"] == 1.0
    off = cues(
        "Bananas are a good source of potassium.", "Quicksort runs in O(n log n) time.", words
    )
    assert off["align_frac"] < 0.5 and off["align_mean"] < 0.6


def test_empty_sides_give_zeros(words):
    assert not alignment_features("", "Some evidence here.", words).any()
    assert not alignment_features("The claim.", "the of and", words).any()


def test_bad_model_dir_is_a_clear_error(tmp_path):
    with pytest.raises(JudgeLoadError, match="static word vectors"):
        StaticWordVectors(tmp_path)


def test_bounded_memo_gives_the_same_vectors(words):
    from knowledge.embeddings import resolve_model_path

    small = StaticWordVectors(resolve_model_path("all-MiniLM-L6-v2"), max_words=2)
    batch = ["ocean", "sea", "glacier", "ocean"]
    first = small.vectors(batch)
    again = small.vectors(batch[::-1])
    assert np.allclose(first, words.vectors(batch), atol=1e-6)
    assert np.allclose(again, first[::-1], atol=1e-6)
