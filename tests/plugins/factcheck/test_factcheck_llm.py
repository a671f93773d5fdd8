"""The llm judge: strict JSON parsing with a NOT_ENOUGH_INFO fallback, both model shapes."""

from dataclasses import dataclass

import pytest

from knowledge.types import SearchHit
from plugins.factcheck.errors import JudgeError, JudgeLoadError
from plugins.factcheck.llm import LLMJudge, build_prompt, parse_answer

HITS = [
    SearchHit("a", "kb", "Water boils at 100 C at sea level.", 0.9),
    SearchHit("b", "kb", "Ice melts at 0 C.", 0.5),
]


def test_prompt_numbers_the_passages():
    prompt = build_prompt("Water boils at 50 C.", HITS)
    assert "Claim: Water boils at 50 C." in prompt
    assert "[1] Water boils" in prompt and "[2] Ice melts" in prompt


@pytest.mark.parametrize(
    ("text", "label", "conf"),
    [
        ('{"label": "REFUTED", "confidence": 0.9, "evidence": [1]}', "REFUTED", 0.9),
        ('Sure! ```json\n{"label": "supported", "confidence": 1.5}\n```', "SUPPORTED", 1.0),
        ('{"label": "REFUTES", "confidence": 0.7}', "REFUTED", 0.7),
        ("The claim is false.", "NOT_ENOUGH_INFO", 0.0),
        ('{"label": "MAYBE", "confidence": 0.9}', "NOT_ENOUGH_INFO", 0.0),
        ('{"label": "REFUTED", "confidence": "high"}', "NOT_ENOUGH_INFO", 0.0),
        ('{"label": "REFUTED", "confidence": 0.8', "NOT_ENOUGH_INFO", 0.0),
        ("", "NOT_ENOUGH_INFO", 0.0),
    ],
)
def test_parse_answer(text, label, conf):
    j = parse_answer(text, 2)
    assert (j.label, j.confidence) == (label, conf)


def test_cited_passages_get_the_label():
    j = parse_answer('{"label": "REFUTED", "confidence": 0.9, "evidence": [1]}', 2)
    assert j.evidence_scores[0]["REFUTED"] == 0.9
    assert j.evidence_scores[1]["NOT_ENOUGH_INFO"] == 1.0


def test_complete_callable():
    seen = []

    def complete(prompt):
        seen.append(prompt)
        return '{"label": "REFUTED", "confidence": 0.8}'

    judge = LLMJudge(complete)
    out = judge.judge_many(["Water boils at 50 C.", "No evidence here."], [HITS, []])
    assert [j.label for j in out] == ["REFUTED", "NOT_ENOUGH_INFO"]
    assert len(seen) == 1 and "JSON" in seen[0]


@dataclass
class _Gen:
    text: str


class _Backend:
    name = "fake"

    def __init__(self, answer):
        self.answer = answer
        self.requests = []

    def generate(self, requests):
        self.requests.extend(requests)
        return [_Gen(self.answer) for _ in requests]


def test_backend_with_request_factory_batches():
    backend = _Backend('{"label": "SUPPORTED", "confidence": 0.6}')
    judge = LLMJudge(backend=backend, make_request=lambda system, user: (system, user))
    out = judge.judge_many(["a claim", "another claim"], [HITS, HITS])
    assert [j.label for j in out] == ["SUPPORTED", "SUPPORTED"]
    assert len(backend.requests) == 2 and "fact-checker" in backend.requests[0][0]


def test_wrong_setup_and_failing_model():
    with pytest.raises(JudgeLoadError):
        LLMJudge(backend=_Backend("{}"))

    def broken(prompt):
        raise RuntimeError("server down")

    with pytest.raises(JudgeError, match="server down"):
        LLMJudge(broken).judge("claim", HITS)

    class Short(_Backend):
        def generate(self, requests):
            return []

    with pytest.raises(JudgeError, match="answers"):
        LLMJudge(backend=Short(""), make_request=lambda s, u: u).judge("claim", HITS)
