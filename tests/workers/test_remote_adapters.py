"""Expert adapters over the inference queue: the adapter travels with each request and the
inference worker (a real Celery worker holding the tiny model) runs a mixed-adapter batch."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from agents.errors import ModelCallError
from agents.llm import Adapter, GenerationRequest, ModelSpec
from agents.llm.transformers_backend import TransformersBackend
from tests.fixtures.services import CeleryWorker, RedisServer
from tests.fixtures.tiny_lora import build_tiny_adapter
from workers.config import WorkerConfig
from workers.remote_backend import RemoteBackend
from workers.wire import request_from_dict, request_to_dict

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_the_adapter_survives_the_wire() -> None:
    for adapter in (None, Adapter("sql-lora", "/adapters/sql")):
        request = GenerationRequest.chat("s", "u", seed=3, adapter=adapter)
        assert request_from_dict(request_to_dict(request)) == request


@pytest.fixture(scope="module")
def setup(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    directory = tmp_path_factory.mktemp("remote_adapters")
    adapters = [Adapter(name, str(build_tiny_adapter(tiny_model_dir, directory / name, seed=s)))
                for name, s in (("sql", 1), ("sec", 2))]
    server = RedisServer(directory).start()
    inference = CeleryWorker(
        server.url, directory / "inference.log", name="inf", queue="inference",
        concurrency=8, model_factory="",
        env={"FACTFORGE_MODEL": str(tiny_model_dir), "FACTFORGE_DEVICE": "cpu",
             "OMP_NUM_THREADS": "1"},
    ).start(wait_ready=240)
    yield server, adapters
    inference.stop()
    server.stop()


def test_a_mixed_adapter_batch_on_the_inference_worker_equals_local_calls(
    setup, tiny_model_dir: Path
) -> None:
    server, (sql, sec) = setup
    requests = [GenerationRequest.chat("You write Python.", prompt, max_new_tokens=8,
                                       adapter=adapter)
                for prompt, adapter in (("def add(a, b):", sql), ("def add(a, b):", None),
                                        ("def add(a, b):", sec), ("x", sql))]
    local = TransformersBackend(ModelSpec(str(tiny_model_dir)))
    expected = [local.generate([r])[0] for r in requests]
    assert len({g.text for g in expected[:3]}) == 3  # each adapter answers its own way
    remote = RemoteBackend.from_config(WorkerConfig(redis_url=server.url,
                                                    inference_timeout_s=240))
    assert remote.generate(requests) == expected  # one task, one mixed batch
    coalescing = RemoteBackend.from_config(WorkerConfig(
        redis_url=server.url, inference_timeout_s=240, batch_max_size=8,
        batch_max_wait_ms=50))
    with ThreadPoolExecutor(4) as pool:  # concurrent callers, coalesced into mixed batches
        assert list(pool.map(lambda r: coalescing.generate([r])[0], requests)) == expected


def test_a_missing_adapter_on_the_worker_is_a_clear_error(setup, tmp_path: Path) -> None:
    server, _ = setup
    remote = RemoteBackend.from_config(WorkerConfig(redis_url=server.url,
                                                    inference_timeout_s=240))
    missing = GenerationRequest.chat("s", "u", max_new_tokens=2,
                                     adapter=Adapter("gone", str(tmp_path / "gone")))
    with pytest.raises(ModelCallError, match="AdapterError: adapter 'gone'.*is not a directory"):
        remote.generate([missing])
