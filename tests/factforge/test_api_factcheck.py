"""``POST /factcheck`` on a minimal app with a real checker over a tiny in-memory KB."""

import os

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from factforge.api.errors import install_error_handlers
from factforge.api.routes.factcheck import router
from plugins.factcheck import FactCheckLimits
from tests.fixtures.factcheck_services import InMemoryFactCheckServices

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def client():
    app = FastAPI()
    app.include_router(router)
    app.state.services = InMemoryFactCheckServices(
        FactCheckLimits(max_chars=2000, max_claims=5)
    )

    install_error_handlers(app)  # the real ones: {"error": {"code", "message"}}

    with TestClient(app) as c:
        yield c


def test_text_is_checked(client):
    r = client.post(
        "/factcheck",
        json={
            "text": "Pure water boils at 40 degrees Celsius at sea "
            "level. The Eiffel Tower is in Paris."
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    verdicts = {c["text"]: c["verdict"] for c in body["claims"]}
    assert verdicts == {
        "Pure water boils at 40 degrees Celsius at sea level.": "REFUTED",
        "The Eiffel Tower is in Paris.": "SUPPORTED",
    }
    assert body["claims"][0]["evidence"][0]["id"] == "w"
    assert 0 <= body["score"] <= 1 and body["judge"] == "reader"  # the default


def test_claims_list_and_top_k(client):
    r = client.post("/factcheck", json={"claims": ["The Eiffel Tower is in Paris."], "top_k": 1})
    assert r.status_code == 200
    assert len(r.json()["claims"][0]["evidence"]) == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"text": ""},
        {"text": "   "},
        {},
        {"claims": []},
        {"claims": ["  "]},
        {"text": "Water is wet.", "claims": ["Water is wet."]},
    ],
)
def test_empty_or_ambiguous_input_is_422(client, payload):
    r = client.post("/factcheck", json=payload)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_request"


def test_unknown_judge_is_422(client):
    r = client.post("/factcheck", json={"text": "Water is wet.", "judge": "oracle"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_judge"


def test_bad_top_k_is_422(client):
    r = client.post("/factcheck", json={"claims": ["Water is wet."], "top_k": 0})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


def test_oversized_is_413(client):
    r = client.post("/factcheck", json={"text": "Water boils at 100 degrees. " * 200})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    r = client.post("/factcheck", json={"claims": ["Water is wet."] * 6})
    assert r.status_code == 413


def test_unknown_collection_is_404(client):
    r = client.post("/factcheck", json={"text": "Water is wet.", "collection": "nope"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "collection_not_found"


def test_judge_that_cannot_load_is_503(client):
    r = client.post("/factcheck", json={"claims": ["Water is wet."], "judge": "llm"})
    assert r.status_code == 503 and r.json()["error"]["code"] == "judge_load_failed"


DOCUMENTS = [
    {"text": "Harbor is a web server written in Rust. It does not support HTTP/3.",
     "source": "harbor.md"},
    {"text": "The Eiffel Tower was completed in 1889."},
]


def test_documents_are_checked_and_not_stored(client):
    services = client.app.state.services
    before = services.retriever.count()
    r = client.post(
        "/factcheck", json={"claims": ["Harbor is written in Rust."], "documents": DOCUMENTS}
    )
    assert r.status_code == 200, r.text
    evidence = r.json()["claims"][0]["evidence"]
    assert evidence[0]["source"] == "harbor.md"
    start, end = evidence[0]["span"]
    assert DOCUMENTS[0]["text"][start:end] == evidence[0]["text"]
    assert services.retriever.count() == before
    r = client.post("/factcheck", json={"text": "The Eiffel Tower was completed in 1889.",
                                        "documents": DOCUMENTS})
    assert r.json()["claims"][0]["evidence"][0]["source"] == "document 2"


def test_a_claim_longer_than_the_judge_reads_gets_a_verdict(client):
    claim = "Harbor is a web server written in Rust that serves static files. " * 28  # ~400 tokens
    r = client.post("/factcheck", json={"claims": [claim], "documents": DOCUMENTS})
    assert r.status_code == 200, r.text
    assert r.json()["claims"][0]["verdict"] in ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")


def test_a_verdict_decided_by_a_rule_says_why(client):
    body = {"claims": ["The Eiffel Tower was completed in 1899.", "Harbor is written in Rust."],
            "documents": DOCUMENTS}
    r = client.post("/factcheck", json=body)
    assert r.status_code == 200, r.text
    changed, plain = r.json()["claims"]
    assert changed["verdict"] == "REFUTED"
    assert '"1899"' in changed["reason"] and '"1889"' in changed["reason"]
    assert "The Eiffel Tower was completed in 1889." in changed["reason"]
    assert plain["reason"] is None  # the judge decided


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"claims": ["x is y."], "documents": []}, 422),
        ({"claims": ["x is y."], "documents": [{"text": "  "}]}, 422),
        ({"claims": ["x is y."], "documents": [{"source": "a"}]}, 422),
        ({"claims": ["x is y."], "documents": [{"text": "a.", "extra": 1}]}, 422),
        ({"claims": ["x is y."], "documents": DOCUMENTS, "collection": "default"}, 422),
        ({"claims": ["x is y."], "documents": [{"text": "Water is wet. " * 200}]}, 413),
    ],
)
def test_bad_documents_are_clear_errors(client, payload, status):
    r = client.post("/factcheck", json=payload)
    assert r.status_code == status, r.text
