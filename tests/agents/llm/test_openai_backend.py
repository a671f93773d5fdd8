"""OpenAIBackend against a real HTTP server on 127.0.0.1 speaking the chat/completions JSON."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from agents.errors import ModelCallError, ModelLoadError
from agents.llm import GenerationRequest, ModelSpec, OpenAIBackend, load_backend

pytestmark = pytest.mark.integration


@dataclass
class _Script:
    """What the server does: scripted (status, body, headers) answers first, then echo (a
    prompt "fail:..." gets a 400 whatever the order requests arrive in)."""

    answers: list[tuple[int, Any, dict[str, str]]] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    usage: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)
    closing: threading.Event = field(default_factory=threading.Event)


def _echo(body: dict[str, Any], script: _Script) -> dict[str, Any]:
    user = body["messages"][-1]["content"]
    if user.startswith("sleep:"):
        script.closing.wait(float(user.split(":")[1]))
    text = f"echo {user}"
    answer: dict[str, Any] = {
        "id": "cmpl-1",
        "object": "chat.completion",
        "model": body["model"],
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "length" if body.get("max_tokens") == 1 else "stop",
            }
        ],
    }
    if script.usage:
        answer["usage"] = {"prompt_tokens": 11, "completion_tokens": len(text.split())}
    return answer


def _handler(script: _Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with script.lock:
                script.bodies.append(body)
                script.headers.append(dict(self.headers))
                script.in_flight += 1
                script.max_in_flight = max(script.max_in_flight, script.in_flight)
                scripted = script.answers.pop(0) if script.answers else None
            try:
                if self.path != "/v1/chat/completions":
                    status, answer, extra = 404, {"error": {"message": "no route"}}, {}
                elif scripted is None and body["messages"][-1]["content"].startswith("fail:"):
                    status, answer, extra = 400, {"error": {"message": "bad request"}}, {}
                elif scripted is None:
                    status, answer, extra = 200, _echo(body, script), {}
                else:
                    status, answer, extra = scripted
                data = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in extra.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
            finally:
                with script.lock:
                    script.in_flight -= 1

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that timed out closed its socket; nothing to report


@pytest.fixture
def server() -> Iterator[tuple[str, _Script]]:
    script = _Script()
    httpd = _Server(("127.0.0.1", 0), _handler(script))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", script
    finally:
        script.closing.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _backend(base_url: str, **options: Any) -> OpenAIBackend:
    timeout = options.pop("timeout_s", 10.0)
    spec = ModelSpec("tiny-chat", base_url=base_url, api_key="sk-test", timeout_s=timeout)
    return OpenAIBackend(spec, backoff_s=options.pop("backoff_s", 0.01), **options)


def _req(user: str, **options: object) -> GenerationRequest:
    return GenerationRequest.chat("be brief", user, **options)


def test_success_sends_the_request_and_reads_usage(server: tuple[str, _Script]) -> None:
    url, script = server
    with _backend(url) as backend:
        (generation,) = backend.generate(
            [_req("hello there", max_new_tokens=33, temperature=0.4, stop=("\n",), seed=5)]
        )
    assert generation.text == "echo hello there"
    assert (generation.prompt_tokens, generation.completion_tokens) == (11, 3)
    assert generation.finish_reason == "stop"
    body = script.bodies[0]
    assert body["model"] == "tiny-chat" and body["max_tokens"] == 33
    assert body["temperature"] == 0.4 and body["stop"] == ["\n"] and body["seed"] == 5
    assert body["messages"][0] == {"role": "system", "content": "be brief"}
    assert script.headers[0]["Authorization"] == "Bearer sk-test"


def test_length_finish_and_usage_estimate(server: tuple[str, _Script]) -> None:
    url, script = server
    script.usage = False
    with _backend(url) as backend:
        (generation,) = backend.generate([_req("abcdefgh", max_new_tokens=1)])
    assert generation.finish_reason == "length"
    assert generation.completion_tokens == 4  # "echo abcdefgh": 13 characters, ~4 per token
    assert generation.prompt_tokens > 0


def test_stop_string_left_in_by_the_server_is_cut(server: tuple[str, _Script]) -> None:
    url, _ = server
    with _backend(url) as backend:
        (generation,) = backend.generate([_req("one STOP two", stop=("STOP",))])
    assert generation.text == "echo one "


def test_retries_after_a_500_then_succeeds(server: tuple[str, _Script]) -> None:
    url, script = server
    script.answers.append((500, {"error": {"message": "overloaded"}}, {}))
    script.answers.append((429, {"error": {"message": "slow down"}}, {"Retry-After": "0"}))
    with _backend(url) as backend:
        (generation,) = backend.generate([_req("again")])
    assert generation.text == "echo again"
    assert len(script.bodies) == 3


def test_gives_up_after_max_retries(server: tuple[str, _Script]) -> None:
    url, script = server
    script.answers.extend([(503, {"error": {"message": "warming up"}}, {})] * 3)
    with _backend(url, max_retries=2) as backend, pytest.raises(ModelCallError) as info:
        backend.generate([_req("x")])
    assert "503" in str(info.value) and "warming up" in str(info.value)
    assert len(script.bodies) == 3


def test_400_is_not_retried_and_carries_the_server_message(server: tuple[str, _Script]) -> None:
    url, script = server
    message = "This model's maximum context length is 4096 tokens."
    script.answers.append((400, {"object": "error", "message": message}, {}))
    with _backend(url) as backend, pytest.raises(ModelCallError, match="maximum context"):
        backend.generate([_req("x")])
    assert len(script.bodies) == 1


def test_non_json_error_body_is_reported(server: tuple[str, _Script]) -> None:
    url, script = server
    script.answers.append((401, "invalid api key", {}))
    with _backend(url) as backend, pytest.raises(ModelCallError, match="401.*invalid api key"):
        backend.generate([_req("x")])


def test_timeout_is_a_call_error(server: tuple[str, _Script]) -> None:
    url, _ = server
    started = time.monotonic()
    with _backend(url, timeout_s=0.3) as backend, pytest.raises(ModelCallError, match="0.3 s"):
        backend.generate([_req("sleep:3")])
    assert time.monotonic() - started < 2.5


def test_unreachable_server_is_retried_then_a_call_error() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = _backend(f"http://127.0.0.1:{port}/v1", max_retries=1)
    with backend, pytest.raises(ModelCallError, match="after 2 attempts"):
        backend.generate([_req("x")])


def test_wrong_base_url_hints_at_v1(server: tuple[str, _Script]) -> None:
    url, _ = server
    backend = _backend(url.removesuffix("/v1"))
    with backend, pytest.raises(ModelCallError, match="404.*/v1"):
        backend.generate([_req("x")])


def test_batch_runs_concurrently_and_keeps_order(server: tuple[str, _Script]) -> None:
    url, script = server
    delays = [0.6, 0.45, 0.3, 0.15, 0.0]
    requests = [_req(f"sleep:{d}") for d in delays]
    started = time.monotonic()
    with _backend(url, max_concurrency=5) as backend:
        generations = backend.generate(requests)
    elapsed = time.monotonic() - started
    assert [g.text for g in generations] == [f"echo sleep:{d}" for d in delays]
    assert script.max_in_flight > 1
    assert elapsed < sum(delays)


def test_a_failing_call_of_a_batch_raises_only_once_the_others_settle(
    server: tuple[str, _Script],
) -> None:
    # one request fails for good at once (400), the other is still being answered: the error
    # comes after the other call is done, so nothing is left running behind the caller
    url, script = server
    with _backend(url, max_concurrency=2) as backend:
        started = time.monotonic()
        with pytest.raises(ModelCallError, match="400"):
            backend.generate([_req("fail:first"), _req("sleep:0.5")])
        elapsed = time.monotonic() - started
        assert script.in_flight == 0
    assert elapsed >= 0.45


def test_missing_base_url_is_a_load_error() -> None:
    with pytest.raises(ModelLoadError, match="FACTFORGE_OPENAI_BASE_URL"):
        OpenAIBackend(ModelSpec("m"))
    with pytest.raises(ModelLoadError, match="http://"):
        OpenAIBackend(ModelSpec("m", base_url="localhost:8000/v1"))


def test_load_backend_builds_the_openai_backend(server: tuple[str, _Script]) -> None:
    url, _ = server
    backend = load_backend("openai", ModelSpec("tiny-chat", base_url=url))
    assert isinstance(backend, OpenAIBackend)
    try:
        assert backend.generate([_req("hi")])[0].text == "echo hi"
    finally:
        backend.close()
