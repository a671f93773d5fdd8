"""The repository passes its own pinned lint rules ([tool.ruff.lint] in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _ruff() -> str:
    beside = Path(sys.executable).with_name("ruff")
    if not beside.is_file():
        pytest.fail("ruff is a dependency of the project and must sit beside the interpreter")
    return str(beside)


def test_repository_is_lint_clean() -> None:
    proc = subprocess.run(
        [_ruff(), "check", "--no-cache", "--output-format", "concise", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
