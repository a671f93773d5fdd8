"""Selection over jsonl files.

* tasks: ``{"task_id", "prompt", "entry_point"}`` per line;
* samples: ``{"task_id", "completion"}`` per line (a task's candidates in file order; other
  fields, labels included, are ignored);
* tests (optional): ``{"task_id", "tests": [str, ...] | str}`` per line, model-written tests;
* out: one line per task, ``{"task_id", "index", "completion", "completion_mode", "scores",
  "evidence", "n_examples", "n_tests"}``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from plugins.sandbox import Sandbox
from plugins.selection._select import (
    SelectionOptions,
    SelectionResult,
    SelectionTask,
    select_many,
)
from plugins.selection.errors import SelectionInputError


def _rows(path: Path, required: dict[str, type | tuple[type, ...]]) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        raise SelectionInputError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SelectionInputError(f"{path}: cannot read ({exc})") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SelectionInputError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise SelectionInputError(f"{path}:{number}: expected a JSON object")
        for key, kind in required.items():
            if not isinstance(row.get(key), kind):
                raise SelectionInputError(
                    f"{path}:{number}: field {key!r} is missing or has the wrong type"
                )
        yield row


def _tests(row: dict[str, Any], where: str) -> list[str]:
    tests = row["tests"]
    if isinstance(tests, str):
        return [tests]
    if not all(isinstance(t, str) for t in tests):
        raise SelectionInputError(f"{where}: 'tests' must be a string or a list of strings")
    return list(tests)


def select_jsonl(
    tasks_path: Path,
    samples_path: Path,
    out_path: Path,
    tests_path: Path | None = None,
    options: SelectionOptions | None = None,
    sandbox: Sandbox | None = None,
) -> list[SelectionResult]:
    """Choose one sample per task of ``samples_path``; write the choices to ``out_path``.

    ``sandbox``: the jail to run candidates in; None: one is started for this call."""
    tasks: dict[str, SelectionTask] = {}
    for row in _rows(tasks_path, {"task_id": str, "prompt": str, "entry_point": str}):
        tasks[row["task_id"]] = SelectionTask(row["task_id"], row["prompt"], row["entry_point"])
    samples: dict[str, list[str]] = defaultdict(list)
    for number, row in enumerate(_rows(samples_path, {"task_id": str, "completion": str}), 1):
        if row["task_id"] not in tasks:
            raise SelectionInputError(
                f"{samples_path}: sample {number} has unknown task_id "
                f"{row['task_id']!r} (not in {tasks_path})"
            )
        samples[row["task_id"]].append(row["completion"])
    tests: dict[str, list[str]] | None = None
    if tests_path is not None:
        tests = defaultdict(list)
        for number, row in enumerate(_rows(tests_path, {"task_id": str, "tests": (str, list)}), 1):
            if row["task_id"] not in tasks:
                raise SelectionInputError(
                    f"{tests_path}: row {number} has unknown task_id "
                    f"{row['task_id']!r} (not in {tasks_path})"
                )
            tests[row["task_id"]].extend(_tests(row, f"{tests_path}: row {number}"))
    if not samples:
        raise SelectionInputError(f"{samples_path}: no samples")
    items = [
        (tasks[t], cands, (tests.get(t, []) if tests is not None else None))
        for t, cands in samples.items()
    ]
    results = select_many(items, options, sandbox)
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        with out_path.open("w", encoding="utf-8") as fh:
            for (_task, cands, _), result in zip(items, results):
                row = result.to_dict()
                row["completion"] = cands[result.index]
                row["completion_mode"] = result.evidence[result.index].completion_mode
                fh.write(json.dumps(row) + "\n")
    except OSError as exc:
        raise SelectionInputError(f"{out_path}: cannot write ({exc})") from exc
    return results
