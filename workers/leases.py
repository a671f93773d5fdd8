"""Keeping job leases alive: one renewer thread per process instead of one per job.

Each lease is renewed every third of its TTL by a script that also takes it again when it
expired while Redis was away (and nobody else took it), and reports when another worker holds
it now: the job is then *lost* to this process (:meth:`LeaseRenewer.lost`), which stops it at
its next node instead of running it twice.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis

log = logging.getLogger(__name__)

__all__ = ["LeaseRenewer"]


class LeaseRenewer:
    """Renews every lease a process holds, from one daemon thread (started on first use).

    ``renew(keys=[lease_key, job_key], args=[token, ttl_ms])`` returns 1 (renewed), 2 (taken
    again after it expired) or 0 (another worker holds it)."""

    def __init__(self, renew: Any) -> None:
        self._renew = renew
        # lease key -> token, ttl, next renewal, job key
        self._held: dict[str, tuple[str, int, float, str]] = {}
        self._lost: set[str] = set()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def hold(self, key: str, token: str, ttl_s: int, job_key: str = "") -> None:
        with self._cond:
            self._lost.discard(key)
            self._held[key] = (token, ttl_s, time.monotonic() + ttl_s / 3, job_key)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="ff-lease-renewer",
                                                daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def drop(self, key: str) -> None:
        with self._cond:
            self._held.pop(key, None)
            self._lost.discard(key)

    def lost(self, key: str) -> bool:
        """Whether another worker took this lease over while this process held it."""
        with self._cond:
            return key in self._lost

    def _run(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                due = [(k, tok, ttl, job) for k, (tok, ttl, at, job) in self._held.items()
                       if at <= now]
                for key, token, ttl, job in due:
                    self._held[key] = (token, ttl, now + ttl / 3, job)
                if not due:
                    upcoming = min((held[2] for held in self._held.values()), default=now + 5)
                    self._cond.wait(max(0.01, upcoming - now))
                    continue
            for key, token, ttl, job in due:
                with self._cond:
                    if self._held.get(key, ("",))[0] != token:  # dropped (or held anew)
                        continue
                try:
                    renewed = self._renew(keys=[key, job], args=[token, ttl * 1000])
                except redis.RedisError:
                    log.warning("could not renew the lease %s", key, exc_info=True)
                    with self._cond:  # try again soon: it may expire before the next third
                        if key in self._held:
                            token, ttl, _, job = self._held[key]
                            self._held[key] = (token, ttl, time.monotonic() + 1.0, job)
                    continue
                if renewed == 2:
                    log.warning("lease %s had expired (Redis away?); taken again", key)
                elif renewed == 0:
                    log.warning("lease %s is held by another worker now; stopping its job", key)
                    with self._cond:
                        if self._held.get(key, ("",))[0] == token:
                            self._held.pop(key)
                            self._lost.add(key)
