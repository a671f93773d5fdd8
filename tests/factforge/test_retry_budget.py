"""One owner for retries: a model call that fails for good costs at most the backend's retry
budget in HTTP requests (README, "Who retries what"), in embedded and in distributed mode
(real Redis, real jobs and inference worker processes, a real HTTP server answering 503)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from agents import JobRequest
from agents.llm import ModelSpec, OpenAIBackend
from factforge.services import Services
from factforge.settings import Settings
from tests.fixtures.failing_model_server import FailingModelServer
from tests.fixtures.services import CeleryWorker, RedisServer

pytestmark = [pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
TASK = {"prompt": "Implement quicksort in Python", "max_rounds": 0}


def documented_bound() -> int:
    """The bound README states for a model call that keeps failing."""
    section = (ROOT / "README.md").read_text().split("### Who retries what", 1)[1]
    found = re.search(r"at most \*\*(\d+) HTTP requests\*\*", section.split("\n## ", 1)[0])
    assert found, "README's 'Who retries what' must state the bound"
    return int(found[1])


def assert_bounded(calls: dict[bytes, int]) -> None:
    """Each model call (the draft node sends the author's and the test writer's at once) was
    sent exactly as often as the documented bound, and nothing else was sent."""
    bound = documented_bound()
    assert calls, "the model server got no request"
    assert sorted(calls.values()) == [bound] * len(calls), (
        f"HTTP requests per model call: {sorted(calls.values())}, documented bound {bound}")
    assert len(calls) <= 2  # the draft's two calls; the job failed there


def test_the_documented_bound_is_the_backends_budget():
    backend = OpenAIBackend(ModelSpec(model="m", base_url="http://127.0.0.1:9/v1"))
    try:
        assert documented_bound() == 1 + backend.max_retries
    finally:
        backend.close()


def test_a_failing_model_call_in_embedded_mode(tmp_path):
    with FailingModelServer() as server:
        services = Services(Settings(backend="openai", openai_base_url=server.base_url,
                                     data_dir=tmp_path))
        try:
            queue = services.job_queue()
            record = queue.submit(JobRequest.from_dict(TASK))
            final = queue.wait(record.job_id, 120)
        finally:
            services.close()
        time.sleep(1)  # nothing retries behind the job's back
        calls = dict(server.calls)
    assert final.status == "failed" and final.error["code"] == "model_call_failed", final
    assert "503" in final.error["message"]
    assert_bounded(calls)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis-retries")).start()
    yield server
    server.stop()


@pytest.mark.slow
def test_a_failing_model_call_in_distributed_mode(redis_server, tmp_path):
    """jobs worker (remote backend) -> inference worker (openai backend) -> 503 server."""
    no_stand_in = {"FACTFORGE_TEST_MODEL_FACTORY": "", "FACTFORGE_DATA_DIR": str(tmp_path)}
    with FailingModelServer() as server:
        inference = CeleryWorker(redis_server.url, tmp_path / "inference.log", queue="inference",
                                 name="inference", env={**no_stand_in,
                                                        "FACTFORGE_BACKEND": "openai",
                                                        "FACTFORGE_OPENAI_BASE_URL":
                                                            server.base_url})
        jobs = CeleryWorker(redis_server.url, tmp_path / "jobs.log", name="jobs",
                            env={**no_stand_in, "FACTFORGE_BACKEND": "remote"})
        services = Services(Settings(redis_url=redis_server.url, data_dir=tmp_path))
        try:
            inference.start()
            jobs.start()
            queue = services.job_queue()
            record = queue.submit(JobRequest.from_dict(TASK))
            final = queue.wait(record.job_id, 120)
            time.sleep(3)  # nothing retries behind the job's back
            calls = dict(server.calls)
        finally:
            services.close()
            jobs.stop()
            inference.stop()
    assert final.status == "failed" and final.error["code"] == "model_call_failed", final
    assert "503" in final.error["message"]
    assert_bounded(calls)
