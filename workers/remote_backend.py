"""A ModelBackend whose calls run on the ``inference`` queue (GPU workers holding the model).

How it waits (no ``AsyncResult.get()`` inside a task): each call sends ``factforge.generate``
by name with a ``reply_to`` Redis list key; the inference task pushes its answer (or its
error) there, and this backend blocks on ``BLPOP`` in one-second slices. That wakes up as
soon as the answer exists, cannot deadlock a worker pool on its own subtasks (jobs and
inference are different queues and workers), and a lost answer becomes a timeout, i.e. a
:class:`agents.errors.ModelCallError` (``retryable``) that the graph's retry policy retries;
an error the inference worker answered (its backend already retried) is not retried.

Between slices it looks at the request's *hold* (``reply_to:held``, renewed every 1.5 s by the
inference worker running it, :meth:`workers.runtime.ProcessRuntime.hold_request`, which also
leaves ``reply_to:taken``): a request that was taken and is no longer held, without an
answer, lost its worker (SIGKILL, OOM), and is sent again at once, instead of after the
whole timeout. A request that a worker received but died before taking (it waits in kombu's
``unacked`` hash for the visibility timeout, or was lost between the queue and that hash) is
sent again too, once it has been neither taken nor waiting in the queue for a few seconds. While Redis is away the slices keep
trying to reconnect until the deadline. Each task message expires at the deadline, so a
redelivered stale one is discarded.

Coalescing: with ``batch_max_size`` > 1, concurrent calls in one process (parallel reviewers,
several jobs on one jobs worker, API requests) are gathered for up to ``batch_max_wait_ms``
into one ``factforge.generate`` task carrying all their requests (a :class:`MicroBatcher`
with several batches in flight), so an inference worker receives the batch in one message
instead of one message per request.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Sequence

import redis
from celery import Celery
from kombu.exceptions import OperationalError
from kombu.transport import redis as kombu_redis

from agents.errors import ModelCallError, PromptTooLongError
from agents.llm.base import Generation, GenerationRequest
from workers.batching import MicroBatcher
from workers.celery_app import GENERATE, INFERENCE_QUEUE, create_app
from workers.config import WorkerConfig
from workers.wire import generation_from_dict, request_to_dict

log = logging.getLogger(__name__)

REPLY_PREFIX = "ff:reply:"
HELD_SUFFIX = ":held"  # as in workers.runtime
TAKEN_SUFFIX = ":taken"
_SLICE_S = 1
# A request not taken this long after it was sent, and not waiting in the queue, lost its
# worker between delivery and hold: it sits in kombu's ``unacked`` hash (a worker takes a
# delivered request at once: prefetch 1 per thread), or the worker died between popping it
# from the queue and recording it there (kombu's Redis transport does the two in turn)
_UNTAKEN_S = 8.0
# Lua: 1 when a message whose body contains ARGV[1] (the task id) is in the unacked hash
# KEYS[1]; else 0 while any queue list KEYS[2..] is not empty (it may be waiting there), 2 when
# all are empty (it is nowhere).
_UNTAKEN = """
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do
  if string.find(v, ARGV[1], 1, true) then return 1 end
end
for i = 2, #KEYS do
  if redis.call('LLEN', KEYS[i]) > 0 then return 0 end
end
return 2
"""
_QUEUE_KEYS = [INFERENCE_QUEUE] + [f"{INFERENCE_QUEUE}{kombu_redis.Channel.sep}{p}"
                                   for p in kombu_redis.PRIORITY_STEPS if p]
_MAX_IN_FLIGHT = 32  # coalesced tasks one process has waiting on the inference queue at once


class RemoteBackend:
    """Sends batches of chat requests to the inference workers and waits for the answer."""

    def __init__(self, app: Celery, redis_url: str, *, timeout_s: float = 300.0,
                 name: str = "remote", batch_max_size: int = 1, batch_max_wait_ms: int = 10,
                 ) -> None:
        self._app = app
        # its own client: BLPOP blocks a slice at a time
        self._redis = redis.Redis.from_url(redis_url, decode_responses=True,
                                           socket_timeout=_SLICE_S + 10,
                                           socket_connect_timeout=5)
        self.timeout_s = timeout_s
        self.name = name
        self._batcher = (
            MicroBatcher(_Sender(self), max_size=batch_max_size,
                         max_wait_s=batch_max_wait_ms / 1000, max_in_flight=_MAX_IN_FLIGHT)
            if batch_max_size > 1 else None
        )

    @classmethod
    def from_config(cls, config: WorkerConfig) -> RemoteBackend:
        return cls(create_app(config), config.redis_url, timeout_s=config.inference_timeout_s,
                   batch_max_size=config.batch_max_size,
                   batch_max_wait_ms=config.batch_max_wait_ms)

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        if not requests:
            return []
        if self._batcher is not None:
            return self._batcher.generate(requests)
        return self._send(requests)

    def _send(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """One ``factforge.generate`` task for ``requests``; waits for its answer, sending it
        again when the inference worker running it died."""
        reply_to = f"{REPLY_PREFIX}{uuid.uuid4().hex}"
        held_key, taken_key = reply_to + HELD_SUFFIX, reply_to + TAKEN_SUFFIX
        kwargs = {"requests": [request_to_dict(r) for r in requests], "reply_to": reply_to}
        deadline = time.monotonic() + self.timeout_s
        sent = outage = False
        sent_at = checked_at = 0.0
        task_id = ""
        reply = None
        last_error: Exception | None = None
        while reply is None and time.monotonic() < deadline:
            try:
                if not sent:
                    task_id = uuid.uuid4().hex
                    self._app.send_task(GENERATE, kwargs=kwargs, queue=INFERENCE_QUEUE,
                                        task_id=task_id, ignore_result=True,
                                        expires=max(1.0, deadline - time.monotonic()))
                    sent, sent_at = True, time.monotonic()
                slice_s = max(1, min(_SLICE_S, int(deadline - time.monotonic())))
                reply = self._redis.blpop([reply_to], timeout=slice_s)
                if reply is None:
                    with self._redis.pipeline(transaction=True) as pipe:
                        held, taken = pipe.exists(held_key).exists(taken_key).execute()
                    if not held and (taken or outage):
                        # a worker took it and holds it no longer (it died), or Redis was
                        # away (the message may have gone with a worker's failed task)
                        log.warning("inference request %s is not held by a worker (%s); "
                                    "sending it again", reply_to,
                                    "Redis was away" if outage else "its worker died")
                        self._redis.delete(taken_key)
                        sent = False
                    elif (not held and not taken and time.monotonic() - sent_at >= _UNTAKEN_S
                          and time.monotonic() - checked_at >= _UNTAKEN_S / 2):
                        checked_at = time.monotonic()  # checked every few seconds
                        if self._lost_untaken(task_id):
                            log.warning("inference request %s was delivered to a worker that "
                                        "never took it (it died); sending it again", reply_to)
                            sent = False
                    outage = False
            except (redis.RedisError, OSError, OperationalError) as exc:
                last_error, outage = exc, True  # Redis away: try again until the deadline
                time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        if reply is None:
            why = f" (last error: {last_error})" if last_error is not None else ""
            raise ModelCallError(
                f"no answer from the inference queue in {self.timeout_s:.0f} s{why}",
                retryable=True)
        answer = json.loads(reply[1])
        if answer.get("code") == PromptTooLongError.code:  # the caller's error: not retried
            raise PromptTooLongError(answer["error"].removeprefix("PromptTooLongError: "))
        if "error" in answer:
            # the inference worker's backend has already retried what it could
            raise ModelCallError(f"inference worker failed: {answer['error']}",
                                 retryable=bool(answer.get("retryable", False)))
        generations = [generation_from_dict(g) for g in answer["generations"]]
        if len(generations) != len(requests):
            raise ModelCallError("inference worker returned the wrong number of generations")
        return generations


    def _lost_untaken(self, task_id: str) -> bool:
        """Whether task ``task_id`` (not taken) sits in a worker's unacknowledged messages,
        or is nowhere (it cannot be waiting in an empty queue)."""
        options = self._app.conf.broker_transport_options or {}
        unacked = options.get("unacked_key", "unacked")  # kombu's Redis transport's default
        return bool(self._redis.eval(_UNTAKEN, 1 + len(_QUEUE_KEYS), unacked, *_QUEUE_KEYS,
                                     task_id))


class _Sender:
    """The batcher's view of the backend: sends one task per batch."""

    def __init__(self, remote: RemoteBackend) -> None:
        self._remote = remote
        self.name = remote.name

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        return self._remote._send(requests)

