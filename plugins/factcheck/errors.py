"""Errors of the fact-check plugin; all derive from :class:`plugins.errors.PluginsError`."""

from __future__ import annotations

from plugins.errors import PluginsError

__all__ = [
    "FactCheckError",
    "InvalidRequestError",
    "JudgeError",
    "JudgeLoadError",
    "RequestTooLargeError",
    "RetrievalError",
    "UnknownCollectionError",
    "UnknownJudgeError",
]


class FactCheckError(PluginsError):
    """Base class of every fact-check error."""

    code = "factcheck_error"


class UnknownJudgeError(FactCheckError):
    """A judge name that is not one of ``builtin``, ``cross``, ``nli``, ``llm``."""

    code = "unknown_judge"


class JudgeLoadError(FactCheckError):
    """A judge's model or weights could not be loaded."""

    code = "judge_load_failed"


class JudgeError(FactCheckError):
    """A judge failed while judging (a model call raised)."""

    code = "judge_failed"


class RetrievalError(FactCheckError):
    """The knowledge base failed to answer a search."""

    code = "retrieval_failed"


class UnknownCollectionError(RetrievalError):
    """The requested knowledge-base collection does not exist."""

    code = "collection_not_found"


class InvalidRequestError(FactCheckError):
    """A request the checker cannot take (bad ``top_k``, no text ...)."""

    code = "invalid_request"


class RequestTooLargeError(InvalidRequestError):
    """Text or claim list above the configured limits."""

    code = "too_large"
