"""``factforge plugins``: list the plugins the registry sees (``--json`` for machines)."""

from __future__ import annotations

import json
from typing import Any

import typer

from plugins.errors import PluginsError
from plugins.registry import PluginConfig, PluginRegistry

__all__ = ["app"]

app = typer.Typer(help="Inspect FactForge plugins.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Inspect FactForge plugins."""


def _registry(ctx: typer.Context) -> tuple[PluginRegistry, bool]:
    """The composition root's registry when it put services on the context, else our own."""
    services = ctx.obj
    if services is not None and hasattr(services, "plugin_registry"):
        return services.plugin_registry(), False
    from pydantic import ValidationError

    from factforge.settings import Settings
    from factforge.wiring import plugin_config

    try:
        return PluginRegistry(plugin_config(Settings())), True
    except (ValidationError, PluginsError) as exc:
        typer.echo(f"error: invalid configuration: {exc}", err=True)
        raise typer.Exit(2) from exc


def _print_table(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="FactForge plugins")
    for column in ("plugin", "version", "source", "status", "hooks", "provides"):
        table.add_column(column)
    colour = {"loaded": "green", "failed": "red", "disabled": "yellow"}
    for info in summary["plugins"]:
        status = f"[{colour[info['status']]}]{info['status']}[/]"
        if info["error"]:
            status += f"\n{info['error']}"
        table.add_row(info["name"], info["version"], info["source"], status,
                      ", ".join(h.removeprefix("register_") for h in info["hooks"]),
                      ", ".join(info["provides"]))
    Console().print(table)


@app.command("list")
def list_plugins(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    check: bool = typer.Option(False, "--check", help="Exit 1 when any plugin failed."),
) -> None:
    """List every plugin with its version, hooks, what it provides, and load errors."""
    registry, owned = _registry(ctx)
    try:
        summary = registry.describe()
    finally:
        if owned:
            registry.close()
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        _print_table(summary)
    if check and any(info["status"] == "failed" for info in summary["plugins"]):
        raise typer.Exit(1)
