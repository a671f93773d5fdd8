"""``factforge generate|factcheck --server URL`` against a REAL ``factforge serve`` subprocess:
the same output and exit codes as the in-process commands (run as subprocesses too, with the
same model and settings), and clean exit-2 errors (bad key, unreachable server, local-only
flags)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.scripted_openai import ScriptedOpenAIServer
from tests.fixtures.serve_process import ServeProcess, serve_env
from tests.fixtures.services import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

KEY = "cli-remote-key"
TASK = "Implement quicksort in Python"
HARBOR = ("Harbor is a web server written in Rust. Harbor listens on port 8080 by default. "
          "It does not support HTTP/3.")


@pytest.fixture(scope="module")
def model() -> Iterator[ScriptedOpenAIServer]:
    with ScriptedOpenAIServer() as server:
        yield server


@pytest.fixture(scope="module")
def served(tmp_path_factory, model) -> Iterator[ServeProcess]:
    with ServeProcess(tmp_path_factory.mktemp("cli-remote") / "data", model.url,
                      api_keys=KEY) as serve:
        yield serve


@pytest.fixture(scope="module")
def local_env(tmp_path_factory, model) -> dict[str, str]:
    """The in-process commands' environment: the same model, their own data dir."""
    return serve_env(tmp_path_factory.mktemp("cli-local") / "data", model.url)


def factforge(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "factforge", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def remote(served: ServeProcess, *args: str, key: str | None = KEY,
           **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**served.env, **env}
    environment.pop("FACTFORGE_API_KEYS")  # a client's environment, not the server's
    if key is not None:
        environment["FACTFORGE_API_KEY"] = key
    return factforge(*args, env=environment, cwd=served.log_path.parent)


def test_generate_json_matches_the_in_process_command(served, local_env, tmp_path) -> None:
    there = remote(served, "generate", TASK, "--json", "--max-rounds", "0",
                   "--server", served.url)
    here = factforge("generate", TASK, "--json", "--max-rounds", "0", env=local_env,
                     cwd=tmp_path)
    assert there.returncode == here.returncode == 0, (there.stderr, here.stderr)
    remote_result, local_result = json.loads(there.stdout), json.loads(here.stdout)
    assert remote_result.keys() == local_result.keys()
    assert remote_result["status"] == local_result["status"] == "verified"
    assert remote_result["code"] == local_result["code"]
    assert [v["plugin"] for v in remote_result["verdicts"]] == \
        [v["plugin"] for v in local_result["verdicts"]]


def test_generate_prints_progress_then_the_code(served) -> None:
    proc = remote(served, "generate", TASK, "--max-rounds", "0",
                  FACTFORGE_SERVER=served.url)  # the server from the environment
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("def quicksort") or "def quicksort" in proc.stdout
    assert "route: activated" in proc.stderr and "verify: verified" in proc.stderr
    assert "VERIFIED" in proc.stderr and served.url in proc.stderr


@pytest.mark.parametrize("key", ["wrong-key", None])
def test_a_bad_or_missing_key_is_exit_2_with_the_reason(served, key) -> None:
    proc = remote(served, "generate", TASK, "--server", served.url, key=key)
    assert proc.returncode == 2
    assert "error:" in proc.stderr and ("API key" in proc.stderr or "bearer" in proc.stderr)
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("args, message", [
    (["--model", "x"], "--model is the server's business"),
    (["--samples", "0"], "samples"),
])
def test_bad_generate_options_are_exit_2(served, args, message) -> None:
    proc = remote(served, "generate", TASK, "--server", served.url, *args)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_unreachable_server_is_exit_2(tmp_path) -> None:
    for command in (["generate", TASK], ["factcheck", "Water is wet."]):
        proc = factforge(*command, "--server", f"http://127.0.0.1:{free_port()}",
                         env=serve_env(tmp_path / "data", "http://127.0.0.1:9/v1"),
                         cwd=tmp_path)
        assert proc.returncode == 2 and "cannot reach the server" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_factcheck_matches_the_in_process_command(served, local_env, tmp_path) -> None:
    doc = tmp_path / "harbor.md"
    doc.write_text(HARBOR)
    text = "Harbor is written in Rust. Harbor listens on port 9090 by default."
    args = ["factcheck", text, "--document", str(doc), "--json"]
    there = remote(served, *args, "--server", served.url)
    here = factforge(*args, env=local_env, cwd=tmp_path)
    assert there.returncode == here.returncode, (there.stderr, here.stderr)
    assert there.returncode in (0, 1)
    assert json.loads(there.stdout) == json.loads(here.stdout)
    assert json.loads(there.stdout)["claims"][0]["evidence"][0]["source"] == "harbor.md"
    table = remote(served, *args[:-1], "--server", served.url)
    assert table.returncode == there.returncode and "document score" in table.stdout


def test_factcheck_server_errors_are_exit_2(served) -> None:
    proc = remote(served, "factcheck", "Water is wet today.", "--collection", "nope-none",
                  "--server", served.url)
    assert proc.returncode == 2 and "nope-none" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
