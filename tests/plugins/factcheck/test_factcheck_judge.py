import numpy as np
import pytest

from plugins.factcheck.aggregate import decisive_evidence
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
