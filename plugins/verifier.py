"""The verifier contract and the isolated runner every verifier goes through."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from plugins.verdict import Candidate, Verdict

log = logging.getLogger(__name__)


@runtime_checkable
class Verifier(Protocol):
    """Checks one candidate answer and returns exactly one :class:`Verdict`.

    ``name`` is the verdict's ``plugin`` field. A verifier must not raise for a bad candidate
    (that is a ``fail`` verdict); an exception it raises is turned into an ``error`` verdict
    and the job goes on.
    """

    name: str

    def verify(self, candidate: Candidate) -> Verdict: ...


def run_verifiers(candidate: Candidate, verifiers: Sequence[Verifier]) -> list[Verdict]:
    """Run every verifier on ``candidate``; an exception becomes that verifier's ``error``."""
    verdicts: list[Verdict] = []
    for verifier in verifiers:
        try:
            verdict = verifier.verify(candidate)
        except Exception as exc:  # noqa: BLE001 - isolation is the point
            log.warning("verifier %s raised %r", verifier.name, exc)
            verdict = Verdict(verifier.name, "error", None, f"verifier raised {exc!r}")
        verdicts.append(verdict)
    return verdicts
