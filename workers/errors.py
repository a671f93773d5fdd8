"""The one error hierarchy of the ``workers`` package."""

from __future__ import annotations


class WorkersError(Exception):
    """Base class of every error raised by ``workers``. ``code`` is stable for API clients."""

    code = "workers_error"


class QueueUnavailable(WorkersError):
    """Redis (broker, result backend or job store) cannot be reached. Transient: retry."""

    code = "queue_unavailable"


class JobNotFound(WorkersError):
    """No job record with this id (never created, or expired)."""

    code = "job_not_found"


class LeaseHeld(WorkersError):
    """Another worker holds the job's lease (it is running it right now). Transient: retry."""

    code = "job_leased"


class LeaseLost(WorkersError):
    """This worker's lease of a running job was taken over by another worker (it had expired:
    Redis was away, or this process stalled); this worker stops the job without writing."""

    code = "job_lease_lost"


class JobTimeout(WorkersError):
    """The job ran past its time limit; it is marked failed."""

    code = "job_timeout"


class WorkerConfigError(WorkersError):
    """The worker configuration (env) is invalid or its runtime cannot be built."""

    code = "worker_config_invalid"
