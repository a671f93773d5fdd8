"""Built-in ``tests`` verifier: run the candidate with its tests in a child interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from plugins.verdict import Candidate, Finding, Verdict

_SAFE_ENV_KEYS = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")


def _scrubbed_env() -> dict[str, str]:
    env = {k: os.environ[k] for k in _SAFE_ENV_KEYS if k in os.environ}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


class TestsVerifier:
    """Runs ``code + tests`` with ``python -I`` in a private temp dir under a wall-time limit."""

    name = "tests"
    __test__ = False  # not a pytest test class

    def __init__(self, timeout_s: float = 10.0) -> None:
        self.timeout_s = timeout_s

    def verify(self, candidate: Candidate) -> Verdict:
        if candidate.language != "python":
            return Verdict(self.name, "skipped", None, f"no runner for {candidate.language}")
        if not candidate.tests.strip():
            return Verdict(self.name, "skipped", None, "no tests were written")
        source = candidate.code + "\n\n" + candidate.tests + "\n"
        with tempfile.TemporaryDirectory(prefix="factforge-tests-") as tmp:
            script = Path(tmp) / "candidate_test.py"
            script.write_text(source, encoding="utf-8")
            try:
                proc = subprocess.run(
                    [sys.executable, "-I", str(script)],
                    cwd=tmp,
                    env=_scrubbed_env(),
                    capture_output=True,
                    text=True,
                    timeout=self.timeout_s,
                    start_new_session=True,
                )
            except subprocess.TimeoutExpired:
                finding = Finding("timeout", f"tests ran longer than {self.timeout_s:g} s")
                return Verdict(self.name, "fail", 0.0, finding.message, (finding,))
        if proc.returncode == 0:
            return Verdict(self.name, "pass", 1.0, "tests passed")
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-12:]
        last = tail[-1] if tail else f"exit code {proc.returncode}"
        finding = Finding("test_failure", last, None, "\n".join(tail))
        return Verdict(self.name, "fail", 0.0, f"tests failed: {last}", (finding,))
