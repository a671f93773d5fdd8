"""Docs as tests: README's settings table, commands, endpoints and CI command stay true."""

from __future__ import annotations

import re
from pathlib import Path

from factforge.api import create_app
from factforge.cli import app as cli_app
from factforge.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _bash_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, re.DOTALL)]


def test_every_setting_is_in_the_readme_table_and_nothing_else():
    documented = set(re.findall(r"^\| `FACTFORGE_([A-Z0-9_]+)` \|", README, re.MULTILINE))
    fields = {name.upper() for name in Settings.model_fields}
    assert documented == fields, (
        f"undocumented: {sorted(fields - documented)}; stale: {sorted(documented - fields)}"
    )


def test_readme_table_defaults_match_the_settings_class(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.delenv("FACTFORGE_DATA_DIR")  # set for the test session by tests/conftest.py
    settings = Settings()
    for name, default in re.findall(r"^\| `FACTFORGE_([A-Z0-9_]+)` \| `([^`]*)` \|", README,
                                    re.MULTILINE):
        value = getattr(settings, name.lower())
        if isinstance(value, list):
            value = ",".join(value)
        if isinstance(value, bool):
            value = str(value).lower()
        if name == "DATA_DIR":
            assert default == "~/.factforge" and value == Path.home() / ".factforge"
            continue
        assert str(value) == default, name


def test_ci_runs_exactly_the_readme_test_command():
    blocks = _bash_blocks(README.split("## Quick start", 1)[1].split("\n## ", 1)[0])
    main_job, test_command = blocks[0], blocks[1]
    assert "factforge generate" in main_job
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def _command_names(typer_app) -> set[str]:
    names = {c.name for c in typer_app.registered_commands}
    names |= {g.name for g in typer_app.registered_groups}
    return names


def test_every_cli_command_is_documented():
    for name in _command_names(cli_app):
        assert f"`factforge {name}" in README, f"factforge {name} missing from README"


def test_every_http_route_is_documented():
    schema = create_app(Settings()).openapi()
    for path, operations in schema["paths"].items():
        for method in operations:
            documented_path = re.sub(r"\{[^}]+\}", "{id}", path)
            assert f"`{method.upper()} {documented_path}" in README or \
                f"`{method.upper()} {path}" in README, f"{method.upper()} {path} undocumented"
