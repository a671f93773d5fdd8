"""``factforge select``: choose the best of n samples per task by execution evidence.

Mount with ``app.command("select")(select_command)``. Exit codes: 0 done, 2 bad input.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer

log = logging.getLogger(__name__)

__all__ = ["select_command"]


def select_command(
    tasks: Annotated[Path, typer.Option(help="jsonl: {task_id, prompt, entry_point} per line")],
    samples: Annotated[Path, typer.Option(help="jsonl: {task_id, completion} per line")],
    out: Annotated[Path, typer.Option(help="jsonl written here: one choice per task")],
    tests: Annotated[
        Path | None,
        typer.Option(help="jsonl: {task_id, tests} model-written tests (never hidden tests)"),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="candidates executed at once")] = 2,
    ranker: Annotated[
        str, typer.Option(help="'learned' (linear ranker over evidence features) or 'rules'")
    ] = "learned",
    weights: Annotated[
        Path | None, typer.Option(help="learned ranker weights JSON (default: the shipped file)")
    ] = None,
    executor: Annotated[
        str,
        typer.Option(
            help="'jail' (the sandbox: no privileges, no network) or 'subprocess' (no jail: "
            "only for hosts where the sandbox cannot start)"
        ),
    ] = "jail",
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable summary")] = False,
) -> None:
    """Rank each task's samples by docstring examples, model-written tests and agreement,
    and write the chosen one per task."""
    from plugins.selection import SelectionError, SelectionOptions, select_jsonl

    try:
        results = select_jsonl(tasks, samples, out, tests, SelectionOptions(
            workers=workers, ranker=ranker, weights=weights, executor=executor))
    except SelectionError as exc:
        if as_json:
            typer.echo(json.dumps({"error": {"code": exc.code, "message": str(exc)}}))
        else:
            typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    summary = [
        {
            "task_id": r.task_id,
            "index": r.index,
            "examples_passed": r.evidence[r.index].examples_passed,
            "examples_total": r.n_examples,
            "tests_passed": r.evidence[r.index].tests_passed,
            "tests_total": r.n_tests,
        }
        for r in results
    ]
    if as_json:
        typer.echo(json.dumps({"out": str(out), "tasks": len(results), "choices": summary}))
        return
    for row in summary:
        tests_part = (
            f", tests {row['tests_passed']}/{row['tests_total']}"
            if row["tests_total"] is not None
            else ""
        )
        typer.echo(
            f"{row['task_id']}: chose #{row['index']} (examples "
            f"{row['examples_passed']}/{row['examples_total']}{tests_part})"
        )
    typer.echo(f"wrote {len(results)} choices to {out}")
