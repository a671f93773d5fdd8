"""Where the CLI writes what: the result on stdout, progress and reports on stderr, errors on
their own line naming the flag the user typed, plurals right, hostile text refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from factforge.cli._common import load_settings, name_flags, plural
from factforge.cli.generate import _Progress, emit_result

ROOT = Path(__file__).resolve().parents[2]
RESULT = {
    "status": "verified", "code": "def add(a, b):\n    return a + b\n", "language": "python",
    "explanation": "Adds.", "rounds": 1, "usage": {"calls": 1}, "timings": {"total": 0.5},
    "experts": [{"name": "algorithm_design", "role": "author", "weight": 1.0, "activated": True}],
    "verdicts": [{"plugin": "syntax", "status": "pass", "message": "ok"}],
}


def test_code_goes_to_stdout_and_the_report_to_stderr(capsys):
    """Before: everything, the code included, on stderr; `> solution.py` wrote nothing."""
    emit_result(RESULT, json_output=False)
    out, err = capsys.readouterr()
    assert out == RESULT["code"]  # exactly the code: `> solution.py` is a runnable file
    assert "Router weights" in err and "VERIFIED" in err and "def add" not in err
    assert "1 round, 1 model call" in err  # not "1 round(s)"


def test_json_goes_to_stdout_alone(capsys):
    emit_result(RESULT, json_output=True)
    out, err = capsys.readouterr()
    assert json.loads(out) == RESULT and err == ""


def test_no_code_writes_nothing_to_stdout(capsys):
    emit_result({**RESULT, "status": "failed", "code": "", "rounds": 3,
                 "usage": {"calls": 2}}, json_output=False)
    out, err = capsys.readouterr()
    assert out == "" and "(no code)" in err and "3 rounds, 2 model calls" in err


def test_progress_in_a_pipe_is_one_line_per_event(capsys):
    progress = _Progress()
    assert progress.lines  # pytest's stderr is not a terminal
    progress({"type": "node", "node": "draft", "data": {"n": 1}})
    progress({"type": "node", "node": "select", "data": {"chosen": 0}})
    assert capsys.readouterr().err == "draft: n=1\nselect: chosen=0\n"


def test_plural():
    assert [plural(n, "claim") for n in (0, 1, 2)] == ["0 claims", "1 claim", "2 claims"]


def test_messages_name_the_flag_the_user_gave():
    message = "Local model path '/x' does not exist. Point FACTFORGE_MODEL at a directory"
    assert name_flags(message, model="/x") == message.replace("FACTFORGE_MODEL", "--model")
    assert name_flags(message, model=None) == message  # from the environment: keep its name
    with pytest.raises(typer.Exit):
        load_settings(backend="magic")


def test_invalid_setting_from_a_flag_names_the_flag(capsys):
    with pytest.raises(typer.Exit) as exit_info:
        load_settings(backend="magic")
    assert exit_info.value.exit_code == 2
    assert "--backend: Input should be" in capsys.readouterr().err


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                   "FACTFORGE_DATA_DIR": str(tmp_path / "data"), **env}
    return subprocess.run([sys.executable, "-m", "factforge", *args], cwd=ROOT,
                          env=environment, capture_output=True, text=True, timeout=600)


@pytest.mark.integration
def test_model_flag_is_named_and_the_error_starts_its_own_line(tmp_path):
    """Before: the message named FACTFORGE_MODEL, glued to the progress table in a pipe."""
    proc = _run(["generate", "Implement quicksort in Python", "--model", "/nonexistent"],
                tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    error_lines = [line for line in proc.stderr.splitlines() if "error:" in line]
    assert len(error_lines) == 1 and error_lines[0].startswith("error: ")
    assert "--model" in proc.stderr and "FACTFORGE_MODEL" not in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.integration
@pytest.mark.parametrize(("args", "message"), [
    (["generate", "sort \udcff"], "prompt is not valid Unicode"),
    (["generate", "sort \x01\x00"], ""),  # argv cannot carry NUL: the OS refuses it
    (["kb", "query", "tower \udcff"], "TEXT is not valid Unicode"),
    (["factcheck", "Paris \udcff is in France."], "not valid Unicode"),
])
def test_invalid_text_in_arguments_is_exit_2(tmp_path, args, message):
    if "\x00" in args[1]:
        with pytest.raises(ValueError, match="null byte"):
            _run(args, tmp_path)
        return
    argv = [a.encode("utf-8", "surrogateescape") for a in args]  # what a shell passes
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                   "FACTFORGE_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run([sys.executable.encode(), b"-m", b"factforge", *argv], cwd=ROOT,
                          env=environment, capture_output=True, timeout=600)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, stderr
    assert message in stderr and "Traceback" not in stderr
