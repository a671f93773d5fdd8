"""The lease reaper: jobs whose worker died are sent again within about a lease period.

Celery cannot see a dead worker's task: with ``acks_late`` its message waits in Redis'
``unacked`` hash until the broker's visibility timeout (an hour by default, because it must
exceed the longest job) before it is redelivered. The job's lease can: a live worker renews
it every third of ``FACTFORGE_JOB_LEASE_S``, a dead one stops. So every ``jobs`` worker runs
this thread, which every third of the lease asks the job store for the jobs that are
``running`` without a lease (:meth:`workers.job_store.RedisJobStore.reap` puts them back to
``queued`` in one script, so each is handed back once however many workers reap) and sends
``factforge.run_job`` for them again; the worker that gets it resumes the job from its last
checkpoint. A job that another worker still runs is never sent (it has a lease), and a
duplicate that meets a live lease is dropped by the task.

A dead worker's job therefore runs again between one and about one and a third lease
periods after its last renewal (30-40 s with the default 30 s lease).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from workers.errors import WorkersError

log = logging.getLogger(__name__)

__all__ = ["LeaseReaper"]

SendFn = Callable[[str, dict[str, Any]], None]


class LeaseReaper:
    """A daemon thread: ``store.reap()`` every ``interval_s``, ``send`` for each job found."""

    def __init__(self, store: Any, send: SendFn, *, lease_s: int,
                 interval_s: float | None = None) -> None:
        self._store = store
        self._send = send
        self.interval_s = interval_s if interval_s is not None else max(1.0, lease_s / 3)
        # a queued job that ran before and was not picked up again for this long (its retry
        # message was lost) is sent again; beyond Celery's longest retry countdown (60 s)
        self.requeue_after_s = max(4 * lease_s, 120)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> LeaseReaper:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="ff-lease-reaper",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def reap_once(self) -> list[str]:
        """One pass; returns the ids of the jobs sent again."""
        sent = []
        for job_id, request in self._store.reap(requeue_after_s=self.requeue_after_s):
            try:
                self._send(job_id, request)
            except Exception:  # noqa: BLE001 - the next pass sends it again (requeue_after_s)
                log.exception("could not send job %s again", job_id)
                continue
            log.warning("job %s had no live worker (lease expired); sent again", job_id)
            sent.append(job_id)
        return sent

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.reap_once()
            except WorkersError as exc:  # Redis away: next pass
                log.warning("lease reaper: %s", exc)
            except Exception:  # noqa: BLE001 - the reaper must outlive any one bad pass
                log.exception("lease reaper pass failed")
