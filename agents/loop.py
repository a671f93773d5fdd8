"""A long-lived event loop in a daemon thread, for running jobs with :meth:`JobRunner.arun`
from synchronous code (Celery's thread pool): one loop per process, its executor's threads
reused by every job instead of being created per run."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["LoopThread"]

T = TypeVar("T")


class LoopThread:
    """Runs coroutines on one event loop thread; sync nodes run on its ``executor_threads``
    (enough for every concurrent job's parallel nodes: they block on model calls)."""

    def __init__(self, executor_threads: int = 64) -> None:
        self._executor_threads = executor_threads
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._pid = 0

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the loop and wait for its result (or exception)."""
        return asyncio.run_coroutine_threadsafe(coro, self._ensure()).result()

    def close(self) -> None:
        """Stop the loop (after the callbacks already scheduled) and release its threads."""
        with self._lock:
            loop, self._loop = self._loop, None
            thread, executor = self._thread, self._executor
        if loop is None or self._pid != os.getpid():
            return
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=10)
        if not loop.is_running():
            loop.close()
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():  # a forked child starts anew
                loop = asyncio.new_event_loop()
                executor = ThreadPoolExecutor(self._executor_threads,
                                              thread_name_prefix="ff-node")
                loop.set_default_executor(executor)
                thread = threading.Thread(target=loop.run_forever, name="ff-job-loop",
                                          daemon=True)
                thread.start()
                self._loop, self._thread, self._executor = loop, thread, executor
                self._pid = os.getpid()
            return self._loop
