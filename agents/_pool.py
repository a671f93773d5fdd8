"""One long-lived thread pool for the background work of the graph's runs.

LangGraph (1.x, sync API) gives every run a fresh ``ThreadPoolExecutor`` for its background
work - checkpoint saves, task-write saves, parallel tasks such as the reviewers - and shuts
it down when the run ends, so each job starts (and joins) four to six threads. With a fast
model that is a fifth of a job's cost (bench/queue_throughput.py). Runs whose config carries
:data:`SHARED_POOL_KEY` in ``configurable`` get this process's shared pool instead; other
graphs in the process keep LangGraph's behaviour.

LangGraph looks the executor up through ``langgraph.pregel._executor.get_executor_for_config``
(a private name; LangGraph offers no supported way to hand a run an executor). So
pyproject.toml pins LangGraph below its next minor release, and
``tests/agents/test_pool.py::test_the_private_langgraph_hook_is_still_there`` fails with a
clear message when the hook moves or stops being used. :func:`install` wraps it once; if a
LangGraph version lacks it, it logs a warning, nothing is wrapped and runs use per-run pools
as before (correct, only slower).

Why sharing is safe: LangGraph's background tasks only ever wait for tasks submitted before
them (a checkpoint save waits for the previous save and for earlier writes), and the pool
runs tasks first in, first out, so a waiting task never waits for one that cannot start. The
pool is large (threads are only started on demand) so that concurrent jobs' model calls do
not queue behind each other, and it is replaced after a fork (threads do not survive one).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Executor
from typing import Any

log = logging.getLogger(__name__)

SHARED_POOL_KEY = "__factforge_shared_pool"
MAX_WORKERS = 64

_lock = threading.Lock()
_state: dict[str, Any] = {"pool": None, "pid": None, "installed": False}


def shared_pool() -> Executor:
    """This process's pool (created on first use, and again in a forked child)."""
    from langchain_core.runnables.config import ContextThreadPoolExecutor

    with _lock:
        if _state["pool"] is None or _state["pid"] != os.getpid():
            _state["pool"] = ContextThreadPoolExecutor(
                max_workers=MAX_WORKERS, thread_name_prefix="graph")
            _state["pid"] = os.getpid()
        return _state["pool"]


def install() -> bool:
    """Route marked runs to the shared pool; idempotent. False if this LangGraph has no hook."""
    with _lock:
        if _state["installed"]:
            return True
        try:
            from langgraph.pregel import _executor
        except ImportError:  # pragma: no cover - depends on the installed LangGraph
            log.warning("LangGraph has no pregel._executor module; graph runs use per-run "
                        "thread pools (slower; see agents/_pool.py)")
            return False
        original = getattr(_executor, "get_executor_for_config", None)
        if original is None:  # pragma: no cover - depends on the installed LangGraph
            log.warning("LangGraph has no pregel._executor.get_executor_for_config; graph runs "
                        "use per-run thread pools (slower; see agents/_pool.py)")
            return False

        @contextlib.contextmanager
        def executor_for_config(config: Any) -> Iterator[Executor]:
            configurable = (config or {}).get("configurable") or {}
            if configurable.get(SHARED_POOL_KEY) and (config or {}).get("max_concurrency") is None:
                yield shared_pool()  # not shut down: the next run reuses its threads
            else:
                with original(config) as executor:
                    yield executor

        executor_for_config.__wrapped__ = original  # type: ignore[attr-defined]
        _executor.get_executor_for_config = executor_for_config
        _state["installed"] = True
        return True
