"""Model-written tests (CodeT style) turned into checks; extra inputs derived from examples."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from typing import Any

from plugins.selection._execute import Check
from plugins.selection._literals import format_call, literal_call, round_robin

_ASSERT_SPLIT = re.compile(r"(?m)^\s*assert\b")


def _one_assert(chunk: str) -> str | None:
    """The leading complete ``assert`` statement of ``chunk`` (message dropped), if any."""
    body = "assert " + re.sub(r"^\s+", "", chunk)
    lines = body.splitlines()
    for end in range(1, min(len(lines), 30) + 1):
        source = "\n".join(lines[:end])
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        if len(tree.body) == 1 and isinstance(tree.body[0], ast.Assert):
            return "assert " + ast.unparse(tree.body[0].test)
        return None
    return None


def _calls(node: ast.AST, entry_point: str) -> bool:
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == entry_point
        for n in ast.walk(node)
    )


def extract_asserts(
    texts: Iterable[str], entry_point: str, per_text: int | None = None
) -> list[str]:
    """Unique ``assert`` statements calling ``entry_point`` found in ``texts``, in order.

    Each text may hold several asserts (a model's test block); ``per_text`` keeps only the first
    few of each, as CodeT does (5).
    """
    seen: dict[str, None] = {}
    for text in texts:
        kept = 0
        for chunk in _ASSERT_SPLIT.split(text)[1:]:
            stmt = _one_assert(chunk)
            if stmt is None or not _calls(ast.parse(stmt), entry_point):
                continue
            seen.setdefault(stmt, None)
            kept += 1
            if per_text is not None and kept >= per_text:
                break
    return list(seen)


def checks_from_asserts(
    asserts: Sequence[str], entry_point: str
) -> tuple[list[Check], list[Check]]:
    """(pass/fail checks, extra output-only checks) for ``asserts``.

    ``assert f(x) == y`` becomes an evaluated call with an expectation (its output also counts
    for agreement); any other assert runs as a statement, and the calls of ``entry_point`` inside
    it are added as output-only checks.
    """
    checks: list[Check] = []
    extra: dict[str, None] = {}
    for stmt in asserts:
        test = ast.parse(stmt).body[0].test  # type: ignore[attr-defined]
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
            left, right = test.left, test.comparators[0]
            if _is_call(right, entry_point) and not _is_call(left, entry_point):
                left, right = right, left
            if _is_call(left, entry_point):
                checks.append(Check(ast.unparse(left), expect=ast.unparse(right)))
                continue
        checks.append(Check(None, stmt=stmt))
        for node in ast.walk(test):
            if _is_call(node, entry_point):
                extra.setdefault(ast.unparse(node), None)
    return checks, [Check(expr) for expr in extra]


def _is_call(node: ast.AST, entry_point: str) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == entry_point
    )


def _variants(value: Any) -> list[Any]:
    """A fixed, small set of type-preserving neighbours of ``value`` (chosen a priori)."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1, value // 2, 0]
    if isinstance(value, float):
        return [value + 0.5, -value, 0.0]
    if isinstance(value, str):
        return [value[::-1], value[1:], value + value[:1], value.swapcase(), ""]
    if isinstance(value, (list, tuple)):
        kind = type(value)
        items = list(value)
        out = [items[::-1], items[1:], items[:-1], items + items[:1]]
        try:
            out.append(sorted(items))
        except TypeError:
            pass
        return [kind(v) for v in out]
    return []


def derived_inputs(exprs: Iterable[str], entry_point: str, limit: int = 30) -> list[str]:
    """Calls of ``entry_point`` that change one literal argument of an example call.

    No expected output is known for them: they only widen the inputs on which candidates'
    outputs are compared (MBR-exec style agreement).
    """
    seen = set(exprs)
    per_example: list[list[str]] = []
    for expr in exprs:
        parsed = literal_call(expr, entry_point)
        if parsed is None:
            continue
        args, kwargs = parsed
        calls: list[str] = []
        for i, arg in enumerate(args):
            for new in _variants(arg):
                calls.append(format_call(entry_point, args[:i] + [new] + args[i + 1 :], kwargs))
        for key, arg in kwargs.items():
            for new in _variants(arg):
                calls.append(format_call(entry_point, args, {**kwargs, key: new}))
        per_example.append(calls)
    return round_robin(per_example, seen, limit)
