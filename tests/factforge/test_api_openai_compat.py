"""The OpenAI-compatible endpoint against a REAL `factforge serve` subprocess, with the official
`openai` package as the client (sync, async, streaming), LangChain's ChatOpenAI when installed,
and the README's examples run as written.

The server runs real jobs through its job queue (embedded mode; one distributed-mode test with
real Redis and a real Celery worker). Its model is the ordinary openai backend pointed at a
scripted OpenAI-compatible server in this process (tests/fixtures/scripted_openai.py): the
author writes a correct quicksort, or a broken one when the task asks for "broken" (so a job
ends with failing checks), and refuses while ``model.refuse`` is set (so a job fails).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

openai = pytest.importorskip("openai")

from agents.llm.base import GenerationRequest  # noqa: E402
from tests.fixtures.serve_process import stop_serve  # noqa: E402
from tests.fixtures.scripted_model import (  # noqa: E402
    AUTHOR,
    QUICKSORT,
    QUICKSORT_TESTS,
    REVIEWER,
    TESTER,
    ScriptedModel,
)
from tests.fixtures.scripted_openai import ScriptedOpenAIServer  # noqa: E402
from tests.fixtures.services import ROOT, CeleryWorker, RedisServer, free_port  # noqa: E402

pytestmark = [pytest.mark.integration, pytest.mark.slow]

KEY = "openai-compat-key"
TASK = "Implement quicksort in Python"
BROKEN_TASK = "Implement quicksort in Python (broken)"
BROKEN_QUICKSORT = QUICKSORT.replace("return quicksort(less) + equal + quicksort(greater)",
                                     "return list(items)")


def _author(request: GenerationRequest) -> str:
    task = " ".join(m.content for m in request.messages[1:])
    return BROKEN_QUICKSORT if "(broken)" in task else QUICKSORT


def _model() -> ScriptedModel:
    return ScriptedModel({AUTHOR: _author, TESTER: QUICKSORT_TESTS, REVIEWER: "LGTM"})


class Serve:
    """One `python -m factforge serve` on a temp data dir (``env`` adds settings)."""

    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / "serve.log"
        self.data_dir = tmp / "data"
        full = {k: v for k, v in os.environ.items() if not k.startswith("FACTFORGE_")}
        full.update({
            "FACTFORGE_DATA_DIR": str(self.data_dir), "FACTFORGE_PORT": str(self.port),
            "FACTFORGE_API_KEYS": KEY, "FACTFORGE_MAX_ROUNDS": "0",
            "FACTFORGE_SANDBOX_WORKERS": "1",
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
            "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "PYTHONWARNINGS": "ignore", **env,
        })
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in close()
        self._clients: list[openai.OpenAI] = []
        self.process = subprocess.Popen([sys.executable, "-m", "factforge", "serve"], cwd=tmp,
                                        env=full, stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.http = httpx.Client(base_url=self.url, timeout=300,
                                 headers={"Authorization": f"Bearer {KEY}"})
        deadline = time.monotonic() + 180
        while True:
            assert self.process.poll() is None, f"serve exited: {self.log()[-3000:]}"
            try:
                if self.http.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"serve did not start: {self.log()[-3000:]}"
            time.sleep(0.2)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def client(self, **options) -> openai.OpenAI:
        """An SDK client on this server; its connections are closed in ``close()`` (an open
        socket collected later is a ResourceWarning in whichever test runs then)."""
        client = openai.OpenAI(base_url=f"{self.url}/v1", api_key=KEY, timeout=300, **options)
        self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self.http.close()
        stop_serve(self.process)
        self._log.close()


@pytest.fixture(scope="module")
def model() -> Iterator[ScriptedOpenAIServer]:
    with ScriptedOpenAIServer(_model()) as server:
        yield server


@pytest.fixture(scope="module")
def serve(tmp_path_factory, model) -> Iterator[Serve]:
    server = Serve(tmp_path_factory.mktemp("openai-serve"), {
        "FACTFORGE_BACKEND": "openai", "FACTFORGE_OPENAI_BASE_URL": model.url})
    try:
        # the first job loads the router's embedder; the tests' own timings start warm
        server.http.post("/v1/jobs", json={"prompt": TASK})
        yield server
    finally:
        server.close()


def _job(serve: Serve, job_id: str) -> dict:
    return serve.http.get(f"/v1/jobs/{job_id}", params={"wait": 60}).json()


def _check_verified_answer(serve: Serve, completion) -> dict:
    """A verified job's ChatCompletion: the code fenced in the message, the job in the extra
    field, the same job readable at /v1/jobs (it ran through the job queue)."""
    (choice,) = completion.choices
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    content = choice.message.content
    assert content.startswith("Quicksort partitions around a pivot")
    code = re.search(r"```python\n(.*?)```", content, re.DOTALL).group(1)
    assert "def quicksort(items):" in code
    report = completion.model_extra["factforge"]
    assert report["verified"] is True and report["status"] == "verified"
    assert {v["plugin"]: v["status"] for v in report["verdicts"]}["tests"] == "pass"
    weights = {e["name"]: e["weight"] for e in report["experts"]}
    assert weights["algorithm_design"] > 0.5 and abs(sum(weights.values()) - 1) < 0.01
    assert completion.id == f"chatcmpl-{report['job_id']}" and completion.model == "factforge"
    job = _job(serve, report["job_id"])
    assert job["status"] == "succeeded" and job["request"]["prompt"] == TASK
    assert job["result"]["code"] == code
    assert completion.usage.total_tokens == (job["result"]["usage"]["prompt_tokens"]
                                             + job["result"]["usage"]["completion_tokens"]) > 0
    return report


def test_models(serve):
    client = serve.client()
    assert [m.id for m in client.models.list()] == ["factforge"]
    assert client.models.retrieve("factforge").owned_by == "factforge"
    with pytest.raises(openai.NotFoundError) as missing:
        client.models.retrieve("gpt-4o")
    assert missing.value.code == "model_not_found"


def test_sync_completion_is_a_verified_job(serve, model):
    client = serve.client()
    calls = model.calls
    completion = client.chat.completions.create(
        model="factforge", temperature=0, seed=7, max_tokens=512,
        messages=[{"role": "system", "content": "You are terse."},
                  {"role": "user", "content": "Sort things"},
                  {"role": "assistant", "content": "What should I sort?"},
                  {"role": "user", "content": TASK}])
    report = _check_verified_answer(serve, completion)
    request = _job(serve, report["job_id"])["request"]
    assert (request["temperature"], request["seed"], request["max_new_tokens"]) == (0, 7, 512)
    assert model.calls > calls  # the job called the model: nothing was answered from a cache


def test_job_options_ride_in_extra_body(serve):
    completion = serve.client().chat.completions.create(
        model="factforge", messages=[{"role": "user", "content": [{"type": "text", "text": TASK}]}],
        extra_body={"factforge": {"samples": 2, "top_k": 2}})
    report = _check_verified_answer(serve, completion)
    assert report["candidates"]["n"] == 2
    assert _job(serve, report["job_id"])["request"]["top_k"] == 2


def test_async_client_runs_concurrent_jobs(serve):
    async def both():
        async with openai.AsyncOpenAI(base_url=f"{serve.url}/v1", api_key=KEY,
                                      timeout=300) as client:
            return await asyncio.gather(*(client.chat.completions.create(
                model="factforge", messages=[{"role": "user", "content": TASK}])
                for _ in range(2)))

    completions = asyncio.run(both())
    ids = {_check_verified_answer(serve, c)["job_id"] for c in completions}
    assert len(ids) == 2


def test_stream_carries_progress_then_the_answer(serve):
    client = serve.client()
    chunks = list(client.chat.completions.create(
        model="factforge", stream=True, stream_options={"include_usage": True},
        messages=[{"role": "user", "content": TASK}]))
    assert chunks[0].choices[0].delta.role == "assistant"
    job_id = chunks[0].model_extra["factforge"]["job_id"]
    assert {c.id for c in chunks} == {f"chatcmpl-{job_id}"}
    events = [c.model_extra["factforge"]["event"] for c in chunks
              if "event" in (c.model_extra or {}).get("factforge", {})]
    nodes = [e["node"] for e in events if e["type"] == "node"]
    assert nodes[:3] == ["route", "draft", "select"] and nodes[-1] == "verify"
    assert events[-1] == {**events[-1], "type": "status", "status": "succeeded"}
    progress = [c.model_extra["factforge"]["progress"] for c in chunks
                if "progress" in (c.model_extra or {}).get("factforge", {})]
    assert progress[0].startswith("route: algorithm_design")
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finals = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert [c.choices[0].finish_reason for c in finals] == ["stop"]
    assert finals[0].model_extra["factforge"]["verified"] is True
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens > 0
    # the same job, answered without streaming, says the same
    job = _job(serve, job_id)
    assert "```python\n" + job["result"]["code"] in text
    # on the wire: OpenAI's SSE, ending with [DONE]
    with serve.http.stream("POST", "/v1/chat/completions", json={
            "model": "factforge", "stream": True,
            "messages": [{"role": "user", "content": TASK}]}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines) and lines[-1] == "data: [DONE]"
    assert json.loads(lines[-2][6:])["choices"][0]["finish_reason"] == "stop"


def test_code_that_fails_its_checks_is_not_presented_as_verified(serve):
    client = serve.client()
    completion = client.chat.completions.create(
        model="factforge", messages=[{"role": "user", "content": BROKEN_TASK}])
    (choice,) = completion.choices
    assert choice.finish_reason == "verification_failed"
    assert choice.message.content.startswith("**Verification failed**: ")
    report = completion.model_extra["factforge"]
    assert report["verified"] is False and report["status"] == "failed"
    assert {v["plugin"]: v["status"] for v in report["verdicts"]}["tests"] == "fail"
    chunks = list(client.chat.completions.create(
        model="factforge", stream=True, messages=[{"role": "user", "content": BROKEN_TASK}]))
    finals = [c.choices[0].finish_reason for c in chunks if c.choices and
              c.choices[0].finish_reason]
    assert finals == ["verification_failed"]


def test_a_failed_job_is_an_error_that_is_not_retried(serve, model):
    sent = []
    http_client = httpx.Client(event_hooks={"request": [sent.append]}, timeout=300)
    client = serve.client(max_retries=2, http_client=http_client)
    model.refuse = AUTHOR  # the author's model calls fail for good: the job fails
    try:
        with pytest.raises(openai.InternalServerError) as failed:
            client.chat.completions.create(model="factforge",
                                           messages=[{"role": "user", "content": TASK}])
        error = failed.value
        assert error.status_code == 500 and error.response.headers["x-should-retry"] == "false"
        assert len(sent) == 1  # not retried: each retry would have run a new job
        job_id = re.search(r"job ([0-9a-f]{32}) failed", error.message).group(1)
        job = _job(serve, job_id)
        assert job["status"] == "failed" and error.body["code"] == job["error"]["code"]
        assert error.body["type"] == "server_error"
        # streamed: the progress, then an error event, then [DONE]
        with serve.http.stream("POST", "/v1/chat/completions", json={
                "model": "factforge", "stream": True,
                "messages": [{"role": "user", "content": TASK}]}) as response:
            lines = [line for line in response.iter_lines() if line]
        assert lines[-1] == "data: [DONE]"
        streamed = json.loads(lines[-2][len("data: "):])["error"]
        assert streamed["type"] == "server_error" and " failed: " in streamed["message"]
        with pytest.raises(openai.APIError, match=" failed: "):
            list(client.chat.completions.create(
                model="factforge", stream=True, messages=[{"role": "user", "content": TASK}]))
    finally:
        model.refuse = None
        http_client.close()


def test_idempotency_key_answers_from_the_same_job(serve):
    client = serve.client()
    first, again = (client.chat.completions.create(
        model="factforge", messages=[{"role": "user", "content": TASK}],
        extra_headers={"Idempotency-Key": "openai-compat-once"}) for _ in range(2))
    assert first.id == again.id and first.choices[0].message == again.choices[0].message


def _ends_cancelled(serve: Serve, job_id: str) -> None:
    job = _job(serve, job_id)
    assert job["status"] == "cancelled", job
    assert "verify" not in [e.get("node") for e in _events(serve, job_id)]


def _events(serve: Serve, job_id: str) -> list[dict]:
    with serve.http.stream("GET", f"/v1/jobs/{job_id}/events") as response:
        return [json.loads(line[len("data: "):]) for line in response.iter_lines()
                if line.startswith("data: ")]


def test_a_client_that_goes_away_cancels_its_job(serve, model):
    model.delay_s = 3.0  # every model call: the job takes >= 6 s (draft, then reviews)
    try:
        with serve.http.stream("POST", "/v1/chat/completions", json={
                "model": "factforge", "stream": True,
                "messages": [{"role": "user", "content": TASK}]}) as response:
            first = json.loads(next(response.iter_lines())[len("data: "):])
        _ends_cancelled(serve, first["factforge"]["job_id"])  # closed after the first chunk
        with pytest.raises(httpx.ReadTimeout):
            serve.http.post("/v1/chat/completions", timeout=httpx.Timeout(300, read=0.5), json={
                "model": "factforge", "messages": [{"role": "user", "content": TASK}]})
    finally:
        model.delay_s = 0.0
    # the non-streaming request's job: the newest one (its id never reached the client)
    with sqlite3.connect(serve.data_dir / "jobs.sqlite") as db:
        (newest,) = db.execute("SELECT job_id FROM jobs ORDER BY created_at DESC LIMIT 1").fetchone()
    _ends_cancelled(serve, newest)


@pytest.mark.parametrize("body, status, param, code", [
    ({"model": "gpt-4o", "messages": [{"role": "user", "content": TASK}]}, 404, "model",
     "model_not_found"),
    ({"model": "factforge", "messages": [{"role": "system", "content": "hi"}]}, 400,
     "messages", "invalid_request"),
    ({"model": "factforge", "messages": []}, 400, "messages", "invalid_request"),
    ({"model": "factforge", "messages": [{"role": "user", "content": "   "}]}, 400,
     "messages.0.content", "invalid_request"),
    ({"model": "factforge", "messages": [{"role": "user", "content": TASK}], "n": 2}, 400,
     "n", "invalid_request"),
    ({"model": "factforge", "messages": [{"role": "user", "content": TASK}],
      "tools": [{"type": "function", "function": {"name": "f"}}]}, 400, "tools",
     "invalid_request"),
    ({"model": "factforge", "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "http://x"}}]}]}, 400, None,
     "invalid_request"),
    ({"messages": [{"role": "user", "content": TASK}]}, 400, "model", "invalid_request"),
])
def test_bad_requests_are_openai_errors(serve, body, status, param, code):
    answer = serve.http.post("/v1/chat/completions", json=body)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error" and error["code"] == code
    if param is not None:
        assert error["param"] == param
    assert error["message"]


def test_a_client_that_wants_protobuf_only_gets_406(serve):
    answer = serve.http.get("/v1/models", headers={"Accept": "application/x-protobuf"})
    assert answer.status_code == 406 and answer.json()["error"]["code"] == "not_acceptable"
    both = {"Accept": "application/x-protobuf, application/json"}
    assert serve.http.get("/v1/models", headers=both).json()["object"] == "list"


def test_bad_request_through_the_sdk(serve):
    with pytest.raises(openai.BadRequestError) as bad:
        serve.client().chat.completions.create(
            model="factforge", messages=[{"role": "system", "content": "no task"}])
    assert bad.value.status_code == 400 and bad.value.param == "messages"


def test_keys_are_checked_with_openai_errors(serve):
    with (
        openai.OpenAI(base_url=f"{serve.url}/v1", api_key="wrong") as stranger,
        pytest.raises(openai.AuthenticationError) as wrong,
    ):
        stranger.chat.completions.create(
            model="factforge", messages=[{"role": "user", "content": TASK}])
    assert wrong.value.status_code == 401 and wrong.value.code == "invalid_api_key"
    for path in ("/v1/models", "/v1/models/factforge"):
        answer = httpx.get(serve.url + path)
        assert answer.status_code == 401
        assert answer.json()["error"] == {"message": answer.json()["error"]["message"],
                                          "type": "invalid_request_error", "param": None,
                                          "code": "invalid_api_key"}


def test_langchain_chat_openai(serve):
    langchain_openai = pytest.importorskip("langchain_openai")
    chat = langchain_openai.ChatOpenAI(model="factforge", base_url=f"{serve.url}/v1",
                                       api_key=KEY, timeout=300, max_retries=0)
    answer = chat.invoke(TASK)
    assert "```python\ndef quicksort(items):" in answer.content
    assert answer.response_metadata["finish_reason"] == "stop"
    streamed = "".join(part.content for part in chat.stream(TASK))
    assert streamed == answer.content


def _readme_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## OpenAI-compatible endpoint", 1)[1].split("\n## ", 1)[0]


def test_readme_examples_run_as_written(serve, tmp_path):
    section = _readme_section()
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 2, "the README's OpenAI section has a request and a streaming example"
    for number, block in enumerate(blocks):
        assert 'base_url="http://127.0.0.1:8000/v1", api_key="KEY"' in block
        script = tmp_path / f"example{number}.py"
        script.write_text(block.replace("http://127.0.0.1:8000", serve.url)
                          .replace('api_key="KEY"', f'api_key="{KEY}"'))
        run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                             timeout=300, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        assert run.returncode == 0, run.stderr
        assert "def quicksort(items):" in run.stdout, run.stdout
        assert ("stop" if number == 0 else "route: algorithm_design") in run.stdout
    (curl,) = re.findall(r"```bash\n(.*?)```", section, re.DOTALL)
    run = subprocess.run(["bash", "-c", curl.replace("http://127.0.0.1:8000", serve.url)
                          .replace("Bearer KEY", f"Bearer {KEY}")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["choices"][0]["finish_reason"] == "stop"


def test_distributed_mode(tmp_path):
    """The same endpoint in front of Redis and a Celery jobs worker (the job runs there)."""
    redis_server = RedisServer(tmp_path / "redis").start()
    worker = serve = None
    try:
        worker = CeleryWorker(redis_server.url, tmp_path / "worker.log",
                              name="openai-jobs").start()
        serve = Serve(tmp_path, {"FACTFORGE_REDIS_URL": redis_server.url})
        client = serve.client()
        completion = client.chat.completions.create(
            model="factforge", messages=[{"role": "user", "content": TASK}])
        job_id = _check_verified_answer(serve, completion)["job_id"]
        assert f"Task factforge.run_job[{job_id}] succeeded" in worker.log()
        chunks = list(client.chat.completions.create(
            model="factforge", stream=True, messages=[{"role": "user", "content": TASK}]))
        nodes = [c.model_extra["factforge"]["event"].get("node") for c in chunks
                 if "event" in (c.model_extra or {}).get("factforge", {})]
        assert "route" in nodes and "verify" in nodes
        assert [c.choices[0].finish_reason for c in chunks
                if c.choices and c.choices[0].finish_reason] == ["stop"]
    finally:
        if serve is not None:
            serve.close()
        if worker is not None:
            worker.stop()
        redis_server.stop()
