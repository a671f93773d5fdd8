"""A typed Python client for a FactForge server (blocking :class:`FactForge`, asyncio
:class:`AsyncFactForge`). Results are the server's own response models; errors derive from
:class:`ClientError` (``APIError`` carries the server's ``code`` and HTTP ``status``).

Importing it loads no model, Chroma or GPU library: only httpx, pydantic and the API's models.
"""

from factforge.client._async import AsyncFactForge, AsyncKnowledgeBase
from factforge.client._errors import (
    APIError,
    AuthenticationError,
    ClientError,
    ConnectionFailed,
    InvalidRequest,
    JobFailed,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    Timeout,
)
from factforge.client._models import (
    FactCheckOut,
    IngestOut,
    JobAcceptedOut,
    JobEvent,
    JobOut,
    SearchOut,
)
from factforge.client._sync import FactForge, KnowledgeBase

__all__ = [
    "APIError",
    "AsyncFactForge",
    "AsyncKnowledgeBase",
    "AuthenticationError",
    "ClientError",
    "ConnectionFailed",
    "FactCheckOut",
    "FactForge",
    "IngestOut",
    "InvalidRequest",
    "JobAcceptedOut",
    "JobEvent",
    "JobFailed",
    "JobOut",
    "KnowledgeBase",
    "NotFound",
    "PayloadTooLarge",
    "SearchOut",
    "ServiceUnavailable",
    "Timeout",
]
