"""``factforge plugins``: list the plugins the registry sees (``--json`` for machines)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import typer

from factforge.cli._common import fail
from plugins.errors import PluginsError
from plugins.registry import PluginRegistry

if TYPE_CHECKING:
    from factforge.settings import Settings

__all__ = ["app"]

app = typer.Typer(help="Inspect FactForge plugins.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Inspect FactForge plugins."""


def _registry(ctx: typer.Context) -> tuple[PluginRegistry, Settings, bool]:
    """The composition root's registry when it put services on the context, else our own."""
    from pydantic import ValidationError

    from factforge.settings import Settings
    from factforge.wiring import plugin_config

    services = ctx.obj
    try:
        if services is not None and hasattr(services, "plugin_registry"):
            settings = getattr(services, "settings", None) or Settings()
            return services.plugin_registry(), settings, False
        settings = Settings()
        return PluginRegistry(plugin_config(settings)), settings, True
    except (ValidationError, PluginsError) as exc:
        fail(f"invalid configuration: {exc}")


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
    for kind, columns in (("experts", ("name", "plugin", "role", "description")),
                          ("judges", ("name", "plugin", "status", "description"))):
        items = Table(title=kind.capitalize())
        for column in columns:
            items.add_column(column)
        for item in summary[kind]:
            cells = [str(item[c]) for c in columns]
            if item.get("error"):
                cells[2] = f"[red]failed[/]\n{item['error']}"
            items.add_row(*cells)
        Console().print(items)


@app.command("list")
def list_plugins(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    check: bool = typer.Option(False, "--check", help="Exit 1 when any plugin failed."),
) -> None:
    """List every plugin with its version, hooks, what it provides, and load errors."""
    from agents import AgentsError
    from factforge.wiring import describe_plugins

    registry, settings, owned = _registry(ctx)
    try:
        summary = describe_plugins(settings, registry)
    except AgentsError as exc:  # a bad FACTFORGE_EXPERTS_DIR file
        fail(str(exc))
    finally:
        if owned:
            registry.close()
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        _print_table(summary)
    if summary["problems"]:
        fail("invalid plugin configuration: " + "; ".join(summary["problems"]))
    failed = [info for info in summary["plugins"] if info["status"] == "failed"]
    failed += [judge for judge in summary["judges"] if judge["status"] == "failed"]
    if check and failed:
        raise typer.Exit(1)
