"""Micro-batching: concurrent generate calls in one process become one batched model call.

Callers (threads of a ``--pool threads`` inference worker) put requests on a queue and wait
on futures; one batching thread takes up to ``max_size`` requests, waiting at most
``max_wait_s`` after the first for more, and calls ``backend.generate`` once for all of them.
With ``max_in_flight`` 1 (inference workers) the model is only ever called from that one
thread, and requests that arrive while it generates form the next batch. With more (the remote
backend coalescing calls into inference tasks), up to that many batches run at once on a small
thread pool; the next batch is collected only once a slot is free, so it grows meanwhile.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from agents.errors import ModelCallError
from agents.llm.base import Generation, GenerationRequest, ModelBackend

log = logging.getLogger(__name__)

_Item = tuple[GenerationRequest, "Future[Generation]"]


class MicroBatcher:
    """A ModelBackend that batches concurrent calls to ``backend``."""

    def __init__(self, backend: ModelBackend, *, max_size: int = 8, max_wait_s: float = 0.01,
                 max_in_flight: int = 1) -> None:
        if max_size < 1 or max_wait_s < 0 or max_in_flight < 1:
            raise ValueError("max_size and max_in_flight must be >= 1 and max_wait_s >= 0")
        self.backend = backend
        self.name = f"batched:{backend.name}"
        self.max_size = max_size
        self.max_wait_s = max_wait_s
        self.batch_sizes: list[int] = []
        self._queue: queue.Queue[_Item] = queue.Queue()
        self._slots = threading.Semaphore(max_in_flight)
        self._pool = (ThreadPoolExecutor(max_in_flight, thread_name_prefix="micro-batch")
                      if max_in_flight > 1 else None)
        self._thread = threading.Thread(target=self._loop, name="micro-batcher", daemon=True)
        self._thread.start()

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        futures: list[Future[Generation]] = []
        for request in requests:
            future: Future[Generation] = Future()
            self._queue.put((request, future))
            futures.append(future)
        return [future.result() for future in futures]

    def _collect(self) -> list[_Item]:
        batch = [self._queue.get()]
        deadline = time.monotonic() + self.max_wait_s
        while len(batch) < self.max_size:
            remaining = deadline - time.monotonic()
            try:
                batch.append(self._queue.get(timeout=max(remaining, 0)) if remaining > 0
                             else self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _loop(self) -> None:
        while True:
            self._slots.acquire()
            batch = self._collect()
            self.batch_sizes.append(len(batch))
            if self._pool is None:
                self._run(batch)
            else:
                self._pool.submit(self._run, batch)

    def _run(self, batch: list[_Item]) -> None:
        started = time.perf_counter()
        try:
            generations = self.backend.generate([request for request, _ in batch])
            if len(generations) != len(batch):
                raise ModelCallError(
                    f"{self.backend.name} returned {len(generations)} generations "
                    f"for {len(batch)} requests"
                )
        except Exception as exc:  # noqa: BLE001 - every waiting caller gets the error
            log.warning("batched generate of %d failed: %s", len(batch), exc)
            for _, future in batch:
                future.set_exception(exc)
            return
        finally:
            self._slots.release()
        log.debug("generated a batch of %d in %.1f ms", len(batch),
                  (time.perf_counter() - started) * 1000)
        for (_, future), generation in zip(batch, generations, strict=True):
            future.set_result(generation)
