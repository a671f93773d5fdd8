import numpy as np
import pytest

from knowledge.types import SearchHit
from plugins.factcheck.aggregate import PairJudge, decisive_evidence, discount_claim_prior
from plugins.factcheck.errors import JudgeLoadError, UnknownJudgeError
from plugins.factcheck.judge import Judge, make_judge


def test_unknown_judge_name():
    with pytest.raises(UnknownJudgeError, match="builtin, cross, nli, llm"):
        make_judge("oracle")


def test_bad_options_are_clear():
    with pytest.raises(UnknownJudgeError, match="bad options"):
        make_judge("llm", temperature=3)
    with pytest.raises(JudgeLoadError):
        make_judge("llm")


def test_registry_builds_protocol_objects(embedder):
    assert isinstance(make_judge("builtin", encoder=embedder), Judge)
    assert isinstance(make_judge("llm", complete=lambda p: "{}"), Judge)
    assert isinstance(make_judge("nli", model="/nonexistent"), Judge)  # lazy


def test_decisive_evidence():
    probs = np.array([[0.1, 0.1, 0.8], [0.2, 0.7, 0.1]])
    j = decisive_evidence(probs)
    assert (j.label, round(j.confidence, 2)) == ("REFUTED", 0.7)
    assert decisive_evidence(np.array([[0.45, 0.3, 0.25]])).label == "NOT_ENOUGH_INFO"
    assert decisive_evidence(np.array([[0.45, 0.3, 0.25]]), min_decisive=0.4).label == "SUPPORTED"
    assert decisive_evidence(np.zeros((0, 3))).label == "NOT_ENOUGH_INFO"


def test_discount_claim_prior():
    probs = np.array([[0.3, 0.6, 0.1], [0.2, 0.2, 0.6]])
    assert np.allclose(discount_claim_prior(probs, np.array([0.1, 0.8, 0.1]), 0.0), probs)
    uniform = discount_claim_prior(probs, np.full(3, 1 / 3), 0.5)
    assert np.allclose(uniform, probs)  # a claim with no lean keeps its probabilities
    leans_refuted = discount_claim_prior(probs, np.array([[0.05, 0.9, 0.05]] * 2), 1.0)
    assert np.allclose(leans_refuted.sum(axis=1), 1.0)
    assert leans_refuted[0].argmax() == 0  # REFUTED came from the wording, not the evidence
    half = discount_claim_prior(probs, np.array([[0.05, 0.9, 0.05]] * 2), 0.5)
    assert probs[0, 0] < half[0, 0] < leans_refuted[0, 0]


class _LeaningJudge(PairJudge):
    """Pairs score by a table; against empty evidence a claim leans REFUTED."""

    name = "leaning"

    def __init__(self, claim_prior: float) -> None:
        self.claim_prior = claim_prior
        self.calls: list[tuple[list[str], list[str]]] = []

    def pair_probs(self, claims, evidences):
        self.calls.append((list(claims), list(evidences)))
        rows = [[0.1, 0.8, 0.1] if e == "" else [0.35, 0.45, 0.2] for e in evidences]
        return np.array(rows, dtype=np.float32).reshape(-1, 3)


def test_pair_judge_discounts_each_claims_own_lean_once():
    hits = [SearchHit("a", "s", "one", 1.0), SearchHit("b", "s", "two", 1.0)]
    plain = _LeaningJudge(0.0).judge_many(["c1", "c2"], [hits, hits[:1]])
    assert [j.label for j in plain] == ["NOT_ENOUGH_INFO", "NOT_ENOUGH_INFO"]
    judge = _LeaningJudge(1.0)
    got = judge.judge_many(["c1", "c2"], [hits, hits[:1]])
    assert [j.label for j in got] == ["SUPPORTED", "SUPPORTED"]
    assert judge.calls[1] == (["c1", "c2"], ["", ""])  # one prior pass per distinct claim
    assert judge.judge_many(["c3"], [[]])[0].label == "NOT_ENOUGH_INFO"
