"""Input/expected-output examples harvested from a prompt's docstring.

Understood forms (the entry point must be called with literal arguments, except in doctests):
``>>> expr`` followed by its output lines; ``f(x) ==> y`` / ``=> y`` / ``-> y`` / ``➞ y`` /
``== y`` / ``= y`` / ``should return y`` / ``returns y`` / ``# returns y`` / ``# => y``;
``Input: ... Output: ...`` blocks with positional or ``name = value`` / ``name : value``
arguments. The expected value is the longest leading literal expression (so
``-> 19 - 5 - 6 = 8`` yields 8); lower-case ``true``/``false`` are read as booleans. Anything
else (free-text examples, a differently named function) is left out rather than guessed.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from plugins.selection._literals import (
    NotLiteral,
    calls_entry_point,
    format_call,
    literal_call,
    parse_literal,
)

_SEP = re.compile(r"^\s*(?:#\s*)?(?:==>|=>|->|➞|==|=|should\s+return|returns?|:)\s*")
_BOOL = re.compile(r"\b(true|false)\b")
_INPUT = re.compile(r"^\s*(?:Example\s*\d*\s*:?\s*)?Input\s*:\s*(.*)$")
_OUTPUT = re.compile(r"^\s*Output\s*:\s*(.*)$")
_FOR = re.compile(r"^\s*For\s+(.+?)\s*,?\s+the\s+(?:output|result)\s+should\s+be\s+(.+)$")


@dataclass(frozen=True, slots=True)
class Example:
    """``expr`` evaluated by the candidate should equal ``expect`` (or print ``expect_text``)."""

    expr: str
    expect: str | None = None
    expect_text: str | None = None


def _docstring_lines(prompt: str, entry_point: str) -> list[str]:
    match = re.search(
        rf"^\s*(?:async\s+)?def\s+{re.escape(entry_point)}\s*\(", prompt, re.MULTILINE
    )
    text = prompt[match.end() :] if match else prompt
    return text.splitlines()


def _params(prompt: str, entry_point: str) -> list[str] | None:
    try:
        tree = ast.parse(prompt)
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == entry_point:
            a = node.args
            return [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs]
    return None


def _normal(source: str) -> str:
    """Canonical source of an expression (layout inside string literals is kept)."""
    return ast.unparse(ast.parse(source.strip(), mode="eval"))


def _depth(text: str) -> int:
    depth, quote = 0, ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
    return depth


def _call_end(text: str, start: int) -> int | None:
    """Index just past the parenthesis closing the one at ``start``; None if unbalanced."""
    depth, quote = 0, ""
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _expected(text: str) -> str | None:
    """The longest leading safe literal expression of ``text``, as normalised source."""
    text = _BOOL.sub(lambda m: m.group(1).capitalize(), text.strip())
    if len(text) > 1 and text.endswith(".") and text[-2].isdigit():
        text = text[:-1]  # "should return 16." ends a sentence
    for end in range(len(text), 0, -1):
        head = text[:end].strip()
        if not head or (
            end < len(text)
            and not text[end - 1].isspace()
            and not text[end].isspace()
            and text[end] not in ".,;:!?#"
        ):
            continue
        try:
            value = parse_literal(head)
        except (NotLiteral, RecursionError):
            continue
        return repr(value)
    return None


def _joined(lines: list[str], i: int, first: str) -> str:
    """``first`` plus following lines while brackets stay open."""
    text, j = first, i + 1
    while _depth(text) > 0 and j < len(lines) and lines[j].strip():
        text += " " + lines[j].strip()
        j += 1
    return text


def _doctest(lines: list[str], i: int, entry_point: str) -> tuple[list[Example], int]:
    expr = lines[i].strip()[3:].strip()
    j = i + 1
    while j < len(lines) and lines[j].strip().startswith("..."):
        expr += "\n" + lines[j].strip()[3:]
        j += 1
    want: list[str] = []
    while j < len(lines):
        stripped = lines[j].strip()
        if not stripped or stripped.startswith((">>>", '"""', "'''")):
            break
        want.append(stripped.rstrip('"').rstrip("'") if stripped.endswith('"""') else stripped)
        j += 1
    if not want:  # ``>>> f(x) == y`` written without an output line
        return _inline(expr, entry_point), j
    if not calls_entry_point(expr, entry_point):
        return [], j
    try:
        expr = _normal(expr)
    except (SyntaxError, ValueError):
        return [], j
    text = " ".join(want)
    try:
        return [Example(expr, expect=repr(parse_literal(text)))], j
    except (NotLiteral, RecursionError):
        return [Example(expr, expect_text=text)], j


def _inline(line_text: str, entry_point: str) -> list[Example]:
    found: list[Example] = []
    pattern = re.compile(rf"(?<![\w.]){re.escape(entry_point)}\s*\(")
    for match in pattern.finditer(line_text):
        if line_text[: match.start()].rstrip().endswith("def"):
            continue
        end = _call_end(line_text, match.end() - 1)
        if end is None:
            continue
        call = line_text[match.start() : end]
        if literal_call(call, entry_point) is None:
            continue
        rest = line_text[end:]
        sep = _SEP.match(rest)
        if not sep:
            continue
        expect = _expected(rest[sep.end() :])
        if expect is not None:
            found.append(Example(_normal(call), expect=expect))
    return found


def _input_output(
    lines: list[str], i: int, entry_point: str, params: list[str] | None
) -> tuple[Example | None, int]:
    parts = [_INPUT.match(lines[i]).group(1)]  # type: ignore[union-attr]
    j = i + 1
    while j < len(lines) and not _OUTPUT.match(lines[j]) and j - i < 12:
        parts.append(lines[j].strip())
        j += 1
    if j >= len(lines) or not _OUTPUT.match(lines[j]):
        return None, i + 1
    out = _OUTPUT.match(lines[j]).group(1)  # type: ignore[union-attr]
    if not out.strip() and j + 1 < len(lines):
        out = lines[j + 1]
    args = " ".join(p for p in parts if p).strip()
    variants = [
        args,
        ", ".join(re.sub(r"^(\w+)\s*:\s*", r"\1=", p.strip()) for p in parts if p.strip()),
    ]
    for variant in variants:
        call = _resolve_call(entry_point, variant, params)
        expect = _expected(_joined(lines, j, out)) if call else None
        if call and expect is not None:
            return Example(call, expect=expect), j + 1
    return None, j + 1


def _resolve_call(entry_point: str, args: str, params: list[str] | None) -> str | None:
    """``entry_point(args)`` if the arguments are literals; keyword names that are not the
    function's parameters are read positionally when their number matches."""
    parsed = literal_call(f"{entry_point}({args})", entry_point)
    if parsed is None:
        return None
    pos, kw = parsed
    if params is not None and any(k not in params for k in kw):
        if len(pos) + len(kw) != len(params):
            return None
        return format_call(entry_point, pos + list(kw.values()), {})
    return _normal(f"{entry_point}({args})")


def _described(match: re.Match[str], entry_point: str, params: list[str] | None) -> Example | None:
    """``For a = 1, b = "x" the output should be y``: the longest argument prefix that parses."""
    args = match.group(1)
    cuts = [len(args)] + [m.start() for m in re.finditer(",", args)][::-1]
    for cut in cuts:
        call = _resolve_call(entry_point, args[:cut], params)
        if call is None or "=" not in args[:cut]:
            continue
        expect = _expected(match.group(2))
        return Example(call, expect=expect) if expect is not None else None
    return None


def parse_examples(prompt: str, entry_point: str) -> list[Example]:
    """Every example of ``entry_point`` the docstring states, deduplicated, in order."""
    lines = _docstring_lines(prompt, entry_point)
    params = _params(prompt, entry_point)
    examples: list[Example] = []
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped.startswith(">>>"):
            found, i = _doctest(lines, i, entry_point)
            examples.extend(found)
            continue
        described = _FOR.match(lines[i])
        if described:
            example = _described(described, entry_point, params)
            if example:
                examples.append(example)
                i += 1
                continue
        if _INPUT.match(lines[i]):
            example, nxt = _input_output(lines, i, entry_point, params)
            if example:
                examples.append(example)
                i = nxt
                continue
        examples.extend(_inline(_joined(lines, i, lines[i]), entry_point))
        i += 1
    unique: dict[tuple, Example] = {}
    for ex in examples:
        unique.setdefault((ex.expr, ex.expect, ex.expect_text), ex)
    return list(unique.values())
