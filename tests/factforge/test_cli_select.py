"""``factforge select`` as the lead mounts it: a typer command over jsonl files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from factforge.cli.select import select_command

PROMPT = 'def inc(x):\n    """\n    >>> inc(1)\n    2\n    """\n'


@pytest.fixture()
def app() -> typer.Typer:
    app = typer.Typer()
    app.command("select")(select_command)

    @app.command("other")
    def other() -> None:  # a second command so "select" is a subcommand, as in the real CLI
        """Unused."""

    return app


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(json.dumps({"task_id": "t1", "prompt": PROMPT, "entry_point": "inc"}) + "\n")
    samples = tmp_path / "samples.jsonl"
    samples.write_text(
        "".join(
            json.dumps({"task_id": "t1", "completion": c}) + "\n"
            for c in ("    return x\n", "    return x + 1\n")
        )
    )
    tests = tmp_path / "tests.jsonl"
    tests.write_text(json.dumps({"task_id": "t1", "tests": "assert inc(5) == 6"}) + "\n")
    return {"tasks": tasks, "samples": samples, "tests": tests, "out": tmp_path / "c.jsonl"}


def _args(files: dict[str, Path], *extra: str) -> list[str]:
    return [
        "select",
        "--tasks",
        str(files["tasks"]),
        "--samples",
        str(files["samples"]),
        "--out",
        str(files["out"]),
        *extra,
    ]


@pytest.mark.integration
def test_round_trip_text_and_json(app, files):
    runner = CliRunner()
    result = runner.invoke(app, _args(files, "--tests", str(files["tests"]), "--workers", "1"))
    assert result.exit_code == 0, result.output
    assert "t1: chose #1 (examples 1/1, tests 1/1)" in result.stdout
    assert json.loads(files["out"].read_text())["index"] == 1
    result = runner.invoke(app, _args(files, "--json"))
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["tasks"] == 1 and summary["choices"][0]["index"] == 1
    assert summary["choices"][0]["tests_total"] is None


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda f: f["samples"].unlink(), "no such file"),
        (lambda f: f["samples"].write_text("{oops\n"), "not valid JSON"),
        (
            lambda f: f["samples"].write_text('{"task_id": "t9", "completion": "x"}\n'),
            "unknown task_id 't9'",
        ),
    ],
)
def test_bad_input_exits_2_with_a_message(app, files, setup, message):
    setup(files)
    result = CliRunner().invoke(app, _args(files))
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output
    result = CliRunner().invoke(app, _args(files, "--json"))
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "selection_bad_input"


def _chosen_index(app, files, *extra: str) -> int:
    """Run select with ``extra`` options (one worker); the index it wrote for task t1."""
    result = CliRunner().invoke(app, _args(files, *extra, "--workers", "1"))
    assert result.exit_code == 0, result.output
    return json.loads(files["out"].read_text())["index"]


@pytest.mark.integration
def test_ranker_choice_and_bad_ranker_settings(app, files, tmp_path):
    runner = CliRunner()
    assert _chosen_index(app, files, "--ranker", "rules") == 1
    result = runner.invoke(app, _args(files, "--ranker", "magic"))
    assert result.exit_code == 2 and "magic" in result.stderr
    broken = tmp_path / "weights.json"
    broken.write_text("{not json")
    result = runner.invoke(app, _args(files, "--weights", str(broken), "--json"))
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "selection_bad_config"


@pytest.mark.integration
def test_executor_choice(app, files, caplog):
    assert _chosen_index(app, files, "--executor", "subprocess") == 1
    assert "WITHOUT the sandbox" in caplog.text
    result = CliRunner().invoke(app, _args(files, "--executor", "docker", "--json"))
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "selection_bad_config" and "docker" in error["message"]
