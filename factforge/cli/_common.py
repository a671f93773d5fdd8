"""Shared CLI helpers: settings loading and clean failures (message + exit code 2)."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from factforge.settings import Settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNVERIFIED = 3  # generate: nothing failed, but no check passed (fail closed)

err_console = Console(stderr=True)
out_console = Console()


def plural(count: int, noun: str) -> str:
    """``1 claim``, ``2 claims``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def name_flags(message: str, **given: object) -> str:
    """``message`` with each setting's variable (``FACTFORGE_MODEL``) replaced by the flag the
    user gave for it (``--model``), so the error names what the user typed."""
    for name, value in given.items():
        if value is not None:
            message = message.replace(f"FACTFORGE_{name.upper()}", f"--{name.replace('_', '-')}")
    return message


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print ``error: message`` to stderr and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def load_settings(**overrides: Any) -> Settings:
    """Settings from env/.env with CLI overrides; a bad value is a clear usage error."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        given = {k for k, v in overrides.items() if v is not None}

        def where(loc: tuple[object, ...]) -> str:
            if loc and loc[0] in given:  # the user's flag, not the setting behind it
                return "--" + str(loc[0]).replace("_", "-")
            return ".".join(str(p) for p in loc) or "settings"

        problems = "; ".join(f"{where(tuple(e['loc']))}: {e['msg']}" for e in exc.errors())
        fail(f"invalid configuration: {problems}")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()
