"""The ``factcheck`` verifier on candidates whose docs state true and false facts."""

import pytest

from plugins.factcheck.checker import FactChecker
from plugins.factcheck.memory import InMemoryRetriever
from plugins.factcheck.verifier import FactCheckVerifier
from plugins.verdict import Candidate
from plugins.verifier import Verifier, run_verifiers

FALSE_DOC = '''
def boil_point():
    """Return the boiling point of water.

    Pure water boils at 40 degrees Celsius at sea level.
    """
    return 40
'''

TRUE_DOC = '''
def boil_point():
    """Pure water boils at 100 degrees Celsius at sea level."""
    # Lists in Python are mutable.
    return 100
'''


@pytest.fixture(scope="module")
def verifier(retriever, builtin_judge):
    return FactCheckVerifier(FactChecker(retriever, builtin_judge), kb_size=retriever.count)


def test_is_a_verifier(verifier):
    assert isinstance(verifier, Verifier) and verifier.name == "factcheck"


def test_false_docstring_fails_with_evidence(verifier):
    verdict = verifier.verify(Candidate(code=FALSE_DOC))
    assert verdict.status in ("fail", "warn")
    assert verdict.blocking == (verdict.status == "fail")
    finding = verdict.findings[0]
    assert "40 degrees" in finding.message
    assert finding.location.startswith("docstring of boil_point")
    assert "100 degrees" in finding.evidence
    assert verdict.score is not None and verdict.score < 0.5


def test_strict_threshold_fails_and_lenient_warns(retriever, builtin_judge):
    checker = FactChecker(retriever, builtin_judge)
    strict = FactCheckVerifier(checker, fail_confidence=0.0).verify(Candidate(code=FALSE_DOC))
    lenient = FactCheckVerifier(checker, fail_confidence=1.01).verify(Candidate(code=FALSE_DOC))
    assert (strict.status, lenient.status) == ("fail", "warn")
    assert strict.findings[0].kind == "refuted_claim"
    assert lenient.findings[0].kind == "doubtful_claim"


def test_true_docs_and_explanation_pass(verifier):
    verdict = verifier.verify(Candidate(code=TRUE_DOC, explanation="The Eiffel Tower is in Paris."))
    assert verdict.status == "pass", verdict
    assert verdict.findings == ()
    assert "3 claims" in verdict.message


def test_no_claims_is_skipped(verifier):
    verdict = verifier.verify(Candidate(code="def f(x):\n    return x + 1\n"))
    assert verdict.status == "skipped" and "no factual claims" in verdict.message


def test_empty_kb_is_skipped(embedder, builtin_judge):
    empty = InMemoryRetriever(embedder)
    empty.add([])
    verifier = FactCheckVerifier(FactChecker(empty, builtin_judge), kb_size=empty.count)
    verdict = verifier.verify(Candidate(code=FALSE_DOC))
    assert verdict.status == "skipped" and "empty" in verdict.message
    # without kb_size the checker notices that no passages came back
    verdict = FactCheckVerifier(FactChecker(empty, builtin_judge)).verify(Candidate(code=FALSE_DOC))
    assert verdict.status == "skipped" and "no passages" in verdict.message


def test_runs_under_run_verifiers(verifier):
    [verdict] = run_verifiers(Candidate(code=FALSE_DOC), [verifier])
    assert verdict.plugin == "factcheck" and verdict.status in ("fail", "warn")


def test_many_claims_are_capped_not_an_error(retriever, builtin_judge):
    from plugins.factcheck.checker import FactCheckLimits

    checker = FactChecker(retriever, builtin_judge, limits=FactCheckLimits(max_claims=1))
    verdict = FactCheckVerifier(checker).verify(Candidate(code=TRUE_DOC))
    assert verdict.status == "pass" and "1 claim:" in verdict.message  # not "1 claims"
