"""Turn a :class:`SandboxResult` into a :class:`Verdict` (shared by sandbox and tests)."""

from __future__ import annotations

from plugins.sandbox import Outcome, SandboxResult
from plugins.verdict import Finding, Verdict

_DEGRADED = ("socket guard", "unchanged")


def _finding(outcome: Outcome, kind: str, where: str) -> Finding:
    location = f"{where} line {outcome.line}" if outcome.line else where
    evidence = outcome.expected if outcome.expected is not None else None
    return Finding(kind, f"{outcome.name}: {outcome.message}".strip(": "), location, evidence)


def sandbox_verdict(plugin: str, result: SandboxResult, checked: str) -> Verdict:
    """``checked`` names what ran (``tests``, ``docstring examples``) for the message."""
    findings: list[Finding] = []
    if result.code_error is not None:
        findings.append(_finding(result.code_error, "runtime_error", "candidate"))
    for outcome in result.examples:
        if outcome.status in ("fail", "error"):
            findings.append(_finding(outcome, "example_failure", "prompt"))
    for outcome in result.tests:
        if outcome.status in ("fail", "error"):
            kind = "test_failure" if outcome.status == "fail" else "test_error"
            findings.append(_finding(outcome, kind, "tests"))
    if result.status not in ("passed", "failed"):
        tail = result.stderr.strip().splitlines()[-5:]
        findings.append(Finding(result.status, result.message, None, "\n".join(tail) or None))
    containment = "; ".join(f"{k}: {v}" for k, v in result.containment.items())
    if any(flag in containment for flag in _DEGRADED):
        findings.append(
            Finding("containment", "sandbox ran with weaker isolation", None, containment)
        )
    total = len(result.examples) + len(result.tests)
    good = sum(o.status == "pass" for o in result.examples + result.tests)
    if result.passed:
        return Verdict(plugin, "pass", 1.0, f"{checked}: {result.message}", tuple(findings))
    score = good / total if total and result.status == "failed" else 0.0
    return Verdict(plugin, "fail", score, f"{checked}: {result.message}", tuple(findings))
