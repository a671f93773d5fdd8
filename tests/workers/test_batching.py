"""Micro-batching of concurrent generate calls."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from agents.errors import ModelCallError
from agents.llm.base import Generation, GenerationRequest
from workers.batching import MicroBatcher


class _PerCallCost:
    """Each generate call costs ``cost_s`` whatever the batch size (like a GPU forward)."""

    name = "per-call"

    def __init__(self, cost_s: float = 0.05, fail: bool = False) -> None:
        self.cost_s = cost_s
        self.fail = fail
        self.batches: list[int] = []
        self.threads: set[str] = set()

    def generate(self, requests):
        self.batches.append(len(requests))
        self.threads.add(threading.current_thread().name)
        time.sleep(self.cost_s)
        if self.fail:
            raise ModelCallError("out of memory")
        return [Generation(text=r.messages[-1].content.upper(), prompt_tokens=1,
                           completion_tokens=1) for r in requests]


def _request(i: int) -> GenerationRequest:
    return GenerationRequest.chat("system", f"prompt {i}")


def test_concurrent_calls_are_batched_and_answers_go_to_their_callers():
    backend = _PerCallCost()
    batcher = MicroBatcher(backend, max_size=8, max_wait_s=0.02)
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda i: batcher.generate([_request(i)])[0].text, range(16)))
    assert answers == [f"PROMPT {i}" for i in range(16)]
    assert sum(backend.batches) == 16 and max(backend.batches) <= 8
    assert len(backend.batches) <= 6  # 16 calls, batches of up to 8
    assert backend.threads == {"micro-batcher"}


def test_batching_is_faster_than_one_at_a_time():
    serial_backend, batched_backend = _PerCallCost(0.05), _PerCallCost(0.05)
    started = time.perf_counter()
    for i in range(16):
        serial_backend.generate([_request(i)])
    serial = time.perf_counter() - started
    batcher = MicroBatcher(batched_backend, max_size=16, max_wait_s=0.02)
    started = time.perf_counter()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: batcher.generate([_request(i)]), range(16)))
    batched = time.perf_counter() - started
    assert serial / batched > 3


def test_errors_reach_every_caller_and_the_batcher_survives():
    backend = _PerCallCost(0.01, fail=True)
    batcher = MicroBatcher(backend, max_size=4, max_wait_s=0.01)
    with pytest.raises(ModelCallError, match="out of memory"):
        batcher.generate([_request(1), _request(2)])
    backend.fail = False
    assert batcher.generate([_request(3)])[0].text == "PROMPT 3"


def test_invalid_settings():
    with pytest.raises(ValueError):
        MicroBatcher(_PerCallCost(), max_size=0)


def test_several_batches_in_flight_run_on_their_own_threads():
    class _Overlap(_PerCallCost):
        def __init__(self) -> None:
            super().__init__(0.05)
            self.running = self.most = 0
            self.lock = threading.Lock()

        def generate(self, requests):
            with self.lock:
                self.running += 1
                self.most = max(self.most, self.running)
            try:
                return super().generate(requests)
            finally:
                with self.lock:
                    self.running -= 1

    backend = _Overlap()
    batcher = MicroBatcher(backend, max_size=4, max_wait_s=0.005, max_in_flight=2)
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda i: batcher.generate([_request(i)])[0].text, range(16)))
    assert answers == [f"PROMPT {i}" for i in range(16)]
    assert backend.most == 2 and max(backend.batches) <= 4 and sum(backend.batches) == 16
    assert all(name.startswith("micro-batch_") for name in backend.threads)
    with pytest.raises(ValueError):
        MicroBatcher(backend, max_in_flight=0)
