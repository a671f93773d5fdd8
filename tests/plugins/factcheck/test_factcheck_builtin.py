"""The built-in judge on hand-written supported, refuted and unrelated claims."""

import json

import numpy as np
import pytest

from plugins.factcheck.builtin import DEFAULT_WEIGHTS, BuiltinJudge, PairModel
from plugins.factcheck.errors import JudgeLoadError
from plugins.factcheck.features import CUE_NAMES, LEXICAL_NAMES
from tests.fixtures.judge_cases import CASES, LISTS, hit


def test_weights_are_small_and_load():
    assert DEFAULT_WEIGHTS.stat().st_size < 5_000_000
    model = PairModel.load(DEFAULT_WEIGHTS)
    assert model.w2.shape[-1] == 3


@pytest.mark.parametrize(("claim", "evidence", "label"), CASES)
def test_hand_written_claims(builtin_judge, claim, evidence, label):
    judgement = builtin_judge.judge(claim, [hit(evidence)])
    assert judgement.label == label, judgement
    assert 0.0 <= judgement.confidence <= 1.0
    scores = judgement.evidence_scores[0]
    assert set(scores) == {"SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"}
    assert abs(sum(scores.values()) - 1.0) < 1e-4


def test_most_decisive_passage_wins_and_no_evidence_is_nei(builtin_judge):
    j = builtin_judge.judge(
        "Python lists are not mutable.", [hit("Bananas are yellow fruit.", "a"), hit(LISTS, "b")]
    )
    assert j.label == "REFUTED"
    assert len(j.evidence_scores) == 2
    assert j.evidence_scores[1]["REFUTED"] > j.evidence_scores[0]["REFUTED"]
    assert builtin_judge.judge("Python lists are mutable.", []).label == "NOT_ENOUGH_INFO"


def test_batch_matches_single(builtin_judge):
    claims = [c for c, _, _ in CASES[:4]]
    hits = [[hit(e)] for _, e, _ in CASES[:4]]
    batch = builtin_judge.judge_many(claims, hits)
    single = [builtin_judge.judge(c, h) for c, h in zip(claims, hits, strict=True)]
    assert [b.label for b in batch] == [s.label for s in single]
    assert np.allclose([b.confidence for b in batch], [s.confidence for s in single], atol=1e-5)


def test_bad_weights_are_a_clear_error(tmp_path, embedder):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not an npz")
    with pytest.raises(JudgeLoadError, match="cannot read judge weights"):
        BuiltinJudge(embedder, weights=bad)
    partial = tmp_path / "partial.npz"
    np.savez(partial, mean=np.zeros(3))
    with pytest.raises(JudgeLoadError, match="lack"):
        BuiltinJudge(embedder, weights=partial)


def test_shipped_weights_use_alignment_cues_and_learned_aggregation():
    model = PairModel.load(DEFAULT_WEIGHTS)
    assert model.cues == CUE_NAMES
    assert model.aggregator is not None


def test_swapped_entity_is_not_supported(builtin_judge):
    evidence = "Daggering is a dance associated with the 2006 wave of Jamaican dancehall music."
    pairs = builtin_judge.pair_probs(
        [
            "Daggering is associated with dancehall music.",
            "Daggering is associated with death metal.",
        ],
        [evidence, evidence],
    )
    assert pairs[0, 0] > pairs[1, 0]
    assert pairs[1, 1] > pairs[0, 1]


def _weights(path, cues, rng):
    n = 4 * 384 + len(cues)
    np.savez(
        path,
        meta=json.dumps({"lexical": list(cues)}),
        mean=np.zeros(n, np.float32),
        std=np.ones(n, np.float32),
        w1=rng.normal(size=(n, 8)).astype(np.float32),
        b1=np.zeros(8, np.float32),
        w2=rng.normal(size=(8, 3)).astype(np.float32),
        b2=np.zeros(3, np.float32),
    )
    return path


def test_weights_from_before_the_alignment_cues_still_load(tmp_path, embedder):
    judge = BuiltinJudge(
        embedder, weights=_weights(tmp_path / "old.npz", LEXICAL_NAMES, np.random.default_rng(0))
    )
    assert judge.model.aggregator is None and judge.words is None
    claim, evidence, _ = CASES[0]
    j = judge.judge(claim, [hit(evidence), hit(LISTS, "b")])
    assert len(j.evidence_scores) == 2
    assert abs(sum(j.evidence_scores[0].values()) - 1.0) < 1e-4
    with pytest.raises(JudgeLoadError, match="other features"):
        BuiltinJudge(
            embedder, weights=_weights(tmp_path / "x.npz", ("x",), np.random.default_rng(0))
        )


def _head(rng, n, hidden):
    return {
        "w1": rng.normal(size=(n, hidden)).astype(np.float32),
        "b1": rng.normal(size=hidden).astype(np.float32),
        "w2": rng.normal(size=(hidden, 3)).astype(np.float32),
        "b2": rng.normal(size=3).astype(np.float32),
        "w_lex": rng.normal(size=(len(CUE_NAMES), 3)).astype(np.float32),
    }


def test_ensemble_averages_the_heads_probabilities():
    rng = np.random.default_rng(1)
    n = 4 * 384 + len(CUE_NAMES)
    norm = {"mean": rng.normal(size=n).astype(np.float32), "std": np.ones(n, np.float32) * 2}
    heads = [_head(rng, n, 6) for _ in range(3)]
    meta = {"lexical": list(CUE_NAMES)}
    x = rng.normal(size=(5, n)).astype(np.float32)
    singles = [PairModel({**norm, **h}, meta).predict(x) for h in heads]
    stacked = {k: np.stack([h[k] for h in heads]) for k in heads[0]}
    ensemble = PairModel({**norm, **stacked}, meta)
    assert ensemble.heads == 3
    probs = ensemble.predict(x)
    assert np.allclose(probs, np.mean(singles, axis=0), atol=1e-5)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert not np.allclose(singles[0], singles[1])  # the heads really differ
    bad = {**stacked, "b2": stacked["b2"][:2]}
    with pytest.raises(JudgeLoadError, match="inconsistent shapes"):
        PairModel({**norm, **bad}, meta)
