"""Built-in ``syntax`` verifier: the code must parse and compile."""

from __future__ import annotations

import ast

from plugins.verdict import Candidate, Finding, Verdict


class SyntaxVerifier:
    name = "syntax"

    def verify(self, candidate: Candidate) -> Verdict:
        if candidate.language != "python":
            return Verdict(self.name, "skipped", None, f"no checker for {candidate.language}")
        if not candidate.code.strip():
            return Verdict(self.name, "fail", 0.0, "no code", (Finding("empty", "no code"),))
        try:
            tree = ast.parse(candidate.code)
            compile(tree, "<candidate>", "exec")
        except SyntaxError as exc:
            where = f"line {exc.lineno}, column {exc.offset}"
            finding = Finding("syntax_error", exc.msg, where, (exc.text or "").rstrip() or None)
            return Verdict(self.name, "fail", 0.0, f"syntax error at {where}: {exc.msg}",
                           (finding,))
        return Verdict(self.name, "pass", 1.0, "parses and compiles")
