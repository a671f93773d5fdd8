"""``factforge.client`` against a REAL ``factforge serve`` subprocess (embedded mode, API keys
on, the openai backend pointed at a scripted model server), and once in distributed mode
(redis-server + a Celery worker): typed results, events, cancel, errors with the server's code.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from factforge.client import (
    AsyncFactForge,
    AuthenticationError,
    ClientError,
    ConnectionFailed,
    FactCheckOut,
    FactForge,
    IngestOut,
    InvalidRequest,
    JobAcceptedOut,
    JobFailed,
    JobOut,
    NotFound,
    SearchOut,
    Timeout,
)
from factforge.api.routes.factcheck import FactCheckOut as ServerFactCheckOut
from factforge.api.routes.jobs import JobOut as ServerJobOut
from tests.fixtures.scripted_openai import ScriptedOpenAIServer
from tests.fixtures.serve_process import ServeProcess
from tests.fixtures.services import ROOT, CeleryWorker, RedisServer, free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

KEY = "client-test-key"
TASK = "Implement quicksort in Python"
HARBOR = ("Harbor is a web server written in Rust. Harbor listens on port 8080 by default. "
          "It does not support HTTP/3.")


@pytest.fixture(scope="module")
def model() -> Iterator[ScriptedOpenAIServer]:
    with ScriptedOpenAIServer(delay_s=0.2) as server:
        yield server


@pytest.fixture(scope="module")
def served(tmp_path_factory, model) -> Iterator[ServeProcess]:
    with ServeProcess(tmp_path_factory.mktemp("client") / "data", model.url,
                      api_keys=KEY) as serve:
        yield serve


@pytest.fixture
def client(served) -> Iterator[FactForge]:
    with FactForge(served.url, api_key=KEY, timeout=120) as c:
        yield c


def test_importing_the_client_loads_no_model_or_database_library() -> None:
    heavy = ("torch", "chromadb", "transformers", "sentence_transformers", "onnxruntime")
    probe = ("import sys, factforge.client; "
             f"print([m for m in {heavy!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert out.strip() == "[]"


def test_results_are_the_servers_own_models() -> None:
    assert JobOut is ServerJobOut and FactCheckOut is ServerFactCheckOut


def test_generate_submits_and_waits_for_a_verified_job(client) -> None:
    record = client.generate(TASK, max_rounds=0, samples=1)
    assert isinstance(record, JobOut) and record.status == "succeeded"
    assert record.result["status"] == "verified"
    assert "def quicksort" in record.result["code"]
    assert record.request["prompt"] == TASK


def test_events_follow_a_job_in_order_and_resume(client) -> None:
    accepted = client.submit(TASK, max_rounds=0, idempotency_key="events-1")
    assert isinstance(accepted, JobAcceptedOut)
    events = list(client.events(accepted.job_id))
    nodes = [e.data["node"] for e in events if e.type == "node"]
    assert nodes[:3] == ["route", "draft", "select"] and nodes[-1] == "verify"
    assert events[-1].type == "status" and events[-1].data["status"] == "succeeded"
    assert events[-1].terminal and not events[0].terminal
    resumed = list(client.events(accepted.job_id, last_event_id=events[1].id))
    assert [e.id for e in resumed] == [e.id for e in events[2:]]
    # the same Idempotency-Key gives the same job
    assert client.submit(TASK, max_rounds=0, idempotency_key="events-1").job_id == \
        accepted.job_id
    assert client.wait(accepted.job_id).status == "succeeded"


def test_cancel_and_wait_timeout(client) -> None:
    job_id = client.submit(TASK, samples=3).job_id  # ~10 model calls of 0.2 s
    with pytest.raises(Timeout):
        client.wait(job_id, timeout=0.3)
    cancelled = client.cancel(job_id)
    assert isinstance(cancelled, JobOut)
    assert client.wait(job_id, timeout=120).status == "cancelled"
    assert list(client.events(job_id))[-1].data["status"] == "cancelled"


def test_generate_raises_job_failed_for_a_cancelled_job(client, served) -> None:
    caught: list[BaseException] = []

    def generate() -> None:
        with FactForge(served.url, api_key=KEY, timeout=120) as other:
            try:
                other.generate(TASK, samples=3, idempotency_key="to-cancel")
            except JobFailed as exc:
                caught.append(exc)

    # cancelled right after submit: a job of several 0.2 s model calls cannot have ended yet
    job_id = client.submit(TASK, samples=3, idempotency_key="to-cancel").job_id
    client.cancel(job_id)
    thread = threading.Thread(target=generate)  # the same job (same key): waits, then fails
    thread.start()
    thread.join(120)
    assert not thread.is_alive()
    (error,) = caught
    assert error.code == "job_cancelled" and error.job.job_id == job_id
    assert error.job.status == "cancelled"


@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_a_missing_or_bad_key_is_an_authentication_error(served, key, monkeypatch) -> None:
    monkeypatch.delenv("FACTFORGE_API_KEY", raising=False)
    with FactForge(served.url, api_key=key) as c, pytest.raises(AuthenticationError) as caught:
        c.submit(TASK)
    assert caught.value.status == 401 and caught.value.code == "unauthorized"
    assert "API key" in caught.value.message or "bearer" in caught.value.message


def test_server_errors_carry_the_servers_code_and_status(client) -> None:
    with pytest.raises(InvalidRequest) as caught:
        client.submit("")
    assert caught.value.status == 422 and caught.value.code == "invalid_request"
    assert caught.value.details and caught.value.details[0]["field"] == "prompt"
    with pytest.raises(InvalidRequest) as blank:
        client.submit("   ", samples=2)
    assert blank.value.code == "job_invalid" and "prompt" in blank.value.message
    with pytest.raises(NotFound) as missing:
        client.get("no-such-job")
    assert missing.value.status == 404 and missing.value.code == "job_not_found"
    with pytest.raises(NotFound):
        list(client.events("no-such-job"))
    with pytest.raises(NotFound) as collection:
        client.kb.search("anything", collection="no-such-collection")
    assert collection.value.code == "collection_not_found"
    with pytest.raises(InvalidRequest) as both:
        client.factcheck("x", documents=[HARBOR], collection="docs")
    assert both.value.status == 422
    with pytest.raises(TypeError):
        client.factcheck()


def test_knowledge_base_add_search_and_factcheck(client) -> None:
    added = client.kb.add([{"text": HARBOR, "source": "harbor.md"}, "Unrelated note."],
                          collection="client-kb")
    assert isinstance(added, IngestOut) and added.documents == 2 and added.added >= 2
    assert client.kb.add([{"text": HARBOR, "source": "harbor.md"}],
                         collection="client-kb").added == 0
    found = client.kb.search("Which port does Harbor use?", collection="client-kb", top_k=2)
    assert isinstance(found, SearchOut) and found.hits[0].source == "harbor.md"
    report = client.factcheck("Harbor listens on port 9090 by default.",
                              collection="client-kb")
    assert isinstance(report, FactCheckOut) and report.claims
    assert report.claims[0].evidence[0].source == "harbor.md"
    claims = client.factcheck(claims=["Harbor is written in Rust."],
                              documents=[{"text": HARBOR, "source": "given.md"}])
    assert [c.text for c in claims.claims] == ["Harbor is written in Rust."]
    assert claims.claims[0].evidence[0].source == "given.md"


def test_the_async_twin(served) -> None:
    async def main() -> tuple:
        async with AsyncFactForge(served.url, api_key=KEY, timeout=120) as c:
            job_id = (await c.submit(TASK, max_rounds=0)).job_id
            events = [e async for e in c.events(job_id)]
            record = await c.wait(job_id)
            report = await c.factcheck(claims=["Harbor is written in Rust."],
                                       documents=[HARBOR])
            try:
                await c.get("no-such-job")
            except NotFound as exc:
                error = exc
            return events, record, report, error

    events, record, report, error = asyncio.run(main())
    assert events[-1].data["status"] == "succeeded"
    assert record.status == "succeeded" and "def quicksort" in record.result["code"]
    assert report.claims[0].text == "Harbor is written in Rust."
    assert error.code == "job_not_found"


def test_unreachable_server_and_bad_url() -> None:
    with FactForge(f"http://127.0.0.1:{free_port()}", timeout=5) as c, \
            pytest.raises(ConnectionFailed):
        c.get("x")
    with pytest.raises(ClientError, match="http"):
        FactForge("127.0.0.1:8000")


def test_server_url_and_key_from_the_environment(served, monkeypatch) -> None:
    monkeypatch.setenv("FACTFORGE_SERVER", served.url)
    monkeypatch.setenv("FACTFORGE_API_KEY", KEY)
    with FactForge() as c, pytest.raises(NotFound):
        c.get("no-such-job")  # 404, not 401: the key came from the environment
    monkeypatch.delenv("FACTFORGE_SERVER")
    with pytest.raises(ClientError, match="FACTFORGE_SERVER"):
        FactForge()


def test_distributed_mode(tmp_path: Path, model) -> None:
    """The same client against a server whose jobs run on a Celery worker via Redis."""
    redis_server = RedisServer(tmp_path / "redis").start()
    worker = None
    try:
        worker = CeleryWorker(redis_server.url, tmp_path / "jobs.log", name="client-jobs"
                              ).start()
        with ServeProcess(tmp_path / "data", model.url, redis_url=redis_server.url) as serve, \
                FactForge(serve.url, timeout=120) as c:
            job_id = c.submit(TASK, max_rounds=0).job_id
            events = list(c.events(job_id))
            record = c.wait(job_id)
            assert record.status == "succeeded", (record, worker.log()[-3000:])
            assert "def quicksort" in record.result["code"]
            assert [e.data["node"] for e in events if e.type == "node"][0] == "route"
            assert events[-1].data["status"] == "succeeded"
            assert json.loads(record.model_dump_json())["job_id"] == job_id
    finally:
        if worker is not None:
            worker.stop()
        redis_server.stop()


def _readme_blocks(section: str, language: str) -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    body = readme.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", body, re.DOTALL)


def test_the_readme_examples_run(served, tmp_path) -> None:
    """README "Python client": each example, as a user would paste it (the URL and key
    pointed at the test's server)."""
    env = {k: v for k, v in served.env.items() if k != "FACTFORGE_API_KEYS"}
    python, bash = _readme_blocks("Python client", "python"), _readme_blocks(
        "Python client", "bash")
    assert len(python) == 2 and len(bash) == 1
    outputs = []
    for block in python + bash:
        code = block.replace("http://127.0.0.1:8000", served.url).replace("my-key", KEY)
        if block in bash:
            code = code.replace("factforge ", f"{sys.executable} -m factforge ")
            args = ["bash", "-c", f"set -e\n{code}"]
        else:
            args = [sys.executable, "-c", code]
        proc = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode in ((0,) if block in python else (0, 1)), proc.stderr[-3000:]
        outputs.append(proc.stdout)
    assert "verified" in outputs[0] and "404 job_not_found" in outputs[0]
    assert "node route" in outputs[0] and "status succeeded" in outputs[0]
    assert "harbor.md" in outputs[0]
    assert re.search(r"^(SUPPORTED|REFUTED|NOT_ENOUGH_INFO) Harbor listens", outputs[0], re.M)
    assert "succeeded verified" in outputs[1]
    assert "def quicksort" in (tmp_path / "quicksort.py").read_text()
    assert json.loads(outputs[2])["claims"]
