"""The /jobs and /generate routes in a minimal FastAPI app, over both job queues:
embedded (thread pool) and distributed (real Redis + real Celery worker subprocess)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from agents import JobDeps, RouterConfig
from agents.experts import load_experts
from agents.router import EmbeddingRouter
from factforge.api.errors import install_error_handlers
from factforge.api.proto import factforge_pb2 as pb
from factforge.api.routes import generate, jobs
from factforge.jobs import CeleryJobQueue, EmbeddedJobQueue
from factforge.settings import Settings
from plugins.builtin.syntax import SyntaxVerifier
from plugins.builtin.tests import TestsVerifier
from plugins.sandbox import Sandbox
from tests.fixtures.scripted_model import quicksort_model
from tests.fixtures.services import CeleryWorker, RedisServer

PROTOBUF = {"Accept": "application/x-protobuf"}
TASK = {"prompt": "Implement quicksort in Python", "max_rounds": 0}


def make_app(queue) -> FastAPI:
    app = FastAPI()
    app.state.services = SimpleNamespace(job_queue=lambda: queue,
                                         settings=Settings(model="served-model"))

    install_error_handlers(app)  # the real ones: {"error": {"code", "message"}}
    app.include_router(jobs.router, prefix="/v1")
    app.include_router(generate.router, prefix="/v1")
    return app


@pytest.fixture(scope="module")
def deps(embedder) -> Iterator[JobDeps]:
    experts = load_experts()
    router = EmbeddingRouter(experts, embedder.embed, RouterConfig(always_on=("test_writer",)))
    with Sandbox() as sandbox:
        yield JobDeps(backend=quicksort_model(), router=router, experts=experts,
                      verifiers=[SyntaxVerifier(), TestsVerifier(sandbox)])


@pytest.fixture(scope="module")
def distributed(tmp_path_factory):
    directory = tmp_path_factory.mktemp("api-celery")
    server = RedisServer(directory).start()
    worker = CeleryWorker(server.url, directory / "jobs.log", name="api-jobs").start()
    inference = CeleryWorker(server.url, directory / "inference.log", name="api-inf",
                             queue="inference").start()
    queue = CeleryJobQueue.from_url(server.url)
    yield queue
    queue.close()
    worker.stop()
    inference.stop()
    server.stop()


@pytest.fixture(params=["embedded", pytest.param("distributed", marks=[
    pytest.mark.integration, pytest.mark.slow])])
def client(request, deps):
    if request.param == "embedded":
        queue = EmbeddedJobQueue(deps)
        yield TestClient(make_app(queue))
        queue.close()
    else:
        yield TestClient(make_app(request.getfixturevalue("distributed")))


def _wait(client: TestClient, job_id: str) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = client.get(f"/v1/jobs/{job_id}").json()
        if body["status"] in ("succeeded", "failed", "cancelled"):
            return body
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def test_submit_poll_and_stream_events_in_order(client):
    accepted = client.post("/v1/jobs", json=TASK)
    assert accepted.status_code == 202
    job_id = accepted.json()["job_id"]
    assert accepted.json()["status"] in ("queued", "running")
    with client.stream("GET", f"/v1/jobs/{job_id}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[len("data: "):]) for line in stream.iter_lines()
                  if line.startswith("data: ")]
    nodes = [e["node"] for e in events if e["type"] == "node"]
    assert nodes[:3] == ["route", "draft", "select"] and nodes[-1] == "verify"
    assert [e["ts"] for e in events] == sorted(e["ts"] for e in events)
    assert events[-1]["type"] == "status" and events[-1]["status"] == "succeeded"
    body = _wait(client, job_id)
    assert body["result"]["status"] == "verified" and "def quicksort" in body["result"]["code"]
    assert body["progress"]["events"] >= len(nodes)
    # a reconnecting client resumes after the last event it saw
    with client.stream("GET", f"/v1/jobs/{job_id}/events") as stream:
        ids = [line[len("id: "):] for line in stream.iter_lines() if line.startswith("id: ")]
    with client.stream("GET", f"/v1/jobs/{job_id}/events",
                       headers={"Last-Event-ID": ids[1]}) as stream:
        rest = [line[len("id: "):] for line in stream.iter_lines() if line.startswith("id: ")]
    assert rest == ids[2:]


def test_long_poll_answers_when_the_job_ends(client):
    job_id = client.post("/v1/jobs", json=TASK).json()["job_id"]
    started = time.monotonic()
    body = client.get(f"/v1/jobs/{job_id}", params={"wait": 60}).json()
    assert body["status"] == "succeeded" and "def quicksort" in body["result"]["code"]
    assert time.monotonic() - started < 30  # woke when it ended, not at the 60 s limit
    again = client.get(f"/v1/jobs/{job_id}", params={"wait": 60})  # already ended: at once
    assert again.json()["status"] == "succeeded"
    for bad in ("-1", "61", "soon"):
        answer = client.get(f"/v1/jobs/{job_id}", params={"wait": bad})
        assert answer.status_code == 422, bad
    assert client.get("/v1/jobs/nope", params={"wait": 1}).status_code == 404


def test_protobuf_encoding_matches_json(client):
    accepted = client.post("/v1/jobs", json=TASK, headers=PROTOBUF)
    assert accepted.status_code == 202
    assert accepted.headers["content-type"] == "application/x-protobuf"
    message = pb.JobAccepted.FromString(accepted.content)
    as_json = _wait(client, message.job_id)
    job = pb.Job.FromString(client.get(f"/v1/jobs/{message.job_id}", headers=PROTOBUF).content)
    assert job.job_id == as_json["job_id"] and job.status == as_json["status"]
    assert job.result.code == as_json["result"]["code"]
    assert job.result.status == as_json["result"]["status"] == "verified"
    assert job.result.reason == as_json["result"]["reason"]
    assert as_json["result"]["reason"].startswith("passed: syntax")
    assert [v.plugin for v in job.result.verdicts] == \
        [v["plugin"] for v in as_json["result"]["verdicts"]]
    assert job.result.usage.calls == as_json["result"]["usage"]["calls"]
    assert [e.name for e in job.result.experts] == [e["name"] for e in as_json["result"]["experts"]]


def test_idempotency_key_returns_the_same_job(client):
    first = client.post("/v1/jobs", json=TASK, headers={"Idempotency-Key": "abc"}).json()
    second = client.post("/v1/jobs", json=TASK, headers={"Idempotency-Key": "abc"}).json()
    other = client.post("/v1/jobs", json=TASK, headers={"Idempotency-Key": "xyz"}).json()
    assert first["job_id"] == second["job_id"] != other["job_id"]
    _wait(client, first["job_id"]), _wait(client, other["job_id"])


def test_errors_are_clear(client):
    missing = client.get("/v1/jobs/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "job_not_found"
    assert client.delete("/v1/jobs/nope").status_code == 404
    assert client.get("/v1/jobs/nope/events").status_code == 404
    bad = client.post("/v1/jobs", json={"prompt": "x", "samples": 99})
    assert bad.status_code == 422 and "samples" in bad.json()["error"]["message"]
    assert client.post("/v1/jobs", json={"prompt": " "}).status_code == 422
    unknown = client.post("/v1/jobs", json={"prompt": "x", "bogus": 1})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "invalid_request"
    long_key = client.post("/v1/jobs", json=TASK, headers={"Idempotency-Key": "k" * 201})
    assert long_key.status_code == 422


def test_cancel_a_job(client):
    job_id = client.post("/v1/jobs", json=TASK).json()["job_id"]
    cancelled = client.delete(f"/v1/jobs/{job_id}")
    assert cancelled.status_code == 200
    final = _wait(client, job_id)
    # it was cancelled before or while running, or had already finished: never two outcomes
    assert final["status"] in ("cancelled", "succeeded")
    if final["status"] == "cancelled":
        assert final["error"]["code"] == "job_cancelled" and final["result"] is None


def test_generate_seed_compatible(client):
    reply = client.post("/v1/generate", json={"model": "served-model",
                                              "prompt": "write quicksort", "max_tokens": 32})
    assert reply.status_code == 200
    assert reply.json() == {"output": "LGTM"}  # the scripted model's default answer
    proto = client.post("/v1/generate", json={"prompt": "hi"}, headers=PROTOBUF)
    assert pb.GenerateResponse.FromString(proto.content).output == "LGTM"
    wrong = client.post("/v1/generate", json={"model": "gpt-9", "prompt": "hi"})
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "model_not_served"
    assert client.post("/v1/generate", json={"prompt": ""}).status_code == 422
    assert client.post("/v1/generate", json={"prompt": "x", "max_tokens": 0}).status_code == 422
