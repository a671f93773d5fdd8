"""The one error hierarchy of the ``agents`` package."""

from __future__ import annotations


class AgentsError(Exception):
    """Base class of every error raised by ``agents``. ``code`` is stable for API clients."""

    code = "agents_error"


class ModelLoadError(AgentsError):
    """The model (weights or tokenizer) could not be loaded; the message says how to fix it."""

    code = "model_load_failed"


class ModelCallError(AgentsError):
    """A generation call failed (server error, timeout, out of memory). May be retried."""

    code = "model_call_failed"


class ExpertError(AgentsError):
    """An expert definition is invalid or an expert name is unknown."""

    code = "expert_invalid"


class RouterError(AgentsError):
    """The router cannot route (no experts, bad configuration)."""

    code = "router_invalid"


class JobError(AgentsError):
    """A job request is invalid (empty prompt, bad limits)."""

    code = "job_invalid"


class JobCancelled(AgentsError):
    """Raised (typically from an ``on_event`` callback) to stop a job between nodes."""

    code = "job_cancelled"


class JobDrained(AgentsError):
    """The run stopped at a step boundary because its ``RunControl`` asked it to (e.g. the
    process is stopping). Its checkpoint is saved: running the same job id again resumes it."""

    code = "job_drained"
