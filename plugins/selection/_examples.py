"""Input/expected-output examples harvested from a prompt's docstring.

Understood forms (the entry point must be called with literal arguments, except in doctests):
``>>> expr`` followed by its output lines; ``f(x) ==> y`` / ``=> y`` / ``-> y`` / ``➞ y`` /
``== y`` / ``= y`` / ``should return y`` / ``returns y`` / ``# returns y`` / ``# => y``;
``Input: ... Output: ...`` blocks with positional or ``name = value`` / ``name : value``
arguments. The expected value is the longest leading literal expression (so
``-> 19 - 5 - 6 = 8`` yields 8); lower-case ``true``/``false`` are read as booleans. A bare
word as an argument of an inline example (``is_happy(abcd) => True``) is read as a string.
When the docstring shows no example of the entry point but every inline example calls one
other name that the prompt does not define, with as many arguments as the entry point has
parameters (``grade_equation([4.0]) ==> ['A+']`` for ``numerical_letter_grade``), those
examples are taken for the entry point. Anything else (free-text examples) is left out rather
than guessed.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterator
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


def _bracket_depths(text: str, start: int = 0) -> Iterator[tuple[int, int, bool]]:
    """``(index, depth after it, closed a bracket)`` per character from ``start``; brackets
    inside string quotes do not count."""
    depth, quote = 0, ""
    for i in range(start, len(text)):
        ch = text[i]
        closed = False
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            closed = True
        yield i, depth, closed


def _depth(text: str) -> int:
    depth = 0
    for _, depth, _ in _bracket_depths(text):  # noqa: B007 - the last depth is the answer
        pass
    return depth


def _call_end(text: str, start: int) -> int | None:
    """Index just past the parenthesis closing the one at ``start``; None if unbalanced."""
    for i, depth, closed in _bracket_depths(text, start):
        if closed and depth == 0:
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


def _bare_words(call: str, entry_point: str, params: list[str] | None) -> str | None:
    """``f(abc, 2)`` -> ``f('abc', 2)``: bare-word arguments read as strings; None if the call
    has no bare word, a bare word names a parameter (``tri(n) = ...`` is a formula), or it
    still is not a literal call."""
    try:
        node = ast.parse(call.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        return None
    if not isinstance(node, ast.Call) or node.keywords:
        return None
    words = [a.id for a in node.args if isinstance(a, ast.Name)]
    if not words or any(w in (params or ()) for w in words):
        return None
    args = [ast.Constant(a.id) if isinstance(a, ast.Name) else a for a in node.args]
    text = ast.unparse(ast.Call(ast.Name(entry_point), args, []))
    return text if literal_call(text, entry_point) is not None else None


def _inline(line_text: str, entry_point: str, params: list[str] | None = None) -> list[Example]:
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
            call = _bare_words(call, entry_point, params) or ""
            if not call:
                continue
        rest = line_text[end:]
        sep = _SEP.match(rest)
        if not sep:
            continue
        expect = _expected(rest[sep.end() :])
        if expect is not None:
            found.append(Example(_normal(call), expect=expect))
    return found


def _renamed(lines: list[str], prompt: str, params: list[str] | None, entry_point: str):
    """Inline examples of the one other, undefined name the docstring calls (see module doc)."""
    if params is None:
        return []
    defined = set(re.findall(r"^\s*(?:async\s+)?def\s+(\w+)", prompt, re.MULTILINE))
    names = {
        m.group(1)
        for line in lines
        for m in re.finditer(r"(?<![\w.])([A-Za-z_]\w*)\s*\(", line)
        if m.group(1) not in defined and not hasattr(builtins, m.group(1))
    }
    found: list[Example] = []
    for name in names:
        for i, line in enumerate(lines):
            found.extend(_inline(_joined(lines, i, line), name, params))
    if not found or len({e.expr.split("(", 1)[0] for e in found}) != 1:
        return []
    out = []
    for ex in found:
        parsed = literal_call(ex.expr, ex.expr.split("(", 1)[0])
        if parsed is None or parsed[1] or len(parsed[0]) != len(params):
            return []
        out.append(Example(format_call(entry_point, parsed[0], {}), expect=ex.expect))
    return out


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
        examples.extend(_inline(_joined(lines, i, lines[i]), entry_point, params))
        i += 1
    if not examples:
        examples = _renamed(lines, prompt, params, entry_point)
    unique: dict[tuple, Example] = {}
    for ex in examples:
        unique.setdefault((ex.expr, ex.expect, ex.expect_text), ex)
    return list(unique.values())
