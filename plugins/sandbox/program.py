"""What the sandbox runs: candidate code, tests and the prompt's docstring examples."""

from __future__ import annotations

import doctest
from dataclasses import dataclass

__all__ = ["Example", "Program", "extract_examples"]

_PARSER = doctest.DocTestParser()


@dataclass(frozen=True, slots=True)
class Example:
    """One ``>>> source`` line (with continuations) and the output the prompt expects."""

    source: str
    want: str
    line: int


@dataclass(frozen=True, slots=True)
class Program:
    code: str
    tests: str = ""
    examples: tuple[Example, ...] = ()
    entry_point: str | None = None


def extract_examples(text: str) -> tuple[Example, ...]:
    """Doctest-style examples in ``text`` (1-based line numbers); malformed ones are skipped."""
    if ">>>" not in text:
        return ()
    try:
        found = _PARSER.get_examples(text)
    except ValueError:  # inconsistent indentation and the like: salvage line by line
        found = []
        for block in text.split("\n\n"):
            try:
                found.extend(_PARSER.get_examples(block))
            except ValueError:
                continue
    return tuple(Example(e.source.rstrip("\n"), _clean_want(e.want), e.lineno + 1) for e in found)


def _clean_want(want: str) -> str:
    """Cut the expected output at the docstring's closing quotes (doctest keeps them)."""
    kept = []
    for line in want.splitlines():
        if line.strip().startswith(('"""', "'''")):
            break
        kept.append(line)
    return "\n".join(kept).strip()
