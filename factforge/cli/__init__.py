"""The ``factforge`` command line."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from factforge.cli import experts as experts_cli
from factforge.cli import kb as kb_cli
from factforge.cli import plugins as plugins_cli
from factforge.cli._common import load_settings
from factforge.cli.factcheck import factcheck
from factforge.cli.generate import generate
from factforge.cli.mcp import mcp_command
from factforge.cli.select import select_command
from factforge.cli.serve import serve
from factforge.cli.status import status
from factforge.cli.worker import worker
from factforge.logs import configure_logging
from factforge.services import Services

app = typer.Typer(
    name="factforge",
    help="Verification-first code generation: expert-routed, verified, fact-checked.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("generate")(generate)
app.command("serve")(serve)
app.add_typer(plugins_cli.app, name="plugins")
app.add_typer(kb_cli.app, name="kb")
app.add_typer(experts_cli.app, name="experts")
app.command("select")(select_command)
app.command("factcheck")(factcheck)
app.command("worker")(worker)
app.command("status")(status)
app.command("mcp")(mcp_command)


@app.callback()
def _root(
    ctx: typer.Context,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log at INFO level.")] = False,
) -> None:
    """FactForge command line."""
    settings = load_settings()
    configure_logging(settings.log_json, logging.INFO if verbose else logging.WARNING)
    services = Services(settings)
    ctx.obj = services
    ctx.call_on_close(services.close)


def main() -> None:
    app()


__all__ = ["app", "main"]
