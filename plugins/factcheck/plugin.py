"""The ``factcheck`` verifier as a plugin, registered like every other one.

It needs a knowledge base, which only the composition root can build: the root passes
``options["factcheck"]["build"]``, a zero-argument callable returning a
:class:`~plugins.factcheck.verifier.FactCheckVerifier`. Without it the verifier reports
``skipped`` (no knowledge base configured) on every candidate.
"""

from __future__ import annotations

from collections.abc import Callable

from plugins.hookspecs import hookimpl
from plugins.specs import VerifierContext, VerifierSpec
from plugins.verdict import Candidate, Verdict
from plugins.verifier import Verifier

NAME = "factcheck"


class _NoKnowledgeBase:
    name = NAME

    def verify(self, candidate: Candidate) -> Verdict:
        return Verdict(NAME, "skipped", None, "no knowledge base configured for fact-checking")


@hookimpl
def register_verifiers(register: Callable[[VerifierSpec], None]) -> None:
    def factory(context: VerifierContext) -> Verifier:
        build = context.options_for(NAME).get("build")
        return build() if callable(build) else _NoKnowledgeBase()

    register(
        VerifierSpec(
            NAME,
            factory,
            "Checks the explanation, docstrings and comments against the knowledge base",
            80,
        )
    )
