"""Built-in ``api_check`` verifier: every imported module and ``module.attr`` must exist.

The candidate is only parsed. Names are resolved by a probe that imports the installed
modules inside the sandbox (so a package's import-time side effects stay jailed), falling
back to ``importlib.util.find_spec`` on top-level modules when no sandbox is available. An
optional API index (ingested API docs, source ``python:pkg.mod.obj``) is consulted for names
the environment cannot confirm.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import json
from pathlib import Path
from typing import Any

from plugins.builtin._api_refs import ApiRef, api_refs
from plugins.errors import SandboxError
from plugins.hookspecs import hookimpl
from plugins.sandbox import Program, Sandbox
from plugins.specs import ApiIndex, VerifierContext, VerifierSpec
from plugins.verdict import Candidate, Finding, Verdict

__all__ = ["ApiCheckVerifier"]

_PROBE = Path(__file__).with_name("_api_probe.py")
_MARK = "\n@@API@@"


def _local_resolve(parts: tuple[str, ...]) -> dict[str, Any]:
    """No sandbox: only the top-level module, found without executing anything."""
    try:
        found = importlib.util.find_spec(parts[0]) is not None
    except (ImportError, ValueError):
        found = False
    if found:
        return {"status": "ok", "resolved": parts[0], "shallow": True}
    return {"status": "missing", "missing": parts[0], "index": 0}


class ApiCheckVerifier:
    name = "api_check"

    def __init__(
        self,
        sandbox: Sandbox | None = None,
        api_index: ApiIndex | None = None,
    ) -> None:
        self.sandbox = sandbox
        self.api_index = api_index

    def _probe(self, refs: list[ApiRef]) -> tuple[list[dict[str, Any]], str]:
        if self.sandbox is None:
            return [_local_resolve(r.parts) for r in refs], "top-level modules only"
        names = json.dumps([r.parts for r in refs])
        code = _PROBE.read_text(encoding="utf-8") + f"\n_main({names})\n"
        base = self.sandbox.limits  # importing big packages needs more room than tests
        limits = dataclasses.replace(
            base,
            wall_s=max(30.0, base.wall_s),
            cpu_s=max(30, base.cpu_s),
            memory_mb=max(4096, base.memory_mb),
            output_kb=max(1024, base.output_kb),
        )
        result = self.sandbox.run(Program(code), limits)
        if _MARK not in result.stdout:
            raise SandboxError(f"API probe gave no answer: {result.message}")
        return json.loads(result.stdout.rsplit(_MARK, 1)[1]), "installed environment"

    def _indexed(self, name: str) -> bool | None:
        if self.api_index is None:
            return None
        try:
            return self.api_index(name)
        except Exception:  # noqa: BLE001 - a broken index must not fail the check
            return None

    def verify(self, candidate: Candidate) -> Verdict:
        if candidate.language != "python":
            return Verdict(self.name, "skipped", None, f"no checker for {candidate.language}")
        if not candidate.code.strip():
            return Verdict(self.name, "skipped", None, "no code to check")
        try:
            tree = ast.parse(candidate.code)
        except (SyntaxError, ValueError):
            return Verdict(self.name, "skipped", None, "code does not parse (see syntax)")
        refs = api_refs(tree)
        if not refs:
            return Verdict(self.name, "pass", 1.0, "uses no imported APIs")
        try:
            answers, how = self._probe(refs)
        except SandboxError as exc:
            return Verdict(self.name, "error", None, str(exc), (Finding("sandbox", str(exc)),))
        findings: list[Finding] = []
        failed = 0
        for ref, answer in zip(refs, answers, strict=True):
            finding, fatal = self._judge(ref, answer)
            if finding is not None:
                findings.append(finding)
                failed += fatal
        score = 1.0 - failed / len(refs)
        if failed:
            return Verdict(
                self.name,
                "fail",
                score,
                f"{failed} of {len(refs)} API references do not exist",
                tuple(findings),
            )
        status = "warn" if findings else "pass"
        return Verdict(
            self.name, status, 1.0, f"{len(refs)} API references exist ({how})", tuple(findings)
        )

    def _judge(self, ref: ApiRef, answer: dict[str, Any]) -> tuple[Finding | None, bool]:
        where = f"line {ref.line}, column {ref.column}"
        if answer["status"] == "ok":
            return None, False
        missing = answer["missing"]
        indexed = self._indexed(ref.dotted)
        if answer["status"] == "unknown":
            message = f"{missing} exists but could not be imported to check {ref.dotted}"
            return Finding("api_unverified", message, where, answer.get("reason")), False
        if indexed:
            message = f"{ref.dotted} is documented but not available in this environment"
            return Finding("api_not_installed", message, where), False
        what = "module" if ref.kind == "import" or answer.get("index", 1) == 0 else "name"
        message = f"{what} {missing!r} does not exist ({ref.dotted})"
        if ref.optional:
            return Finding("api_optional_missing", message + " [guarded import]", where), False
        return Finding(
            "api_missing", message, where, "not in the API index" if indexed is False else None
        ), True


@hookimpl
def register_verifiers(register) -> None:  # type: ignore[no-untyped-def]
    def factory(context: VerifierContext) -> ApiCheckVerifier:
        return ApiCheckVerifier(context.sandbox, context.api_index)

    register(VerifierSpec("api_check", factory, "Imported modules and module attributes exist", 20))
