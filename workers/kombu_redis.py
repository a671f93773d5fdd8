"""kombu's Redis transport, made to survive a Redis restart (``broker_transport`` of the app).

What goes wrong without it (celery 5.7 / kombu 5.7): when the broker connection drops, the
worker's consumer first ``collect()``s the connection (which detaches the transport from its
connection: ``transport.client = None``) and then closes it. Closing the channel restores the
unacknowledged messages (acks_late tasks still running), which needs a new Redis pool, whose
parameters are read from ``transport.client`` -> ``AttributeError: 'NoneType' object has no
attribute 'hostname'``, which is not a connection error, so the worker stops for good
("Unrecoverable error"). The same happens to the late ack of a task that outlived the
connection.

Here a channel remembers its connection parameters, so it can still reach Redis after the
transport was detached, and a restore that cannot reach Redis (it is down) is logged, not
raised: those messages stay in Redis' ``unacked`` hash, and the visibility timeout and the
job lease reaper bring them back.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from kombu.transport import redis as kombu_redis

log = logging.getLogger(__name__)

__all__ = ["Transport"]


class QoS(kombu_redis.QoS):
    def restore_unacked(self, client: Any = None) -> None:
        try:
            super().restore_unacked(client)
        except redis.RedisError as exc:
            log.warning("could not restore %d unacknowledged message(s) now (%s); they are "
                        "restored after the visibility timeout", len(self._delivered), exc)
            self._delivered.clear()


class Channel(kombu_redis.Channel):
    QoS = QoS

    _saved_params: dict[str, Any] | None = None

    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        if self.connection.client is None and self._saved_params is not None:
            # detached: only a closing channel (restore) or a late ack gets here, neither
            # polls, so the synchronous parameters do for both kinds of pool
            return dict(self._saved_params)
        params = super()._connparams(asynchronous=asynchronous)
        if not asynchronous:
            self._saved_params = dict(params)
        return params


class Transport(kombu_redis.Transport):
    Channel = Channel

    @property
    def supports_batch_publish(self) -> bool:
        if self.client is None:  # detached (connection lost): publish one by one
            return False
        return bool(super().supports_batch_publish)
