"""/healthz stays liveness; /readyz and `factforge status` tell the truth about Redis, Chroma
and the live workers of each queue, with real processes (redis-server, chroma run, Celery
workers) started and stopped here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from factforge.api import create_app
from factforge.settings import Settings
from tests.fixtures.services import CeleryWorker, ChromaServer, RedisServer

ROOT = Path(__file__).resolve().parents[2]


def status_cli(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "factforge", "status", "--json", "--timeout", "2"], cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env}, capture_output=True, text=True,
        timeout=120)


def test_embedded_mode_reports_its_store_and_chroma(tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        assert client.get("/healthz").json()["status"] == "ok"
        answer = client.get("/readyz")
    body = answer.json()
    assert answer.status_code == 200, body
    assert (body["status"], body["mode"], body["failing"]) == ("ready", "embedded", [])
    assert set(body["checks"]) == {"store", "chroma"}
    assert "embedded Chroma" in body["checks"]["chroma"]["detail"]
    assert "checkpoints.sqlite" in body["checks"]["store"]["detail"]


def test_embedded_mode_with_an_unwritable_store_does_not_start(tmp_path):
    """Embedded mode opens its stores at start (unfinished jobs resume then): a store that
    cannot open stops the server with the path, instead of serving jobs it cannot keep."""
    from factforge.errors import ConfigError

    data = tmp_path / "data"
    (data / "checkpoints.sqlite").mkdir(parents=True)  # a directory where the database goes
    with pytest.raises(ConfigError, match="cannot open checkpoints at .*checkpoints.sqlite"):
        with TestClient(create_app(Settings(data_dir=data))):
            pass


def test_embedded_store_check_reports_a_broken_store(tmp_path):
    from factforge.health import check_embedded_store

    (tmp_path / "checkpoints.sqlite").mkdir()
    check = check_embedded_store(str(tmp_path / "checkpoints.sqlite"), 2.0)
    assert not check.ok and "checkpoints.sqlite" in check.detail


@pytest.mark.integration
@pytest.mark.slow
def test_distributed_readiness_follows_redis_chroma_and_workers(tmp_path):
    if not ChromaServer.binary.exists():
        pytest.skip("chroma CLI not found next to the interpreter")
    redis_server = RedisServer(tmp_path / "redis").start()
    chroma = ChromaServer(tmp_path / "chroma").start()
    env = {"FACTFORGE_REDIS_URL": redis_server.url, "FACTFORGE_CHROMA_URL": chroma.url,
           "FACTFORGE_DATA_DIR": str(tmp_path / "data")}
    settings = Settings(redis_url=redis_server.url, chroma_url=chroma.url,
                        data_dir=tmp_path / "data")
    workers: list[CeleryWorker] = []
    try:
        with TestClient(create_app(settings)) as client:
            def readyz() -> tuple[int, dict]:
                started = time.monotonic()
                answer = client.get("/readyz")
                assert time.monotonic() - started < 10, "readyz must answer in bounded time"
                return answer.status_code, answer.json()

            # no worker at all: both queues named
            code, body = readyz()
            assert code == 503 and body["mode"] == "distributed", body
            assert body["failing"] == ["workers:jobs", "workers:inference"], body
            assert "'jobs' queue" in body["checks"]["workers:jobs"]["detail"]
            assert body["checks"]["redis"]["ok"] and body["checks"]["chroma"]["ok"]

            # a jobs worker only: the inference queue is named
            workers.append(CeleryWorker(redis_server.url, tmp_path / "jobs.log",
                                        name="ready-jobs").start())
            code, body = readyz()
            assert code == 503 and body["failing"] == ["workers:inference"], body
            assert body["checks"]["workers:jobs"]["workers"][0].startswith("ready-jobs@")

            # everything up
            workers.append(CeleryWorker(redis_server.url, tmp_path / "inference.log",
                                        queue="inference", name="ready-inference").start())
            code, body = readyz()
            assert code == 200 and body["status"] == "ready" and body["failing"] == [], body
            cli = status_cli(env)
            assert cli.returncode == 0, cli.stderr
            assert json.loads(cli.stdout)["status"] == "ready"

            # Redis stopped: 503 naming redis; liveness unaffected; the CLI exits 1
            redis_server.stop()
            code, body = readyz()
            assert code == 503 and body["failing"][0] == "redis", body
            assert not body["checks"]["redis"]["ok"]
            assert client.get("/healthz").status_code == 200
            cli = status_cli(env)
            assert cli.returncode == 1, cli.stderr
            assert "redis" in json.loads(cli.stdout)["failing"]
            redis_server.start()

            # Chroma stopped: 503 naming chroma
            chroma.stop()
            code, body = readyz()
            assert code == 503 and "chroma" in body["failing"], body
    finally:
        for worker in workers:
            worker.stop()
        chroma.stop()
        redis_server.stop()
