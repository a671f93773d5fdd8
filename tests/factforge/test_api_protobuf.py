"""Every /v1 route answers Protobuf to ``Accept: application/x-protobuf`` with the same content
as its JSON; the event stream, which cannot, says so with a 406 (before: experts, plugins,
search, documents and factcheck answered JSON with 200)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from google.protobuf.json_format import MessageToDict

from factforge.api import create_app
from factforge.api.proto import factforge_pb2 as pb
from factforge.services import Services
from factforge.settings import Settings
from tests.fixtures.scripted_model import quicksort_model

PROTOBUF = {"Accept": "application/x-protobuf"}
DOCS = {"collection": "facts", "documents": [
    {"text": "Paris is the capital of France.", "source": "geo", "title": "Paris"}]}


@pytest.fixture(scope="module")
def client(tmp_path_factory, embedder):
    settings = Settings(data_dir=tmp_path_factory.mktemp("pb"), model="served-model",
                        max_rounds=0)
    services = Services(settings, backend=quicksort_model(), embedder=embedder)
    with TestClient(create_app(settings, services)) as test_client:
        yield test_client


def _both(client, method: str, path: str, message_type, **kwargs):
    as_json = client.request(method, path, **kwargs)
    as_proto = client.request(method, path, headers=PROTOBUF, **kwargs)
    assert as_json.status_code == as_proto.status_code, as_proto.text
    assert as_proto.headers["content-type"] == "application/x-protobuf"
    return as_json.json(), message_type.FromString(as_proto.content)


def test_documents_then_search(client):
    data, message = _both(client, "POST", "/v1/knowledge/documents", pb.IngestReport, json=DOCS)
    assert message.collection == data["collection"] == "facts"
    assert (message.documents, message.chunks, message.added + message.skipped) == (
        data["documents"], data["chunks"], data["added"] + data["skipped"])
    data, message = _both(client, "GET", "/v1/knowledge/search", pb.SearchResponse,
                          params={"q": "capital of France", "collection": "facts"})
    assert message.query == data["query"] and len(message.hits) == len(data["hits"]) == 1
    hit, json_hit = message.hits[0], data["hits"][0]
    assert (hit.id, hit.source, hit.text) == (json_hit["id"], json_hit["source"],
                                             json_hit["text"])
    assert hit.score == pytest.approx(json_hit["score"])
    assert MessageToDict(hit.metadata) == json_hit["metadata"]


def test_factcheck(client):
    client.post("/v1/knowledge/documents", json=DOCS)
    body = {"claims": ["Paris is the capital of France.", "Paris was founded in 1899.",
                       "Paris is the capital of Spain."], "collection": "facts"}
    data, message = _both(client, "POST", "/v1/factcheck", pb.FactCheckReport, json=body)
    assert message.judge == data["judge"]
    assert dict(message.counts) == data["counts"]
    assert [(c.text, c.verdict) for c in message.claims] == [
        (c["text"], c["verdict"]) for c in data["claims"]]
    assert message.claims[0].confidence == pytest.approx(data["claims"][0]["confidence"])
    assert [e.id for e in message.claims[0].evidence] == [
        e["id"] for e in data["claims"][0]["evidence"]]
    assert message.HasField("score") and message.score == pytest.approx(data["score"])
    assert [c.reason if c.HasField("reason") else None for c in message.claims] == [
        c["reason"] for c in data["claims"]]


def test_experts_and_plugins(client):
    data, message = _both(client, "GET", "/v1/experts", pb.ExpertList)
    assert [e.name for e in message.experts] == [e["name"] for e in data]
    assert list(message.experts[0].examples) == data[0]["examples"]
    assert [e.adapter if e.HasField("adapter") else None for e in message.experts] == [
        e["adapter"] for e in data]
    data, message = _both(client, "GET", "/v1/plugins", pb.PluginRegistry)
    assert [p.name for p in message.plugins] == [p["name"] for p in data["plugins"]]
    assert [v.name for v in message.verifiers] == [v["name"] for v in data["verifiers"]]
    assert [e.name for e in message.experts] == [e["name"] for e in data["experts"]]
    assert [j.name for j in message.judges] == [j["name"] for j in data["judges"]]


def test_event_stream_refuses_protobuf_only(client):
    job_id = client.post("/v1/jobs", json={"prompt": "Implement quicksort in Python"}
                         ).json()["job_id"]
    refused = client.get(f"/v1/jobs/{job_id}/events", headers=PROTOBUF)
    assert refused.status_code == 406
    assert "text/event-stream" in refused.json()["error"]["message"]
    both = {"Accept": "application/x-protobuf, text/event-stream"}
    with client.stream("GET", f"/v1/jobs/{job_id}/events", headers=both) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")


def test_openapi_declares_protobuf_for_every_v1_route(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        if not path.startswith("/v1/"):
            continue
        for method, operation in operations.items():
            ok = operation["responses"]["202" if (method, path) == ("post", "/v1/jobs")
                                        else "200"]
            media = set(ok["content"])
            if "openai" in operation.get("tags", ()):  # OpenAI's API: JSON (and SSE) only
                assert media <= {"application/json", "text/event-stream"}, path
                assert "406" in operation["responses"]
            elif path.endswith("/events"):
                assert media == {"text/event-stream"}
                assert "406" in operation["responses"]
            else:
                assert media == {"application/json", "application/x-protobuf"}, path


def test_an_expert_adapter_is_listed_in_both(tmp_path, embedder):
    experts = tmp_path / "experts"
    experts.mkdir()
    (experts / "sql_review.toml").write_text(
        'name = "sql_review"\nrole = "reviewer"\ndescription = "SQL"\n'
        'examples = ["review this SQL query"]\nsystem_prompt = "You review SQL."\n'
        'adapter = "org/sql-lora"\nadapter_model = "sql-lora"\n')
    settings = Settings(data_dir=tmp_path / "data", model="served-model", max_rounds=0,
                        experts_dir=experts)
    services = Services(settings, backend=quicksort_model(), embedder=embedder)
    with TestClient(create_app(settings, services)) as client:
        data, message = _both(client, "GET", "/v1/experts", pb.ExpertList)
    listed = {e.name: e for e in message.experts}
    assert {e["name"]: (e["adapter"], e["adapter_model"]) for e in data}["sql_review"] == (
        "org/sql-lora", "sql-lora")
    assert (listed["sql_review"].adapter, listed["sql_review"].adapter_model) == (
        "org/sql-lora", "sql-lora")
    assert not listed[next(n for n in listed if n != "sql_review")].HasField("adapter")
