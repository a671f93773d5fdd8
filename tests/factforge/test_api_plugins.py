from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

import pytest

from factforge.api import create_app
from factforge.api.routes.plugins import router
from factforge.settings import Settings
from plugins import PluginConfigError
from plugins.registry import PluginConfig, PluginRegistry


class _Services:
    def __init__(self) -> None:
        self.registry = PluginRegistry(PluginConfig(discover=False, deny=("tests",)))
        self.settings = Settings()

    def plugin_registry(self) -> PluginRegistry:
        return self.registry


def test_get_plugins_lists_registry() -> None:
    app = FastAPI()
    app.state.services = _Services()
    app.include_router(router, prefix="/v1")
    with TestClient(app) as client:
        response = client.get("/v1/plugins")
    assert response.status_code == 200
    body = response.json()
    status = {p["name"]: p["status"] for p in body["plugins"]}
    assert status == {"syntax": "loaded", "sandbox": "loaded", "tests": "disabled",
                      "api_check": "loaded", "factcheck": "loaded"}
    assert [v["name"] for v in body["verifiers"]] == ["syntax", "api_check", "sandbox",
                                                      "factcheck"]
    # a stock install lists its built-in experts and judges too (issue 13: both were empty)
    experts = {e["name"]: e for e in body["experts"]}
    assert set(experts) == {"algorithm_design", "complexity_review", "security_review",
                            "syntax_check", "test_writer"}
    assert experts["algorithm_design"]["plugin"] == "builtin"
    assert experts["algorithm_design"]["role"] == "author"
    assert all(e["description"] for e in body["experts"])
    assert [(j["name"], j["plugin"], j["status"]) for j in body["judges"]] == [
        ("reader", "builtin", "loaded"), ("builtin", "builtin", "loaded"),
        ("cross", "builtin", "loaded"),
        ("nli", "builtin", "loaded"), ("llm", "builtin", "loaded")]
    assert body["problems"] == []


def test_api_refuses_to_start_when_allow_matches_nothing(tmp_path) -> None:
    app = create_app(Settings(data_dir=tmp_path, plugins_allow="no_eval"))
    with pytest.raises(PluginConfigError) as info, TestClient(app):
        pass
    message = str(info.value)
    assert "FACTFORGE_PLUGINS_ALLOW names no plugin, verifier, expert or judge: 'no_eval'" \
        in message
    assert "verifiers: api_check, factcheck, sandbox, syntax, tests" in message
