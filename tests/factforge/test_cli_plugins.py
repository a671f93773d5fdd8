from __future__ import annotations

import json
from importlib import metadata

from typer.testing import CliRunner

from factforge.cli.plugins import app
from factforge.settings import Settings
from factforge.wiring import plugin_config
from plugins.registry import PluginConfig, PluginRegistry


class _Services:
    def __init__(self, registry: PluginRegistry) -> None:
        self.registry = registry

    def plugin_registry(self) -> PluginRegistry:
        return self.registry


def _broken_registry() -> PluginRegistry:
    ghost = metadata.EntryPoint("ghost", "no_such_module_cli", "factforge.plugins")
    return PluginRegistry(PluginConfig(), entry_points=lambda: [ghost])


def test_list_json_shows_builtins_and_errors() -> None:
    result = CliRunner().invoke(app, ["list", "--json"], obj=_Services(_broken_registry()))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    plugins = {p["name"]: p for p in data["plugins"]}
    assert plugins["syntax"]["status"] == "loaded"
    assert plugins["syntax"]["hooks"] == ["register_verifiers"]
    assert plugins["ghost"]["status"] == "failed"
    assert "no_such_module_cli" in plugins["ghost"]["error"]
    assert [v["name"] for v in data["verifiers"]] == ["syntax", "api_check", "sandbox", "tests",
                                                      "factcheck"]


def test_list_table_and_check_exit_code() -> None:
    result = CliRunner().invoke(app, ["list", "--check"], obj=_Services(_broken_registry()))
    assert result.exit_code == 1
    assert "ghost" in result.output and "failed" in result.output
    ok = CliRunner().invoke(app, ["list", "--check"],
                            obj=_Services(PluginRegistry(PluginConfig(discover=False))))
    assert ok.exit_code == 0 and "api_check" in ok.output


def test_settings_map_onto_the_plugin_config() -> None:
    settings = Settings(test_timeout_s=7.0, plugins_deny="api_check", sandbox_memory_mb=2048)
    config = plugin_config(settings)
    assert config.deny == ("api_check",) and config.allow == ()
    assert config.sandbox.wall_s == 7.0 and config.sandbox.memory_mb == 2048


def test_list_without_services_builds_its_own_registry() -> None:
    result = CliRunner().invoke(app, ["list", "--json"], env={"FACTFORGE_PLUGINS_DENY": ""})
    assert result.exit_code == 0, result.output
    assert {p["name"] for p in json.loads(result.stdout)["plugins"]} >= {"syntax", "tests"}


def test_list_shows_builtin_experts_and_judges() -> None:
    result = CliRunner().invoke(app, ["list", "--json"], env={"FACTFORGE_PLUGINS_DENY": ""})
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"algorithm_design", "test_writer"} <= {e["name"] for e in data["experts"]}
    assert [j["name"] for j in data["judges"]][:5] == ["reader", "builtin", "cross", "nli", "llm"]
    table = CliRunner().invoke(app, ["list"], env={"FACTFORGE_PLUGINS_DENY": ""})
    assert table.exit_code == 0
    assert "algorithm_design" in table.output and "llm" in table.output


def test_allow_matching_nothing_lists_then_exits_2_with_the_names() -> None:
    result = CliRunner().invoke(app, ["list", "--json"],
                                env={"FACTFORGE_PLUGINS_ALLOW": "no_eval"})
    assert result.exit_code == 2
    assert "FACTFORGE_PLUGINS_ALLOW names no plugin, verifier, expert or judge: 'no_eval'" \
        in result.output
    assert "verifiers: api_check, factcheck, sandbox, syntax, tests" in result.output


def test_bad_configuration_is_a_clear_error() -> None:
    result = CliRunner().invoke(app, ["list"], env={"FACTFORGE_TEST_TIMEOUT_S": "-1"})
    assert result.exit_code == 2
    assert "invalid configuration" in result.output and "Traceback" not in result.output
