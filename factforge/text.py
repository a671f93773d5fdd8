"""Text hygiene at the edge: every text a user sends (an HTTP field, a CLI argument, a file)
must be valid Unicode without NUL, or the request is refused naming the field.

A lone surrogate (``"\\ud800"``, legal as a JSON escape, or what Python makes of undecodable
bytes in ``argv``) cannot be encoded as UTF-8, so it would break every later step that stores or
sends the text (Redis, SQLite, JSON answers). NUL (U+0000) is rejected too, never stripped:
no prompt, claim, query or document needs it, and C-level stores and tokenizers disagree on it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

__all__ = ["NONBLANK_PATTERN", "NO_NUL_PATTERN", "CleanStr", "text_problem"]

# JSON-Schema patterns that say the same in the OpenAPI schema (validation itself is done by
# :data:`CleanStr` and ``strip()``, whose messages are clearer than "should match pattern").
NO_NUL_PATTERN = r"^[^\x00]*$"
NONBLANK_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"


def text_problem(value: str) -> str | None:
    """Why ``value`` is not acceptable text, or None when it is."""
    nul = value.find("\x00")
    if nul >= 0:
        return f"contains a NUL character (U+0000) at position {nul}"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (f"is not valid Unicode: lone surrogate U+{ord(value[exc.start]):04X} "
                f"at position {exc.start}")
    return None


def _clean(value: str) -> str:
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(f"text {problem}")
    return value


CleanStr = Annotated[str, AfterValidator(_clean)]
"""A ``str`` field that rejects lone surrogates and NUL (a 422 naming the field)."""
