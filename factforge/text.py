"""Text hygiene at the edge: every text a user sends (an HTTP field, a CLI argument, a file)
must be valid Unicode without NUL, or the request is refused naming the field.

A lone surrogate (``"\\ud800"``, legal as a JSON escape, or what Python makes of undecodable
bytes in ``argv``) cannot be encoded as UTF-8, so it would break every later step that stores or
sends the text (Redis, SQLite, JSON answers). NUL (U+0000) is rejected too, never stripped:
no prompt, claim, query or document needs it, and C-level stores and tokenizers disagree on it.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

__all__ = ["NONBLANK_PATTERN", "NO_NUL_PATTERN", "CleanStr", "JsonInt", "json_int",
           "text_problem"]

# JSON-Schema patterns that say the same in the OpenAPI schema (validation itself is done by
# :data:`CleanStr` and ``strip()``, whose messages are clearer than "should match pattern").
# Whitespace is spelled out as what ``str.strip()`` removes: ECMA-262's ``\s`` differs from
# Python's (it has U+FEFF, not U+001C..U+001F).
_PY_SPACE = (r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f"
             r"\u205f\u3000")
NO_NUL_PATTERN = r"^[^\x00]*$"
NONBLANK_PATTERN = rf"^[^\x00]*[^\x00{_PY_SPACE}][^\x00]*$"


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


def _json_int(value: object) -> object:
    """JSON Schema's integer: 3 and 3.0, never true, "3" or 3.5 (pydantic's lax mode takes
    the first three, its strict mode refuses 3.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value  # strict validation then refuses bools, strings and fractions


JsonInt = Annotated[int, BeforeValidator(_json_int)]
"""An ``int`` field, in a ``strict`` model, that accepts what JSON Schema calls an integer."""


def json_int(low: int, high: int) -> Any:
    """:data:`JsonInt` within ``low..high`` (the bounds come first, or pydantic writes
    ``ge``/``le`` instead of ``minimum``/``maximum`` into the JSON schema)."""
    return Annotated[int, Field(ge=low, le=high), BeforeValidator(_json_int)]
