"""The ``factforge`` command line."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from factforge.cli._common import load_settings
from factforge.logs import configure_logging

from factforge.cli.generate import generate
from factforge.cli import plugins as plugins_cli
from factforge.cli.serve import serve

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


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log at INFO level.")] = False,
) -> None:
    """FactForge command line."""
    configure_logging(load_settings().log_json, logging.INFO if verbose else logging.WARNING)


def main() -> None:
    app()


__all__ = ["app", "main"]
