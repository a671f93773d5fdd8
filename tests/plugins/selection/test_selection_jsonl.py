"""select_jsonl: files in, one choice per task out; bad files are clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plugins.selection import Limits, SelectionInputError, SelectionOptions, select_jsonl

OPTS = SelectionOptions(limits=Limits(check_timeout_s=0.5, total_timeout_s=5.0), workers=2)
PROMPT = 'def inc(x):\n    """\n    >>> inc(1)\n    2\n    """\n'


def _write(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "tasks": _write(
            tmp_path / "tasks.jsonl", [{"task_id": "t1", "prompt": PROMPT, "entry_point": "inc"}]
        ),
        "samples": _write(
            tmp_path / "samples.jsonl",
            [
                {"task_id": "t1", "completion": "    return x\n", "passed": True},
                {"task_id": "t1", "completion": "    return x + 1\n"},
            ],
        ),
        "tests": _write(
            tmp_path / "tests.jsonl", [{"task_id": "t1", "tests": ["assert inc(5) == 6"]}]
        ),
    }


@pytest.mark.integration
def test_round_trip(files, tmp_path):
    out = tmp_path / "sub" / "choices.jsonl"
    results = select_jsonl(files["tasks"], files["samples"], out, files["tests"], OPTS)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r.index for r in results] == [1]
    assert rows[0]["task_id"] == "t1" and rows[0]["index"] == 1
    assert rows[0]["completion"] == "    return x + 1\n" and rows[0]["completion_mode"] is True
    assert rows[0]["evidence"][1]["tests_passed"] == 1 and rows[0]["n_tests"] == 1


@pytest.mark.parametrize(
    ("which", "content", "message"),
    [
        ("tasks", None, "no such file"),
        ("samples", ['{"task_id": "t1", "completion": "x"}', "{not json"], r"samples.jsonl:2: not"),
        ("samples", [{"task_id": "t1"}], "'completion' is missing"),
        ("samples", [{"task_id": "nope", "completion": "x"}], "unknown task_id 'nope'"),
        ("tests", [{"task_id": "zz", "tests": "assert 1"}], "unknown task_id 'zz'"),
        ("tests", [{"task_id": "t1", "tests": [1]}], "list of strings"),
        ("samples", [], "no samples"),
    ],
)
def test_bad_files_are_clear_errors(files, tmp_path, which, content, message):
    if content is None:
        files[which].unlink()
    else:
        _write(files[which], content)
    with pytest.raises(SelectionInputError, match=message):
        select_jsonl(files["tasks"], files["samples"], tmp_path / "o.jsonl", files["tests"], OPTS)
