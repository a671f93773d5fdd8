"""Hostile input at the edge of the real app: invalid Unicode and NUL in every text field,
malformed Last-Event-ID, chunked bodies over the limit, prompts over the model's context, 405s
without Allow. Each case is a clear 4xx naming what is wrong, never a 500 or a broken job."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from factforge.api import create_app
from factforge.services import Services
from factforge.settings import Settings
from tests.fixtures.scripted_model import quicksort_model

JSON = {"content-type": "application/json"}
LONE = "\\ud800"  # a lone surrogate, as the JSON escape a client sends
NUL = "\\u0000"


@pytest.fixture(scope="module")
def client(tmp_path_factory, embedder):
    settings = Settings(data_dir=tmp_path_factory.mktemp("hygiene"), max_request_bytes=4096,
                        model="served-model", max_rounds=0)
    services = Services(settings, backend=quicksort_model(), embedder=embedder)
    with TestClient(create_app(settings, services)) as test_client:
        ingested = test_client.post("/v1/knowledge/documents", json={
            "documents": [{"text": "Paris is the capital of France.", "source": "geo"}]})
        assert ingested.status_code == 200
        yield test_client


# (method, path, raw JSON body with {BAD} where the bad text goes, field named in the answer)
TEXT_FIELDS = [
    ("POST", "/v1/jobs", '{"prompt": "sort a list {BAD}"}', "prompt"),
    ("POST", "/v1/generate", '{"prompt": "hi {BAD}"}', "prompt"),
    ("POST", "/v1/generate", '{"prompt": "hi", "model": "m{BAD}"}', "model"),
    ("POST", "/v1/factcheck", '{"text": "Paris is {BAD} in France."}', "text"),
    ("POST", "/v1/factcheck", '{"claims": ["ok", "Paris {BAD}"]}', "claims.1"),
    ("POST", "/v1/factcheck", '{"claims": ["Paris"], "judge": "b{BAD}"}', "judge"),
    ("POST", "/v1/knowledge/documents", '{"documents": [{"text": "a {BAD} b"}]}',
     "documents.0.text"),
    ("POST", "/v1/knowledge/documents", '{"documents": [{"text": "a", "title": "{BAD}"}]}',
     "documents.0.title"),
]


@pytest.mark.parametrize("bad", [LONE, "\\udfff", NUL], ids=["lone-high", "lone-low", "nul"])
@pytest.mark.parametrize(("method", "path", "body", "field"), TEXT_FIELDS,
                         ids=[f"{p}:{f}" for _, p, _, f in TEXT_FIELDS])
def test_invalid_text_is_422_naming_the_field(client, method, path, body, field, bad):
    response = client.request(method, path, content=body.replace("{BAD}", bad).encode(),
                              headers=JSON)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["message"].startswith(f"{field}: ")
    assert ("nul" if bad == NUL else "unicode") in error["message"].lower()


def test_search_query_with_nul_is_422(client):
    response = client.get("/v1/knowledge/search", params={"q": "Paris\x00"})
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("query.q: text contains a NUL")


def test_a_rejected_prompt_leaves_no_broken_job(client):
    """Before: 202, then GET and DELETE of the job answered 500 forever."""
    response = client.post("/v1/jobs", content=f'{{"prompt": "x {LONE}"}}'.encode(),
                           headers=JSON)
    assert response.status_code == 422
    assert "job_id" not in response.text


def test_collection_names_follow_chromas_rules(client):
    for name in ("ab", "-abc", "a..b", "abc-", "10.0.0.1", "ü-name"):
        response = client.post("/v1/knowledge/documents",
                               json={"collection": name, "documents": [{"text": "x"}]})
        assert response.status_code == 422, name
        assert "collection" in response.json()["error"]["message"]
        search = client.get("/v1/knowledge/search", params={"q": "x", "collection": name})
        assert search.status_code == 422, name


def test_text_or_claims(client):
    for body in ({}, {"text": " "}, {"claims": []}, {"claims": [" "]},
                 {"text": "Paris is in France.", "claims": ["Paris"]}):
        response = client.post("/v1/factcheck", json=body)
        assert response.status_code == 422, body
    assert client.post("/v1/factcheck", json={"text": None, "claims": ["Paris"]}).status_code \
        == 200


def _finished_job(client) -> str:
    job_id = client.post("/v1/jobs", json={"prompt": "Implement quicksort in Python"}
                         ).json()["job_id"]
    assert client.get(f"/v1/jobs/{job_id}", params={"wait": 60}).json()["status"] == "succeeded"
    return job_id


@pytest.mark.parametrize("last_event_id", ["abc", "1e3", "5 6", "-1", "1.5", "9" * 30])
def test_malformed_last_event_id_is_400(client, last_event_id):
    job_id = _finished_job(client)
    response = client.get(f"/v1/jobs/{job_id}/events", headers={"Last-Event-ID": last_event_id})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_last_event_id"
    assert "Last-Event-ID" in response.json()["error"]["message"]


def _event_ids(client, job_id: str, last_event_id: str | None) -> list[str]:
    headers = {"Last-Event-ID": last_event_id} if last_event_id is not None else {}
    with client.stream("GET", f"/v1/jobs/{job_id}/events", headers=headers) as response:
        assert response.status_code == 200
        return [line[4:] for line in response.iter_lines() if line.startswith("id: ")]


def test_well_formed_last_event_id_resumes(client):
    job_id = _finished_job(client)
    everything = _event_ids(client, job_id, None)
    assert everything == [str(i) for i in range(1, len(everything) + 1)]
    assert _event_ids(client, job_id, "2") == everything[2:]
    assert _event_ids(client, job_id, "2-0") == everything[2:]  # a Redis-style id


def test_chunked_body_over_the_limit_is_413(client):
    """Before: 400 "There was an error parsing the body"."""

    def chunks():
        yield b'{"prompt": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}'

    response = client.post("/v1/generate", content=chunks(), headers=JSON)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"

    def small():
        yield b'{"prompt": "hi"}'

    assert client.post("/v1/generate", content=small(), headers=JSON).status_code == 200


def test_405_carries_allow(client):
    response = client.put("/v1/jobs")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    patch = client.patch("/v1/jobs/abc")  # two routes serve this path: GET and DELETE
    assert patch.status_code == 405
    assert set(patch.headers["allow"].split(", ")) == {"GET", "DELETE"}
    assert "allowed: DELETE, GET" in patch.json()["error"]["message"]
    assert client.head("/v1/experts").status_code == 405  # so Allow lists no HEAD


@pytest.mark.slow
def test_prompt_over_the_context_is_422_naming_the_limit(tmp_path, tiny_model_dir, embedder):
    """Before: 503 model_call_failed (retried three times inside a job)."""
    from agents.llm import ModelSpec
    from agents.llm.transformers_backend import TransformersBackend

    settings = Settings(data_dir=tmp_path, model=str(tiny_model_dir), max_rounds=0)
    backend = TransformersBackend(ModelSpec(str(tiny_model_dir), device="cpu"))
    services = Services(settings, backend=backend, embedder=embedder)
    too_long = "\u00e9\u00df " * 3000  # several tokens per character; the context is 2048
    with TestClient(create_app(settings, services)) as api:
        response = api.post("/v1/generate", json={"prompt": too_long, "max_tokens": 2})
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "prompt_too_long" and "(2048 tokens)" in error["message"]
        job_id = api.post("/v1/jobs", json={"prompt": too_long}).json()["job_id"]
        deadline = time.monotonic() + 120
        while (record := api.get(f"/v1/jobs/{job_id}", params={"wait": 10}).json())[
                "status"] not in ("succeeded", "failed") and time.monotonic() < deadline:
            pass
        assert record["status"] == "failed"
        assert record["error"]["code"] == "prompt_too_long"
        assert "2048 tokens" in record["error"]["message"]


def test_body_that_is_not_utf8_is_422(client):
    """Before: 400 "There was an error parsing the body" (not declared anywhere)."""
    raw = b'{"documents": [{"text": "caf\xe9 \xed\xa0\x80"}]}'  # Latin-1, a surrogate's bytes
    response = client.post("/v1/knowledge/documents", content=raw, headers=JSON)
    assert response.status_code == 422
    assert "UTF-8" in response.json()["error"]["message"]


@pytest.mark.parametrize("body", [
    {"prompt": "sort", "seed": False},
    {"prompt": "sort", "samples": "1"},
    {"prompt": "sort", "max_rounds": True},
    {"prompt": "sort", "language": "rust"},
    {"prompt": "sort", "temperature": "0.5"},
])
def test_job_fields_are_not_coerced(client, body):
    """The schema says integer; false and "1" are not integers (before: 202)."""
    assert client.post("/v1/jobs", json=body).status_code == 422
