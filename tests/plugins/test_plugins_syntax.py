from __future__ import annotations

from plugins.builtin.syntax import SyntaxVerifier, ruff_findings
from plugins.verdict import Candidate


def test_syntax_error_has_line_and_column() -> None:
    verdict = SyntaxVerifier().verify(Candidate(code="x = 1\ndef f(:\n    pass\n"))
    assert verdict.status == "fail" and verdict.score == 0.0
    [finding] = verdict.findings
    assert finding.kind == "syntax_error"
    assert finding.location == "line 2, column 7"
    assert finding.evidence == "def f(:"


def test_clean_code_passes() -> None:
    verdict = SyntaxVerifier().verify(Candidate(code="def f(x):\n    return x + 1\n"))
    assert verdict.status == "pass" and verdict.findings == ()


def test_ruff_findings_are_warnings_with_locations() -> None:
    code = "import os\n\n\ndef f():\n    return undefined_name\n"
    verdict = SyntaxVerifier().verify(Candidate(code=code))
    assert verdict.status == "warn" and not verdict.blocking
    codes = {f.evidence: f.location for f in verdict.findings}
    assert codes == {"F401": "line 1, column 8", "F821": "line 5, column 12"}
    assert ruff_findings("x = 1\n") == []


def test_lint_can_be_switched_off_and_other_languages_skip() -> None:
    assert SyntaxVerifier(lint=False).verify(Candidate(code="import os\n")).status == "pass"
    assert SyntaxVerifier().verify(Candidate(code="x", language="rust")).status == "skipped"
    assert SyntaxVerifier().verify(Candidate(code="  \n")).status == "fail"
    null_byte = SyntaxVerifier().verify(Candidate(code="x = '\0'\n"))
    assert null_byte.status in ("pass", "warn", "fail")  # never raises
