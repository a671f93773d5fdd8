"""The one error hierarchy of the ``agents`` package."""

from __future__ import annotations


class AgentsError(Exception):
    """Base class of every error raised by ``agents``. ``code`` is stable for API clients."""

    code = "agents_error"


class ModelLoadError(AgentsError):
    """The model (weights or tokenizer) could not be loaded; the message says how to fix it."""

    code = "model_load_failed"


class AdapterError(ModelLoadError):
    """An expert's LoRA adapter is invalid, cannot be loaded, or is not served by the model
    server; the message names the adapter and how to fix it."""

    code = "adapter_invalid"


class TrainingDataError(AgentsError):
    """Training data or options for an adapter are invalid; the message names the file and
    line, or the option."""

    code = "training_data_invalid"


class ModelCallError(AgentsError):
    """A generation call failed (server error, timeout, out of memory).

    ``retryable`` says whether a layer above may send the call again. It is False for what
    the backend already retried within its budget, or that repeating cannot fix (a 4xx, a
    timeout while the server may still be working, out of memory); True only for faults
    between the caller and the model (the inference queue unreachable, an inference worker
    that died before answering). See README, "Who retries what".
    """

    code = "model_call_failed"

    def __init__(self, message: str = "", *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class PromptTooLongError(AgentsError):
    """A prompt does not fit the model's context: the caller's error, never retried. The
    message names the prompt's length and the limit (both in tokens)."""

    code = "prompt_too_long"


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
