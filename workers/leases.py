"""Keeping job leases alive: one renewer thread per process instead of one per job."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis

log = logging.getLogger(__name__)

__all__ = ["LeaseRenewer"]


class LeaseRenewer:
    """Renews every lease a process holds, from one daemon thread (started on first use)."""

    def __init__(self, renew: Any) -> None:
        self._renew = renew
        self._held: dict[str, tuple[str, int, float]] = {}  # key -> token, ttl, next renewal
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def hold(self, key: str, token: str, ttl_s: int) -> None:
        with self._cond:
            self._held[key] = (token, ttl_s, time.monotonic() + ttl_s / 3)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="ff-lease-renewer",
                                                daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def drop(self, key: str) -> None:
        with self._cond:
            self._held.pop(key, None)

    def _run(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                due = [(k, tok, ttl) for k, (tok, ttl, at) in self._held.items() if at <= now]
                for key, token, ttl in due:
                    self._held[key] = (token, ttl, now + ttl / 3)
                if not due:
                    upcoming = min((at for _, _, at in self._held.values()), default=now + 5)
                    self._cond.wait(max(0.01, upcoming - now))
                    continue
            for key, token, ttl in due:
                try:
                    self._renew(keys=[key], args=[token, ttl * 1000])
                except redis.RedisError:
                    log.warning("could not renew the lease %s", key, exc_info=True)
