"""The client's errors: one base, server answers mapped by HTTP status, transport failures."""

from __future__ import annotations

from typing import Any

from factforge.errors import FactForgeError

__all__ = [
    "APIError",
    "AuthenticationError",
    "ClientError",
    "ConnectionFailed",
    "InvalidRequest",
    "JobFailed",
    "NotFound",
    "PayloadTooLarge",
    "ServiceUnavailable",
    "Timeout",
]


class ClientError(FactForgeError):
    """Base class of every error :mod:`factforge.client` raises."""

    code = "client_error"


class APIError(ClientError):
    """The server answered with an error: ``status`` (HTTP), ``code`` (the server's stable
    error code), ``message`` and, for validation errors, ``details``."""

    def __init__(self, status: int, code: str, message: str,
                 details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(f"{message} (HTTP {status}, {code})")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []


class AuthenticationError(APIError):
    """401: no API key, or one the server does not know."""


class NotFound(APIError):
    """404: no such job or collection."""


class InvalidRequest(APIError):
    """400 or 422: the server refused the request's content."""


class PayloadTooLarge(APIError):
    """413: the request is over a server limit."""


class ServiceUnavailable(APIError):
    """503: a part the server needs (queue, knowledge base, judge) is down."""


class ConnectionFailed(ClientError):
    """The server could not be reached, or the connection broke."""

    code = "connection_failed"


class Timeout(ClientError):
    """The server did not answer (or the job did not end) in time."""

    code = "timeout"


class JobFailed(ClientError):
    """``generate``: the job ended ``failed`` or ``cancelled``; ``job`` is its record and
    ``code`` the job's error code (``job_cancelled`` for a cancelled job)."""

    def __init__(self, job: Any) -> None:
        error = job.error
        self.job = job
        self.code = error.code if error is not None else job.status
        message = error.message if error is not None else f"job {job.status}"
        super().__init__(f"job {job.job_id} {job.status}: {message}")


_BY_STATUS: dict[int, type[APIError]] = {
    400: InvalidRequest, 401: AuthenticationError, 404: NotFound, 413: PayloadTooLarge,
    422: InvalidRequest, 503: ServiceUnavailable,
}


def api_error(status: int, body: Any) -> APIError:
    """The exception for an error answer (``{"error": {"code", "message"}}``, or anything a
    proxy in between may have sent instead)."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = str(error.get("code") or "http_error")
        message = str(error.get("message") or "")
        details = error.get("details") if isinstance(error.get("details"), list) else None
    else:
        code, message, details = "http_error", f"HTTP {status}", None
    return _BY_STATUS.get(status, APIError)(status, code, message, details)
