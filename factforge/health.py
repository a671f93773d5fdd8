"""Readiness: can this deployment run a job now? Shared by ``GET /readyz`` and
``factforge status``.

Distributed mode checks Redis (PING), Chroma (the server's heartbeat) and, per queue
(``jobs``, ``inference``), the live workers consuming it (Celery's own remote control:
``inspect().active_queues()``). Embedded mode checks the SQLite store under the data dir and
the knowledge base (embedded Chroma, or the server when ``FACTFORGE_CHROMA_URL`` is set).

Every check has a bounded timeout and all run concurrently under one deadline, so a
readiness probe never hangs: a check still running at the deadline reports ``timed out``.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass, field
from typing import Any

from factforge.settings import Settings

DEFAULT_TIMEOUT_S = 2.0
QUEUES = ("jobs", "inference")

_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="readyz")


@dataclass(slots=True)
class Check:
    """One dependency: ``ok`` and what was seen (``detail``); ``workers`` for a queue."""

    ok: bool
    detail: str
    workers: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        if data["workers"] is None:
            del data["workers"]
        return {**data, **extra}


def _ms(started: float) -> str:
    return f"{(time.monotonic() - started) * 1000:.0f} ms"


def check_redis(url: str, timeout_s: float) -> Check:
    import redis

    started = time.monotonic()
    client = redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s,
                                  retry_on_timeout=False)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        return Check(False, f"{_redact(url)} unreachable: {type(exc).__name__}: {exc}")
    finally:
        client.close()
    return Check(True, f"{_redact(url)} answered PING in {_ms(started)}")


def check_chroma_server(url: str, timeout_s: float) -> Check:
    import httpx

    started = time.monotonic()
    try:
        response = httpx.get(f"{url.rstrip('/')}/api/v2/heartbeat", timeout=timeout_s)
    except httpx.HTTPError as exc:
        return Check(False, f"server {url} unreachable: {type(exc).__name__}: {exc}")
    if response.status_code != 200:
        return Check(False, f"server {url} heartbeat answered {response.status_code}")
    return Check(True, f"server {url} answered its heartbeat in {_ms(started)}")


def check_embedded_chroma(knowledge_base: Callable[[], Any], path: str) -> Check:
    from knowledge import KnowledgeError

    try:
        collections = knowledge_base().list_collections()
    except KnowledgeError as exc:
        return Check(False, f"embedded Chroma at {path}: {exc}")
    return Check(True, f"embedded Chroma at {path} ({len(collections)} collections)")


def check_embedded_store(path: str, timeout_s: float) -> Check:
    """The SQLite database embedded jobs checkpoint into: it opens and answers a query."""
    try:
        connection = sqlite3.connect(path, timeout=timeout_s)
        try:
            connection.execute("SELECT 1").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return Check(False, f"SQLite store {path}: {exc}")
    return Check(True, f"SQLite store {path} answers")


def check_workers(settings: Settings, timeout_s: float) -> dict[str, Check]:
    """Live workers per queue, from Celery's remote control (every live worker answers)."""
    from factforge.wiring import worker_config
    from workers.celery_app import create_app

    app = create_app(worker_config(settings))
    try:
        replies = app.control.inspect(timeout=timeout_s).active_queues() or {}
    except Exception as exc:  # noqa: BLE001 - the broker's errors, whatever kombu raises
        reason = f"cannot ask the workers: {type(exc).__name__}: {exc}"
        return {queue: Check(False, reason, []) for queue in QUEUES}
    finally:
        app.close()
    consumers: dict[str, list[str]] = {queue: [] for queue in QUEUES}
    for worker, queues in replies.items():
        for queue in queues or ():
            if queue.get("name") in consumers:
                consumers[queue["name"]].append(worker)
    return {
        queue: Check(True, f"{len(names)} live worker(s)", sorted(names)) if names else
        Check(False, f"no live worker consumes the {queue!r} queue", [])
        for queue, names in consumers.items()
    }


def _redis_then_workers(settings: Settings, timeout_s: float) -> dict[str, Check]:
    """Redis first: the workers are only asked (through Redis) when it answers."""
    assert settings.redis_url is not None
    redis_check = check_redis(settings.redis_url, timeout_s)
    if not redis_check.ok:
        workers = {q: Check(False, "unknown: Redis is unreachable", []) for q in QUEUES}
    else:
        workers = check_workers(settings, timeout_s)
    return {"redis": redis_check, **{f"workers:{q}": c for q, c in workers.items()}}


def _redact(url: str) -> str:
    """A URL without its password."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}"
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def readiness(services: Any, timeout_s: float = DEFAULT_TIMEOUT_S) -> dict[str, Any]:
    """``{"status": "ready" | "not_ready", "mode", "checks": {name: {...}}, "failing": [...]}``.

    Takes at most ``2 * timeout_s`` plus a second, whatever the dependencies do."""
    from factforge.wiring import checkpoint_path

    settings: Settings = services.settings
    jobs: dict[str, Callable[[], Any]] = {}
    if settings.chroma_url:
        jobs["chroma"] = lambda: check_chroma_server(settings.chroma_url, timeout_s)
    else:
        jobs["chroma"] = lambda: check_embedded_chroma(services.knowledge_base,
                                                       str(settings.data_dir / "chroma"))
    if settings.distributed:
        jobs["redis+workers"] = lambda: _redis_then_workers(settings, timeout_s)
    else:
        jobs["store"] = lambda: check_embedded_store(str(checkpoint_path(settings)), timeout_s)
    futures = {name: _pool.submit(job) for name, job in jobs.items()}
    deadline = time.monotonic() + 2 * timeout_s + 1.0
    checks: dict[str, Check] = {}
    for name, future in futures.items():
        try:
            value = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            value = Check(False, f"timed out after {timeout_s:g} s")
        except Exception as exc:  # noqa: BLE001 - a check's own failure is a failed check
            value = Check(False, f"{type(exc).__name__}: {exc}")
        if name == "redis+workers":
            if isinstance(value, Check):  # the pair timed out or crashed
                value = {"redis": value, **{f"workers:{q}": Check(False, "unknown", [])
                                            for q in QUEUES}}
            checks.update(value)
        else:
            checks[name] = value
    order = ["redis", "chroma", "store", *(f"workers:{q}" for q in QUEUES)]
    ordered = {name: checks[name] for name in order if name in checks}
    failing = [name for name, check in ordered.items() if not check.ok]
    return {
        "status": "not_ready" if failing else "ready",
        "mode": "distributed" if settings.distributed else "embedded",
        "checks": {name: check.to_dict() for name, check in ordered.items()},
        "failing": failing,
    }
