from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from factforge.api.routes.plugins import router
from plugins.registry import PluginConfig, PluginRegistry


class _Services:
    def __init__(self) -> None:
        self.registry = PluginRegistry(PluginConfig(discover=False, deny=("tests",)))

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
    assert body["experts"] == [] and body["judges"] == []
