"""Turn model text into code and explanation."""

from __future__ import annotations

import ast
import re

_FENCE = re.compile(r"```[ \t]*([\w+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)


def split_code(text: str, language: str = "python") -> tuple[str, str]:
    """Return ``(code, explanation)`` from a model answer.

    The code is the largest fenced block (preferring blocks tagged with ``language`` or
    untagged); the explanation is the text outside the fences. An answer without fences
    that parses as Python as a whole is taken as code.
    """
    blocks = [(tag.lower(), body) for tag, body in _FENCE.findall(text)]
    wanted = [body for tag, body in blocks if tag in ("", language, "py", "python3")]
    chosen = wanted or [body for _, body in blocks]
    if chosen:
        code = max(chosen, key=len).strip("\n")
        explanation = _FENCE.sub("", text).strip()
        return code.rstrip() + "\n", explanation
    stripped = text.strip()
    if stripped and _looks_like_code(stripped):
        return stripped + "\n", ""
    return "", stripped


def _looks_like_code(text: str) -> bool:
    """Parses, and is more than bare expressions (prose like "a, b" parses as a tuple)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return any(not isinstance(node, ast.Expr) for node in tree.body)


def is_lgtm(text: str) -> bool:
    """A reviewer's approval: the answer starts with LGTM and proposes no code."""
    return text.strip().upper().startswith("LGTM") and "```" not in text


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


def parses(code: str) -> bool:
    """True when ``code`` is non-empty Python that parses."""
    return bool(code.strip()) and _parses(code)
