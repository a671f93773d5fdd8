"""Built-in ``sandbox`` verifier: run the code and the prompt's docstring examples, jailed."""

from __future__ import annotations

from plugins.builtin._verdicts import sandbox_verdict
from plugins.errors import SandboxError
from plugins.hookspecs import hookimpl
from plugins.sandbox import Program, Sandbox, extract_examples
from plugins.specs import VerifierContext, VerifierSpec
from plugins.verdict import Candidate, Finding, Verdict

__all__ = ["SandboxVerifier"]


class SandboxVerifier:
    """Executes the candidate module and checks every ``>>>`` example in the prompt."""

    name = "sandbox"

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def verify(self, candidate: Candidate) -> Verdict:
        if candidate.language != "python":
            return Verdict(self.name, "skipped", None, f"no runner for {candidate.language}")
        if not candidate.code.strip():
            return Verdict(self.name, "skipped", None, "no code to run")
        examples = extract_examples(candidate.prompt)
        program = Program(candidate.code, "", examples, candidate.entry_point)
        try:
            result = self.sandbox.run(program)
        except SandboxError as exc:
            return Verdict(self.name, "error", None, str(exc), (Finding("sandbox", str(exc)),))
        what = f"{len(examples)} docstring example(s)" if examples else "module execution"
        return sandbox_verdict(self.name, result, what)


@hookimpl
def register_verifiers(register) -> None:  # type: ignore[no-untyped-def]
    def factory(context: VerifierContext) -> SandboxVerifier:
        return SandboxVerifier(context.sandbox or Sandbox())

    register(
        VerifierSpec(
            "sandbox", factory, "Runs the code and the prompt's >>> examples in the jail", 30
        )
    )
