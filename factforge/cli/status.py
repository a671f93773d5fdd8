"""``factforge status``: the readiness report of ``GET /readyz``, for operators."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from factforge.cli._common import EXIT_FAILED, EXIT_OK, print_json


def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    timeout: Annotated[
        float, typer.Option(min=0.1, max=60, help="Seconds each check may take.")
    ] = 2.0,
) -> None:
    """Is the deployment ready? Redis, Chroma and live workers per queue (distributed), or
    the embedded store and Chroma. Exit 1 when something is down."""
    from factforge.health import readiness

    report = readiness(ctx.obj, timeout_s=timeout)
    if as_json:
        print_json(report)
    else:
        table = Table(title=f"FactForge {report['mode']} mode: {report['status']}")
        table.add_column("check")
        table.add_column("state")
        table.add_column("detail")
        for name, check in report["checks"].items():
            detail = check["detail"]
            if check.get("workers"):
                detail += ": " + ", ".join(check["workers"])
            table.add_row(name, "[green]up[/]" if check["ok"] else "[bold red]down[/]",
                          escape(detail))
        Console().print(table)
    raise typer.Exit(EXIT_OK if report["status"] == "ready" else EXIT_FAILED)
