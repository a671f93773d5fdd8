"""Write-behind for Redis scripts: callers queue a script call and go on; one thread per
process sends everything queued so far in a single pipelined round trip.

The graph's checkpoint writes use it so that a job step does not wait for Redis (and does not
pay a round trip per write). ``flush`` waits until everything queued before it is in Redis and
re-raises the error of a failed send, so a reader (or the end of a job) sees its own writes.

A batch that cannot be sent because Redis is unreachable (down, restarting, loading its
append-only file) is not dropped: it stays at the head of the queue and is sent again, with
backoff, until Redis answers; meanwhile ``flush`` times out (a transient error for its
caller) and later calls queue up behind it, in order. A batch may then be applied twice when
the connection broke after Redis ran it: the scripts sent here are idempotent or, like node
events, harmless to repeat. Other errors (a script error) are raised to the next caller.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import redis
from redis.commands.core import Script
from redis.exceptions import NoScriptError

log = logging.getLogger(__name__)

__all__ = ["WriteBehind", "WriteBehindError"]

_Call = tuple[Script, Sequence[Any], Sequence[Any], Callable[[Any], None] | None]
# errors of an unreachable Redis (BusyLoadingError, a restart's "LOADING", is a
# ConnectionError): the batch is kept and sent again
_RETRYABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
_RETRY_FIRST_S, _RETRY_MAX_S = 0.1, 2.0


class WriteBehindError(redis.exceptions.ConnectionError):
    """A queued write could not be sent; raised by the next ``submit`` or ``flush``."""


class WriteBehind:
    """Queue of script calls sent by a background thread, in order, a batch per round trip."""

    def __init__(self, client: redis.Redis, *, max_batch: int = 256,
                 give_up_after_close_s: float = 30.0) -> None:
        self._redis = client
        self._give_up_s = give_up_after_close_s
        self._max_batch = max_batch
        self._cond = threading.Condition()
        self._queue: list[_Call] = []
        self._queued = 0  # calls ever queued
        self._sent = 0  # calls ever sent (or dropped with an error)
        self._tags: dict[str, int] = {}  # tag -> ticket of its newest call
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._closed = False

    def submit(self, script: Script, keys: Sequence[Any], args: Sequence[Any],
               on_result: Callable[[Any], None] | None = None, *, tag: str | None = None,
               ) -> int:
        """Queue one script call; ``on_result`` gets its reply (on the sending thread).
        ``tag`` (e.g. a job id) lets ``flush(tag)`` wait for this tag's calls alone. Returns
        the call's ticket for :meth:`wait`. Raises the error of an earlier failed send."""
        with self._cond:
            self._raise_error()
            if self._closed:
                raise WriteBehindError("write-behind queue is closed")
            self._ensure_thread()
            self._queue.append((script, keys, args, on_result))
            self._queued += 1
            if tag is not None:
                self._tags[tag] = self._queued
                if len(self._tags) > 4096:  # forget tags whose calls were all sent
                    self._tags = {t: n for t, n in self._tags.items() if n > self._sent}
            self._cond.notify_all()
            return self._queued

    @property
    def sent(self) -> int:
        """Tickets up to this one have been sent (or dropped with an error)."""
        return self._sent

    def call(self, script: Script, keys: Sequence[Any], args: Sequence[Any],
             timeout_s: float | None = 30.0) -> Any:
        """Queue a call behind everything queued so far and wait for its reply."""
        replies: list[Any] = []
        self.submit(script, keys, args, on_result=replies.append)
        self.flush(timeout_s)
        if not replies:
            raise WriteBehindError("no reply to a queued Redis call")
        return replies[0]

    def flush(self, timeout_s: float | None = 30.0, *, tag: str | None = None) -> None:
        """Wait until every call queued so far (with ``tag``: every call of that tag) was
        sent; raise if a send failed."""
        with self._cond:
            ticket = self._queued if tag is None else self._tags.get(tag, 0)
        self.wait(ticket, timeout_s)

    def wait(self, ticket: int, timeout_s: float | None = 30.0) -> None:
        """Wait until the call with this ticket (and every one before it) was sent; raise if
        a send failed."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._sent >= ticket or self._error is not None,
                                       timeout=timeout_s):
                raise WriteBehindError(f"queued Redis writes not sent within {timeout_s} s")
            self._raise_error()

    def close(self) -> None:
        """Send what is queued, then stop the thread."""
        try:
            self.flush()
        finally:
            with self._cond:
                self._closed = True
                self._cond.notify_all()

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise WriteBehindError(f"a queued Redis write failed: {error}") from error

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return
        self._pid = os.getpid()  # a forked child starts its own thread
        self._thread = threading.Thread(target=self._run, name="ff-write-behind", daemon=True)
        self._thread.start()

    def _send(self, batch: list[_Call]) -> None:
        """One round trip of EVALSHAs; scripts Redis lost (a restart) are loaded and re-sent."""
        for attempt in range(2):
            with self._redis.pipeline(transaction=False) as pipe:
                for script, keys, args, _ in batch:
                    pipe.evalsha(script.sha, len(keys), *keys, *args)
                results = pipe.execute(raise_on_error=False)
            for (*_, on_result), result in zip(batch, results, strict=True):
                if on_result is not None and not isinstance(result, Exception):
                    on_result(result)
            missing = [call for call, result in zip(batch, results, strict=True)
                       if isinstance(result, NoScriptError)]
            failed = [r for r in results
                      if isinstance(r, Exception) and not isinstance(r, NoScriptError)]
            if failed:
                raise failed[0]
            if not missing or attempt:
                break
            for script in {id(call[0]): call[0] for call in missing}.values():
                script.sha = self._redis.script_load(script.script)
            batch = missing
        if missing:
            raise NoScriptError("scripts could not be loaded")

    def _run(self) -> None:
        backoff = _RETRY_FIRST_S
        unsent_since: float | None = None
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._queue or self._closed)
                if not self._queue:
                    return
                batch = self._queue[: self._max_batch]
            error: BaseException | None = None
            try:
                self._send(batch)
            except _RETRYABLE as exc:
                now = time.monotonic()
                unsent_since = unsent_since or now
                gave_up = self._closed and now - unsent_since > self._give_up_s
                if not gave_up:
                    log.warning("write-behind batch of %d not sent (%s); retrying in %.1f s",
                                len(batch), exc, backoff)
                    with self._cond:  # wakes early on close
                        self._cond.wait(backoff)
                    backoff = min(_RETRY_MAX_S, backoff * 2)
                    continue
                with self._cond:
                    batch = list(self._queue)
                log.error("write-behind closed with %d writes unsent: %s", len(batch), exc)
                error = exc
            except Exception as exc:  # noqa: BLE001 - reported to the next submit/flush
                log.warning("write-behind batch of %d failed: %s", len(batch), exc)
                error = exc
            backoff, unsent_since = _RETRY_FIRST_S, None
            with self._cond:
                del self._queue[: len(batch)]
                self._sent += len(batch)
                if error is not None:
                    self._error = error
                self._cond.notify_all()
