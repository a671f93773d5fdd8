"""Probe inputs: calls of the entry point with no known answer, on which the candidates' outputs
are compared (MBR-exec). Made a priori, never from labels or hidden tests:

* seeds are the example calls (docstring examples, model-written test calls); with none, a few
  calls built from the parameters' annotations (``n: int``, ``s: str``, ``l: list`` ...);
* every seed is mutated type-aware, one argument at a time and all arguments at once: integers
  (+1, -1, 0, 1, negated, doubled), floats, strings (empty, one character, reversed, case
  changed, a repeated letter, with a space), lists (empty, one item, reversed, sorted both
  ways, a duplicate, negated numbers, doubled length), dicts (empty, one item).

Values stay small (numbers bounded, lengths capped) so a correct but slow candidate is not
pushed into timeouts by the probe itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

from plugins.selection._literals import format_call, literal_call, round_robin

_MAX_INT = 1000
_MAX_LEN = 40

_SEEDS: dict[str, list[Any]] = {
    "int": [0, 1, 2, 3, 5, 10, -1, 100],
    "float": [0.0, 1.0, 2.5, -1.5, 10.0],
    "str": ["", "a", "ab", "abc", "Hello World", "aab", "racecar"],
    "bool": [True, False],
    "list": [[], [1], [1, 2, 3], [3, 1, 2], [1, 1, 2], [-1, 0, 5, 2]],
    "tuple": [(), (1,), (1, 2), (3, 1, 2)],
    "dict": [{}, {"a": 1}, {"a": 1, "b": 2}],
}
_ALIASES = {"List": "list", "Tuple": "tuple", "Dict": "dict", "Sequence": "list"}


def _small(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return abs(value) <= _MAX_INT
    if isinstance(value, float):
        return abs(value) <= _MAX_INT
    if isinstance(value, str):
        return len(value) <= _MAX_LEN
    if isinstance(value, (list, tuple)):
        return len(value) <= _MAX_LEN and all(_small(v) for v in value)
    if isinstance(value, dict):
        return len(value) <= _MAX_LEN and all(_small(k) and _small(v) for k, v in value.items())
    return value is None


def _numbers(items: list[Any]) -> bool:
    return bool(items) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in items
    )


def _list_variants(items: list[Any]) -> list[list[Any]]:
    out: list[list[Any]] = [[], items[:1], items[::-1], items + items[:1]]
    if len(items) > 1:
        out.append(items[:1] + items)  # a duplicate next to itself
    try:
        out += [sorted(items), sorted(items, reverse=True)]
    except TypeError:
        pass
    if _numbers(items):
        out.append([-v for v in items])
    out.append(items + items[::-1])
    return out


def variants(value: Any) -> list[Any]:
    """Type-preserving neighbours of ``value``, in a fixed order (most telling first)."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1, 0, 1, -value, 2 * value + 1]
    if isinstance(value, float):
        return [value + 0.5, -value, 0.0, value * 2, round(value) + 0.0]
    if isinstance(value, str):
        out = ["", value[:1], value[::-1], value.swapcase(), value.upper(), value.lower()]
        if value:
            out += [value[0] + value, value + " " + value[::-1]]
        return out
    if isinstance(value, (list, tuple)):
        return [type(value)(v) for v in _list_variants(list(value))]
    if isinstance(value, dict):
        return [{}, dict(list(value.items())[:1])]
    return []


def signature_seeds(prompt: str, entry_point: str) -> list[str]:
    """Calls built from the parameters' annotations; [] when a parameter has none we know."""
    try:
        tree = ast.parse(prompt)
    except (SyntaxError, ValueError):
        return []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == entry_point:
            params = node.args.posonlyargs + node.args.args
            if node.args.kwonlyargs or node.args.vararg or not params:
                return []
            pools = [_SEEDS.get(_kind(p.annotation), None) for p in params]
            if any(pool is None for pool in pools):
                return []
            width = max(len(pool) for pool in pools)  # type: ignore[arg-type]
            return [
                format_call(entry_point, [pool[k % len(pool)] for pool in pools], {})  # type: ignore[index]
                for k in range(width)
            ]
    return []


def _kind(annotation: ast.expr | None) -> str:
    if annotation is None:
        return ""
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value
    if isinstance(annotation, ast.Name):
        return _ALIASES.get(annotation.id, annotation.id)
    if isinstance(annotation, ast.Attribute):
        return _ALIASES.get(annotation.attr, annotation.attr)
    return ""


def probe_inputs(
    seeds: Iterable[str], entry_point: str, exclude: Iterable[str], limit: int
) -> list[str]:
    """Up to ``limit`` new calls mutating the literal ``seeds`` (round-robin over the seeds, so
    every seed contributes); the seeds and calls in ``exclude`` (already run) are left out."""
    seeds = list(dict.fromkeys(seeds))
    seen = set(exclude) | set(seeds)
    per_seed: list[list[str]] = []
    for expr in seeds:
        parsed = literal_call(expr, entry_point)
        if parsed is None:
            continue
        args, kwargs = parsed
        calls: list[str] = []
        options = [variants(a) for a in args]
        depth = max((len(o) for o in options), default=0)
        for k in range(depth):
            for i, opts in enumerate(options):
                if k < len(opts):
                    calls.append(_call(entry_point, args[:i] + [opts[k]] + args[i + 1 :], kwargs))
            if len(args) > 1:  # every argument at once
                calls.append(
                    _call(
                        entry_point,
                        [o[k] if k < len(o) else a for a, o in zip(args, options)],
                        kwargs,
                    )
                )
        for key, arg in kwargs.items():
            for new in variants(arg):
                calls.append(_call(entry_point, args, {**kwargs, key: new}))
        per_seed.append([c for c in calls if c])
    return round_robin(per_seed, seen, limit)


def _call(entry_point: str, args: list[Any], kwargs: dict[str, Any]) -> str:
    if not all(_small(a) for a in args) or not all(_small(v) for v in kwargs.values()):
        return ""
    return format_call(entry_point, args, kwargs)
