"""What a worker process runs with, built once per process, lazily (after any fork).

The objects that need settings (model backend, router, verifiers) come from the composition
root: a *runtime factory* named by ``WorkerConfig.worker_runtime`` (``module:callable``, by default
:func:`factforge.jobs.worker_runtime.build_runtime`). ``workers`` never imports the front door;
the factory is resolved by name, like ``celery -A`` resolves the app.

Nothing is loaded at import or in the parent of a prefork pool: the first task in a process
builds it (GPU libraries are initialised in the process that uses them, never before a fork).
"""

from __future__ import annotations

import importlib
import json
import logging
import threading
import time
import uuid
from typing import Any, Protocol

import redis

from agents import JobDeps, JobRunner
from agents.llm.base import ModelBackend
from workers.config import WorkerConfig
from workers.errors import WorkerConfigError
from workers.job_store import RedisJobStore
from workers.redis_checkpointer import RedisCheckpointer

log = logging.getLogger(__name__)

HELD_SUFFIX = ":held"  # reply_to + this: the inference request is being run (or was answered)
TAKEN_SUFFIX = ":taken"  # reply_to + this: a worker took the request (outlives the worker)
HELD_TTL_S = 6  # a held request whose worker died is free again this long after it stopped
_HOLD_EVERY_S = 1.5
# KEYS[1] held, KEYS[2] taken; ARGV[1] token, ARGV[2] held TTL, ARGV[3] taken TTL
_HOLD = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return 0 end
redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])
return 1
"""

# renew each held key that is still ours; take again one that expired while Redis was away
_RENEW_HOLD = """
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder == ARGV[i + 1] then redis.call('EXPIRE', key, ARGV[1])
  elseif not holder then redis.call('SET', key, ARGV[i + 1], 'EX', ARGV[1]) end
end
return 0
"""


class RuntimeFactory(Protocol):
    """What the composition root hands a worker: built on first use, once per process."""

    def job_deps(self) -> JobDeps: ...
    def backend(self) -> ModelBackend: ...


def resolve(path: str) -> Any:
    """Import ``module:attribute``."""
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute:
        raise WorkerConfigError(f"expected 'module:callable', got {path!r}")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise WorkerConfigError(f"cannot import {path!r}: {exc}") from exc


class ProcessRuntime:
    """Lazily built, per-process: the factory's deps/backend, the job store, the graph runner."""

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self._lock = threading.RLock()
        self._factory: RuntimeFactory | None = None
        self._deps: JobDeps | None = None
        self._backend: ModelBackend | None = None
        self._runner: JobRunner | None = None
        self._store: RedisJobStore | None = None
        self._batcher: Any = None
        self._held: dict[str, str] = {}  # held inference request key -> token
        self._holder: threading.Thread | None = None

    def _get_factory(self) -> RuntimeFactory:
        with self._lock:
            if self._factory is None:
                self._factory = resolve(self.config.worker_runtime)(self.config)
            return self._factory

    def job_deps(self) -> JobDeps:
        with self._lock:
            if self._deps is None:
                self._deps = self._get_factory().job_deps()
            return self._deps

    def backend(self) -> ModelBackend:
        with self._lock:
            if self._backend is None:
                self._backend = self._get_factory().backend()
            return self._backend

    def store(self) -> RedisJobStore:
        with self._lock:
            if self._store is None:
                self._store = RedisJobStore.from_url(
                    self.config.redis_url, record_ttl_s=self.config.job_record_ttl_s
                )
            return self._store

    def runner(self) -> JobRunner:
        with self._lock:
            if self._runner is None:
                checkpointer = RedisCheckpointer.from_url(
                    self.config.redis_url, ttl_s=self.config.checkpoint_ttl_s
                )
                self._runner = JobRunner(checkpointer)
            return self._runner

    def reply(self, key: str, answer: dict[str, Any]) -> None:
        """Push an inference answer to the caller's reply list (it expires if nobody reads),
        and mark the request answered (a duplicate of it is skipped)."""
        client = self.store().client
        ttl = self.config.inference_timeout_s + 60
        with client.pipeline(transaction=True) as pipe:
            pipe.rpush(key, json.dumps(answer))
            pipe.expire(key, ttl)
            pipe.set(key + HELD_SUFFIX, "done", ex=ttl)
            pipe.execute()

    def hold_request(self, reply_to: str) -> str | None:
        """Hold an inference request while it runs: None when a live worker holds it or it
        was answered (skip it), else the hold's key, renewed every 1.5 s (TTL 6 s) until
        :meth:`release_request`. Also marks the request *taken* (a key that outlives this
        worker), so its caller knows that a request no longer held lost its worker."""
        key = reply_to + HELD_SUFFIX
        token = uuid.uuid4().hex
        if not self.store().client.eval(_HOLD, 2, key, reply_to + TAKEN_SUFFIX, token,
                                        HELD_TTL_S, self.config.inference_timeout_s + 60):
            return None
        with self._lock:
            self._held[key] = token
            if self._holder is None or not self._holder.is_alive():
                self._holder = threading.Thread(target=self._hold_loop, name="ff-hold",
                                                daemon=True)
                self._holder.start()
        return key

    def release_request(self, key: str) -> None:
        """Stop renewing a hold (its answer was pushed, which marked it answered)."""
        with self._lock:
            self._held.pop(key, None)

    def _hold_loop(self) -> None:
        while True:
            time.sleep(_HOLD_EVERY_S)
            with self._lock:
                held = dict(self._held)
            if not held:
                continue
            try:
                self.store().client.eval(_RENEW_HOLD, len(held), *held, HELD_TTL_S,
                                         *held.values())
            except redis.RedisError as exc:
                log.warning("could not renew %d held inference request(s): %s", len(held), exc)

    def close(self) -> None:
        """At worker shutdown: close what the factory built (sandboxes, connections)."""
        with self._lock:
            closer = getattr(self._factory, "close", None)
            if callable(closer):
                closer()
            if self._runner is not None:  # send queued checkpoint writes
                self._runner.checkpointer.close()
            if self._store is not None:
                self._store.close()

    def batcher(self) -> Any:
        """The inference worker's micro-batcher around :meth:`backend`."""
        from workers.batching import MicroBatcher

        with self._lock:
            if self._batcher is None:
                self._batcher = MicroBatcher(
                    self.backend(),
                    max_size=self.config.batch_max_size,
                    max_wait_s=self.config.batch_max_wait_ms / 1000,
                )
            return self._batcher
