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


class JobTimeout(WorkersError):
    """The job ran past its time limit; it is marked failed."""

    code = "job_timeout"


class WorkerConfigError(WorkersError):
    """The worker configuration (env) is invalid or its runtime cannot be built."""

    code = "worker_config_invalid"
