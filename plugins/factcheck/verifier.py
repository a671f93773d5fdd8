"""The ``factcheck`` verifier: checks a candidate's explanation, docstrings and comments."""

from __future__ import annotations

from collections.abc import Callable

from plugins.factcheck.checker import FactChecker
from plugins.factcheck.claims import extract_code_claims
from plugins.factcheck.types import ClaimCheck
from plugins.verdict import Candidate, Finding, Verdict

__all__ = ["FactCheckVerifier"]


def _evidence_text(check: ClaimCheck) -> str | None:
    if not check.evidence:
        return None
    return "\n".join(f"[{e.source or e.id}] {e.text}" for e in check.evidence[:3])


class FactCheckVerifier:
    """REFUTED claims fail the candidate when the judge is at least ``fail_confidence`` sure,
    else they warn. No claims, or an empty knowledge base, skip the check.

    ``kb_size`` (optional) returns how many passages the knowledge base holds; 0 means empty.
    """

    name = "factcheck"

    def __init__(
        self,
        checker: FactChecker,
        *,
        collection: str | None = None,
        fail_confidence: float = 0.8,
        kb_size: Callable[[], int] | None = None,
    ) -> None:
        self.checker = checker
        self.collection = collection
        self.fail_confidence = fail_confidence
        self.kb_size = kb_size

    def verify(self, candidate: Candidate) -> Verdict:
        claims = extract_code_claims(
            candidate.code, explanation=candidate.explanation, language=candidate.language
        )
        if not claims:
            return Verdict(self.name, "skipped", None, "no factual claims to check")
        if self.kb_size is not None and self.kb_size() == 0:
            return Verdict(self.name, "skipped", None, "the knowledge base is empty")
        claims = claims[: self.checker.limits.max_claims]
        report = self.checker.check_claims(claims, collection=self.collection)
        if all(not c.evidence for c in report.claims):
            return Verdict(
                self.name, "skipped", None, "the knowledge base returned no passages (is it empty?)"
            )
        where = {c.text: c.location for c in claims}
        findings: list[Finding] = []
        failed = False
        for check in report.claims:
            if check.verdict != "REFUTED":
                continue
            severe = check.confidence >= self.fail_confidence
            failed = failed or severe
            findings.append(
                Finding(
                    "refuted_claim" if severe else "doubtful_claim",
                    f"{check.text!r} is contradicted by the knowledge base "
                    f"(confidence {check.confidence:.2f})",
                    where.get(check.text),
                    _evidence_text(check),
                )
            )
        counts = report.counts
        claims = len(report.claims)
        message = (
            f"{claims} claim{'' if claims == 1 else 's'}: {counts.get('SUPPORTED', 0)} supported, "
            f"{counts.get('REFUTED', 0)} refuted, "
            f"{counts.get('NOT_ENOUGH_INFO', 0)} not enough info"
        )
        status = "fail" if failed else ("warn" if findings else "pass")
        return Verdict(self.name, status, report.score, message, tuple(findings))
