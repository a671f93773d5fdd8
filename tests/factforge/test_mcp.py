"""The MCP server with the official SDK's own client, over both transports: stdio (a
``factforge mcp`` subprocess) and streamable HTTP (``/mcp`` of a real ``factforge serve``,
behind its API keys). Real jobs run through the ordinary openai backend pointed at a scripted
model server."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from tests.fixtures.scripted_openai import ScriptedOpenAIServer
from tests.fixtures.serve_process import ServeProcess, serve_env
from tests.fixtures.services import ROOT, CeleryWorker, RedisServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

KEY = "mcp-test-key"
TASK = "Implement quicksort in Python"
HARBOR = ("Harbor is a web server written in Rust. Harbor listens on port 8080 by default. "
          "It does not support HTTP/3.")
TOOLS = {"generate_code", "factcheck", "kb_search", "kb_add_documents"}


@pytest.fixture(scope="module")
def model() -> Iterator[ScriptedOpenAIServer]:
    with ScriptedOpenAIServer(delay_s=0.05) as server:
        yield server


@pytest.fixture(scope="module")
def served(tmp_path_factory, model) -> Iterator[ServeProcess]:
    with ServeProcess(tmp_path_factory.mktemp("mcp-http") / "data", model.url,
                      api_keys=KEY) as serve:
        yield serve


async def over_http(served: ServeProcess) -> dict[str, Any]:
    """:func:`exercise` with the SDK's streamable HTTP client sending the API key."""
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {KEY}"},
                                  timeout=httpx2.Timeout(120, read=300)) as http:
        return await exercise(Client(streamable_http_client(f"{served.url}/mcp",
                                                            http_client=http)))


def stdio_client(tmp_path, model_url: str) -> Client:
    env = serve_env(tmp_path / "data", model_url)
    return Client(StdioServerParameters(command=sys.executable, args=["-m", "factforge", "mcp"],
                                        env=env, cwd=str(ROOT)), read_timeout_seconds=300)


async def exercise(client: Client) -> dict[str, Any]:
    """Every tool and the job resource, as an MCP host would use them."""
    out: dict[str, Any] = {}
    async with client:
        out["tools"] = {t.name for t in (await client.list_tools()).tools}
        progress: list[tuple[float, str | None]] = []

        async def on_progress(value: float, total: float | None, message: str | None) -> None:
            progress.append((value, message))

        result = await client.call_tool("generate_code", {"prompt": TASK, "max_rounds": 0},
                                        progress_callback=on_progress)
        out["generate"], out["progress"] = result, progress
        job_id = result.structured_content["job_id"]
        resource = await client.read_resource(f"factforge://jobs/{job_id}")
        out["record"] = json.loads(resource.contents[0].text)
        out["bad_prompt"] = await client.call_tool("generate_code", {"prompt": ""})
        out["added"] = await client.call_tool("kb_add_documents", {
            "documents": [{"text": HARBOR, "source": "harbor.md"}], "collection": "mcp-kb"})
        out["search"] = await client.call_tool("kb_search", {
            "query": "Which port does Harbor use?", "collection": "mcp-kb", "top_k": 2})
        out["factcheck"] = await client.call_tool("factcheck", {
            "claims": ["Harbor is written in Rust."],
            "documents": [{"text": HARBOR, "source": "given.md"}]})
        out["factcheck_kb"] = await client.call_tool("factcheck", {
            "text": "Harbor listens on port 9090 by default.", "collection": "mcp-kb"})
        out["unknown_collection"] = await client.call_tool("kb_search", {
            "query": "x", "collection": "no-such-collection"})
        try:
            await client.read_resource("factforge://jobs/no-such-job")
        except Exception as exc:  # noqa: BLE001 - the SDK's error type for a failed read
            out["missing_job"] = str(exc)
    return out


def check(out: dict[str, Any]) -> None:
    assert TOOLS <= out["tools"]
    generated = out["generate"]
    assert not generated.is_error, generated.content
    result = generated.structured_content
    assert result["status"] == "verified" and "def quicksort" in result["code"]
    assert result["resource"] == f"factforge://jobs/{result['job_id']}"
    messages = [m for _, m in out["progress"]]
    assert any(m and m.startswith("route:") for m in messages), messages
    assert any(m and m.startswith("verify:") for m in messages), messages
    values = [v for v, _ in out["progress"]]
    assert values == sorted(values) and len(values) >= 5
    assert out["record"]["status"] == "succeeded" and out["record"]["result"]["code"] == \
        result["code"]
    assert out["bad_prompt"].is_error
    assert "invalid_request" in out["bad_prompt"].content[0].text
    assert out["added"].structured_content["added"] >= 1
    assert out["search"].structured_content["hits"][0]["source"] == "harbor.md"
    claims = out["factcheck"].structured_content["claims"]
    assert [c["text"] for c in claims] == ["Harbor is written in Rust."]
    assert claims[0]["evidence"][0]["source"] == "given.md"
    assert out["factcheck_kb"].structured_content["claims"][0]["evidence"][0]["source"] == \
        "harbor.md"
    assert out["unknown_collection"].is_error
    assert "collection_not_found" in out["unknown_collection"].content[0].text
    assert "job_not_found" in out["missing_job"]


def test_stdio(tmp_path, model) -> None:
    check(anyio.run(exercise, stdio_client(tmp_path, model.url)))


def test_streamable_http_under_the_api(served) -> None:
    check(anyio.run(over_http, served))


@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_http_needs_the_api_key(served, key) -> None:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = httpx.post(f"{served.url}/mcp", headers=headers, timeout=30, json={
        "jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_the_readme_examples_run(served, model, tmp_path) -> None:
    """README "MCP server": both examples as pasted (the stdio one launching this checkout's
    `factforge`, the HTTP one pointed at the test's server and key)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    body = readme.split("\n## MCP server\n", 1)[1].split("\n## ", 1)[0]
    stdio, http = re.findall(r"```python\n(.*?)```", body, re.DOTALL)
    stdio = stdio.replace('command="factforge", args=["mcp"]',
                          f'command={sys.executable!r}, args=["-m", "factforge", "mcp"]')
    assert sys.executable in stdio
    http = http.replace("http://127.0.0.1:8000", served.url).replace("my-key", KEY)
    outputs = []
    for code, env in ((stdio, serve_env(tmp_path / "data", model.url)), (http, served.env)):
        proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        outputs.append(proc.stdout)
    assert "'generate_code'" in outputs[0] and "progress: route:" in outputs[0]
    assert "verified " in outputs[0] and '{"job_id"' in outputs[0]
    source, counts = outputs[1].splitlines()
    assert source == "harbor.md" and sum(ast.literal_eval(counts).values()) >= 1


def test_distributed_mode_over_http(tmp_path, model) -> None:
    """generate_code on a server whose jobs run on a Celery worker (Redis): progress comes
    from the worker's events."""
    redis_server = RedisServer(tmp_path / "redis").start()
    worker = None
    try:
        worker = CeleryWorker(redis_server.url, tmp_path / "jobs.log", name="mcp-jobs").start()
        with ServeProcess(tmp_path / "data", model.url, api_keys=KEY,
                          redis_url=redis_server.url) as serve:
            async def run() -> tuple[Any, list[str | None]]:
                messages: list[str | None] = []

                async def on_progress(value: float, total: float | None,
                                      message: str | None) -> None:
                    messages.append(message)

                async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {KEY}"},
                                              timeout=httpx2.Timeout(120, read=300)) as http:
                    async with Client(streamable_http_client(f"{serve.url}/mcp",
                                                             http_client=http)) as client:
                        result = await client.call_tool(
                            "generate_code", {"prompt": TASK, "max_rounds": 0},
                            progress_callback=on_progress)
                return result, messages

            result, messages = anyio.run(run)
        assert not result.is_error, (result.content, worker.log()[-3000:])
        assert result.structured_content["status"] == "verified"
        assert any(m and m.startswith("route:") for m in messages), messages
    finally:
        if worker is not None:
            worker.stop()
        redis_server.stop()
