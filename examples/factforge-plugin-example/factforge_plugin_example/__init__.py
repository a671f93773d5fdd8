"""Example FactForge plugin: the ``no_print`` verifier and the ``logging_reviewer`` expert."""

from __future__ import annotations

import ast
from collections.abc import Callable

from plugins.hookspecs import hookimpl
from plugins.specs import ExpertSpec, VerifierContext, VerifierSpec
from plugins.verdict import Candidate, Finding, Verdict

__all__ = ["NoPrintVerifier"]
__version__ = "0.1.0"


class NoPrintVerifier:
    """Library code should log, not print: each ``print()`` call is a warning."""

    name = "no_print"

    def verify(self, candidate: Candidate) -> Verdict:
        if candidate.language != "python":
            return Verdict(self.name, "skipped", None, "python only")
        try:
            tree = ast.parse(candidate.code)
        except SyntaxError:
            return Verdict(self.name, "skipped", None, "code does not parse")
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                 and isinstance(node.func, ast.Name) and node.func.id == "print"]
        if not calls:
            return Verdict(self.name, "pass", 1.0, "no print() calls")
        findings = tuple(
            Finding("print_call", "print() in library code; use logging",
                    f"line {c.lineno}, column {c.col_offset + 1}") for c in calls)
        return Verdict(self.name, "warn", 0.5, f"{len(calls)} print() call(s)", findings)


@hookimpl
def register_verifiers(register: Callable[[VerifierSpec], None]) -> None:
    def factory(context: VerifierContext) -> NoPrintVerifier:
        return NoPrintVerifier()

    register(VerifierSpec("no_print", factory, "Warns about print() in library code", 90))


@hookimpl
def register_experts(register: Callable[[ExpertSpec], None]) -> None:
    register(ExpertSpec(
        name="logging_reviewer",
        role="reviewer",
        description="Reviews Python code for print debugging and missing logging.",
        system_prompt="You review Python code. Replace print() debugging with the logging "
                      "module and point out every place that swallows errors silently.",
        examples=("add logging to this function", "remove the print statements"),
    ))
