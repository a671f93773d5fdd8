"""Built-in ``tests`` verifier: run the candidate with the test writer's tests, jailed."""

from __future__ import annotations

from plugins.builtin._verdicts import sandbox_verdict
from plugins.errors import SandboxError
from plugins.hookspecs import hookimpl
from plugins.sandbox import Program, Sandbox
from plugins.specs import VerifierContext, VerifierSpec
from plugins.verdict import Candidate, Finding, Verdict

__all__ = ["TestsVerifier"]


class TestsVerifier:
    """Runs asserts, ``check(entry_point)``, ``test_*`` functions and TestCase classes."""

    __test__ = False  # not a pytest class
    name = "tests"

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def verify(self, candidate: Candidate) -> Verdict:
        if candidate.language != "python":
            return Verdict(self.name, "skipped", None, f"no runner for {candidate.language}")
        if not candidate.tests.strip():
            return Verdict(self.name, "skipped", None, "no tests were written")
        program = Program(candidate.code, candidate.tests, (), candidate.entry_point)
        try:
            result = self.sandbox.run(program)
        except SandboxError as exc:
            return Verdict(self.name, "error", None, str(exc), (Finding("sandbox", str(exc)),))
        return sandbox_verdict(self.name, result, "tests")


@hookimpl
def register_verifiers(register) -> None:  # type: ignore[no-untyped-def]
    def factory(context: VerifierContext) -> TestsVerifier:
        return TestsVerifier(context.sandbox or Sandbox())

    register(VerifierSpec("tests", factory, "Runs the test writer's tests in the jail", 40))
