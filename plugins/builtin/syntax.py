"""Built-in ``syntax`` verifier: the code must parse and compile; ruff findings are warnings."""

from __future__ import annotations

import ast
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

from plugins.hookspecs import hookimpl
from plugins.specs import VerifierContext, VerifierSpec
from plugins.verdict import Candidate, Finding, Verdict

__all__ = ["SyntaxVerifier", "ruff_findings"]

log = logging.getLogger(__name__)

_RULES = "E4,E7,E9,F"  # ruff's default rule set: real errors, not style


def _ruff() -> str | None:
    beside = Path(sys.executable).with_name("ruff")
    return str(beside) if beside.is_file() else shutil.which("ruff")


def ruff_findings(code: str, timeout_s: float = 10.0) -> list[Finding] | None:
    """Lint ``code`` with ``ruff check`` on stdin; None when ruff is missing or fails."""
    ruff = _ruff()
    if ruff is None:
        return None
    cmd = [
        ruff,
        "check",
        "--isolated",
        "--select",
        _RULES,
        "--output-format",
        "json",
        "--stdin-filename",
        "candidate.py",
        "-",
    ]
    try:
        proc = subprocess.run(
            cmd, input=code, capture_output=True, text=True, timeout=timeout_s, check=False
        )
        items = json.loads(proc.stdout or "[]")
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        log.warning("ruff failed: %r", exc)
        return None
    findings = []
    for item in items:
        loc = item.get("location") or {}
        findings.append(
            Finding(
                "lint",
                f"{item.get('code')}: {item.get('message')}",
                f"line {loc.get('row')}, column {loc.get('column')}",
                item.get("code"),
            )
        )
    return findings


class SyntaxVerifier:
    name = "syntax"

    def __init__(self, lint: bool = True) -> None:
        self.lint = lint

    def verify(self, candidate: Candidate) -> Verdict:
        if candidate.language != "python":
            return Verdict(self.name, "skipped", None, f"no checker for {candidate.language}")
        if not candidate.code.strip():
            return Verdict(self.name, "fail", 0.0, "no code", (Finding("empty", "no code"),))
        try:
            tree = ast.parse(candidate.code)
            compile(tree, "<candidate>", "exec")
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None)
            col = getattr(exc, "offset", None)
            where = f"line {line}, column {col}" if line else "unknown position"
            msg = getattr(exc, "msg", str(exc))
            text = (getattr(exc, "text", None) or "").rstrip() or None
            finding = Finding("syntax_error", msg, where, text)
            return Verdict(self.name, "fail", 0.0, f"syntax error at {where}: {msg}", (finding,))
        lint = ruff_findings(candidate.code) if self.lint else None
        if lint:
            return Verdict(
                self.name,
                "warn",
                1.0,
                f"parses and compiles; {len(lint)} lint finding(s)",
                tuple(lint),
            )
        note = "" if lint is not None or not self.lint else " (ruff unavailable: not linted)"
        return Verdict(self.name, "pass", 1.0, "parses and compiles" + note)


@hookimpl
def register_verifiers(register) -> None:  # type: ignore[no-untyped-def]
    def factory(context: VerifierContext) -> SyntaxVerifier:
        return SyntaxVerifier(lint=bool(context.options_for("syntax").get("lint", True)))

    register(VerifierSpec("syntax", factory, "Parses and compiles; ruff lint as warnings", 10))
