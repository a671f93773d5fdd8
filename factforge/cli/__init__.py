"""The ``factforge`` command line."""

from __future__ import annotations

import typer

from factforge.cli.generate import generate

app = typer.Typer(
    name="factforge",
    help="Verification-first code generation: expert-routed, verified, fact-checked.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("generate")(generate)


@app.callback()
def _root() -> None:
    """FactForge command line."""


def main() -> None:
    app()


__all__ = ["app", "main"]
