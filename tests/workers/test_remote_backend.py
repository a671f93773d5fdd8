"""The remote backend: model calls on the ``inference`` queue (real Redis, real workers)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from agents import JobRequest
from agents.errors import ModelCallError
from agents.llm.base import GenerationRequest
from factforge.jobs import CeleryJobQueue
from tests.fixtures.scripted_model import AUTHOR, TESTER
from tests.fixtures.services import CeleryWorker, RedisServer
from workers.config import WorkerConfig
from workers.remote_backend import RemoteBackend

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    directory = tmp_path_factory.mktemp("remote")
    server = RedisServer(directory).start()
    inference = CeleryWorker(server.url, directory / "inference.log", name="inf",
                             queue="inference", concurrency=16).start()
    jobs = CeleryWorker(server.url, directory / "jobs.log", name="jobs",
                        env={"FACTFORGE_BACKEND": "remote"}).start()
    yield server, inference, jobs
    jobs.stop()
    inference.stop()
    server.stop()


def test_generate_round_trip_and_concurrent_calls(cluster):
    server, _, _ = cluster
    backend = RemoteBackend.from_config(WorkerConfig(redis_url=server.url, inference_timeout_s=60))
    author = GenerationRequest.chat(f"You are an {AUTHOR}.", "Implement quicksort")
    tester = GenerationRequest.chat(f"You are a {TESTER}.", "Test quicksort")
    first, second = backend.generate([author, tester])
    assert "def quicksort" in first.text and second.text.startswith("```python\nassert")
    with ThreadPoolExecutor(16) as pool:
        texts = list(pool.map(lambda r: backend.generate([r])[0].text, [author, tester] * 8))
    assert texts == [first.text, second.text] * 8
    assert backend.generate([]) == []


def test_concurrent_calls_are_coalesced_into_few_generate_tasks(cluster):
    server, inference, _ = cluster
    config = WorkerConfig(redis_url=server.url, inference_timeout_s=60, batch_max_size=16,
                          batch_max_wait_ms=50)
    backend = RemoteBackend.from_config(config)
    author = GenerationRequest.chat(f"You are an {AUTHOR}.", "Implement quicksort")
    tester = GenerationRequest.chat(f"You are a {TESTER}.", "Test quicksort")
    expected = [r.text for r in RemoteBackend.from_config(
        WorkerConfig(redis_url=server.url, inference_timeout_s=60)).generate([author, tester])]
    time.sleep(0.5)  # let the worker log the task above before counting
    before = inference.log().count("succeeded in")
    with ThreadPoolExecutor(16) as pool:
        texts = list(pool.map(lambda r: backend.generate([r])[0].text, [author, tester] * 8))
    assert texts == expected * 8  # every caller got its own answer
    time.sleep(0.5)
    tasks = inference.log().count("succeeded in") - before
    assert 1 <= tasks <= 8  # 16 calls, coalesced into a few generate tasks


def test_a_job_whose_model_calls_go_to_the_inference_queue(cluster):
    server, inference, jobs = cluster
    queue = CeleryJobQueue.from_url(server.url)
    before = inference.log().count("factforge.generate[")
    record = queue.submit(JobRequest("Implement quicksort in Python", max_rounds=0))
    deadline = time.monotonic() + 120
    while not (final := queue.get(record.job_id)).terminal and time.monotonic() < deadline:
        time.sleep(0.1)
    assert final.status == "succeeded" and final.result["status"] == "verified"
    assert final.result["usage"]["calls"] >= 2
    # every model call of the job ran as a generate task on the inference worker
    tasks = (inference.log().count("factforge.generate[") - before) // 2  # received+succeeded
    assert 1 <= tasks <= final.result["usage"]["calls"]
    assert "factforge.generate[" not in jobs.log()
    queue.close()


def test_no_inference_worker_is_a_model_call_error(tmp_path):
    server = RedisServer(tmp_path).start()
    try:
        backend = RemoteBackend.from_config(WorkerConfig(redis_url=server.url,
                                                         inference_timeout_s=1))
        with pytest.raises(ModelCallError, match="no answer from the inference queue"):
            backend.generate([GenerationRequest.chat("s", "u")])
    finally:
        server.stop()
