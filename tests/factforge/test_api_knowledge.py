"""The knowledge routes on a minimal app (the real app factory mounts the same router)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from factforge.api.errors import install_error_handlers
from factforge.api.routes.knowledge import router
from knowledge import Embedder, KnowledgeBase, KnowledgeConfig

os.environ.setdefault("HF_HUB_OFFLINE", "1")


class _Services:
    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = kb

    def knowledge_base(self) -> KnowledgeBase:
        return self._kb


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder("all-MiniLM-L6-v2")


@pytest.fixture
def client(tmp_path: Path, embedder: Embedder) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(router, prefix="/v1")
    app.state.services = _Services(
        KnowledgeBase(KnowledgeConfig(path=tmp_path / "chroma"), embedder=embedder)
    )

    install_error_handlers(app)  # the real ones: {"error": {"code", "message"}}

    with TestClient(app) as test_client:
        yield test_client


DOCS = {
    "collection": "facts",
    "documents": [
        {"text": "The Eiffel Tower in Paris was completed in 1889.", "source": "paris.md",
         "title": "Paris"},
        {"text": "Error ERR_QUOTA_4471 means the storage quota is exceeded.", "id": "quota"},
        {"text": "Photosynthesis turns sunlight, water and CO2 into sugar."},
    ],
}  # fmt: skip


def test_post_documents_is_idempotent_and_searchable(client: TestClient) -> None:
    first = client.post("/v1/knowledge/documents", json=DOCS)
    assert first.status_code == 200, first.text
    assert first.json() == {
        "collection": "facts", "documents": 3, "chunks": 3, "added": 3, "skipped": 0
    }  # fmt: skip
    again = client.post("/v1/knowledge/documents", json=DOCS).json()
    assert (again["added"], again["skipped"]) == (0, 3)

    found = client.get(
        "/v1/knowledge/search", params={"q": "ERR_QUOTA_4471", "collection": "facts", "top_k": 2}
    )
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["query"] == "ERR_QUOTA_4471" and body["collection"] == "facts"
    assert len(body["hits"]) == 2
    top = body["hits"][0]
    assert top["source"] == "api:quota" and top["metadata"]["doc_id"] == "quota"
    assert 0 < top["score"] <= 1 and set(top) == {"id", "source", "text", "score", "metadata"}

    paris = client.get(
        "/v1/knowledge/search",
        params={"q": "When was the tower built?", "collection": "facts", "top_k": 1},
    )
    assert paris.json()["hits"][0]["metadata"]["title"] == "Paris"


def test_default_collection(client: TestClient) -> None:
    body = {"documents": [{"text": "Mercury is the closest planet to the Sun."}]}
    assert client.post("/v1/knowledge/documents", json=body).json()["collection"] == "knowledge"
    hits = client.get("/v1/knowledge/search", params={"q": "closest planet"}).json()
    assert hits["collection"] == "knowledge"
    assert hits["hits"][0]["source"].startswith("api:")


@pytest.mark.parametrize(
    "body",
    [
        {"documents": []},
        {"documents": [{"text": ""}]},
        {"documents": [{"text": "   \n"}]},
        {"documents": [{"source": "x"}]},
        {"documents": [{"text": "ok", "unknown": 1}]},
        {"collection": "facts"},
        {"documents": "nope"},
    ],
)
def test_post_validation_is_422(client: TestClient, body: dict[str, object]) -> None:
    assert client.post("/v1/knowledge/documents", json=body).status_code == 422


def test_bad_collection_name_is_422_with_error_body(client: TestClient) -> None:
    response = client.post(
        "/v1/knowledge/documents", json={"collection": "x", "documents": [{"text": "t"}]}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"  # checked at the edge, before Chroma sees it
    assert error["message"].startswith("collection: invalid collection name 'x'")


def test_search_errors(client: TestClient) -> None:
    missing = client.get("/v1/knowledge/search", params={"q": "x", "collection": "missing"})
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"code": "collection_not_found",
                  "message": "collection 'missing' does not exist"}
    }  # fmt: skip
    assert client.get("/v1/knowledge/search", params={"q": ""}).status_code == 422
    blank = client.get("/v1/knowledge/search", params={"q": "   "})
    assert blank.status_code == 422 and blank.json()["error"]["code"] == "invalid_query"
    assert client.get("/v1/knowledge/search").status_code == 422
    too_many = client.get("/v1/knowledge/search", params={"q": "x", "top_k": 500})
    assert too_many.status_code == 422
