"""The app factory: auth, size limit, error shape, health and metrics."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from factforge.api import create_app
from factforge.settings import Settings


@pytest.fixture
def client(tmp_path):
    settings = Settings(api_keys=["secret-1", "secret-2"], data_dir=tmp_path,
                        max_request_bytes=2048)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_health_is_open_and_reports_mode(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "mode": "embedded"}


def test_v1_needs_a_valid_bearer_key(client):
    missing = client.get("/v1/experts")
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "unauthorized"
    assert "Bearer" in missing.json()["error"]["message"]
    wrong = client.get("/v1/experts", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    ok = client.get("/v1/experts", headers={"Authorization": "Bearer secret-2"})
    assert ok.status_code == 200
    names = {e["name"] for e in ok.json()}
    assert {"algorithm_design", "syntax_check"} <= names


def test_oversized_body_is_413_with_reason(client):
    response = client.post("/v1/experts", content=b"x" * 5000,
                           headers={"Authorization": "Bearer secret-1"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_unknown_route_is_404_json(client):
    response = client.get("/v1/nope", headers={"Authorization": "Bearer secret-1"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_metrics_count_requests(client):
    client.get("/healthz")
    client.get("/v1/experts")
    text = client.get("/metrics").text
    assert 'route="/healthz",status="200"' in text
    assert 'route="/v1/experts",status="401"' in text


def test_open_api_without_keys(tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        assert client.get("/v1/experts").status_code == 200
        schema = client.get("/openapi.json").json()
        assert "/v1/experts" in schema["paths"]
