"""The sandbox and tests verifiers turn sandbox results into verdicts."""

from __future__ import annotations

import pytest

from plugins.builtin.sandbox import SandboxVerifier
from plugins.builtin.tests import TestsVerifier
from plugins.registry import PluginConfig, PluginRegistry, verify
from plugins.sandbox import Sandbox
from plugins.verdict import Candidate

pytestmark = pytest.mark.integration

PROMPT = 'def double(x):\n    """\n    >>> double(2)\n    4\n    >>> double(5)\n    10\n    """\n'


def test_tests_verifier_pass_fail_skip(sandbox: Sandbox) -> None:
    verifier = TestsVerifier(sandbox)
    good = Candidate(code="def double(x):\n    return 2 * x\n", tests="assert double(3) == 6\n")
    assert verifier.verify(good).status == "pass"
    bad = Candidate(
        code="def double(x):\n    return x\n",
        tests="def test_three():\n    assert double(3) == 6\n",
    )
    verdict = verifier.verify(bad)
    assert verdict.status == "fail" and verdict.findings[0].kind == "test_failure"
    assert verdict.findings[0].location == "tests line 2"
    assert verifier.verify(Candidate(code="x = 1")).status == "skipped"


def test_sandbox_verifier_checks_docstring_examples(sandbox: Sandbox) -> None:
    verifier = SandboxVerifier(sandbox)
    ok = verifier.verify(Candidate(code="def double(x):\n    return x * 2\n", prompt=PROMPT))
    assert ok.status == "pass" and "2 docstring example" in ok.message
    wrong = verifier.verify(Candidate(code="def double(x):\n    return x + 2\n", prompt=PROMPT))
    assert wrong.status == "fail" and wrong.score == 0.5
    [finding] = wrong.findings
    assert finding.kind == "example_failure" and finding.location == "prompt line 5"
    assert finding.evidence == "10"


def test_timeouts_are_failures_not_crashes() -> None:
    from plugins.sandbox import SandboxLimits

    with PluginRegistry(
        PluginConfig(discover=False, allow=("tests",), sandbox=SandboxLimits(wall_s=1, cpu_s=5))
    ) as registry:
        [verdict] = verify(Candidate(code="import time\ntime.sleep(30)\n", tests="pass"), registry)
    assert verdict.status == "fail" and verdict.findings[-1].kind == "timeout"


def test_full_builtin_pipeline() -> None:
    code = "def double(x):\n    return 2 * x\n"
    with PluginRegistry(PluginConfig(discover=False)) as registry:
        verdicts = verify(
            Candidate(
                code=code, prompt=PROMPT, tests="assert double(0) == 0\n", entry_point="double"
            ),
            registry,
        )
    assert [(v.plugin, v.status) for v in verdicts] == [
        ("syntax", "pass"),
        ("api_check", "pass"),
        ("sandbox", "pass"),
        ("tests", "pass"),
        ("factcheck", "skipped"),
    ]  # no knowledge base given to this registry
