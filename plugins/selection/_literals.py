"""Safe literal expressions and calls: parsed and evaluated without running candidate code."""

from __future__ import annotations

import ast
import operator
from typing import Any

_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_UNOPS = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}
_MAX_LEN = 10_000


class NotLiteral(ValueError):
    """The expression is not a safe literal."""


def literal_value(node: ast.AST) -> Any:
    """Evaluate a literal/container/small-arithmetic expression; raise NotLiteral otherwise."""
    if isinstance(node, ast.Expression):
        return literal_value(node.body)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, (str, bytes)) and len(node.value) > _MAX_LEN:
            raise NotLiteral("constant too long")
        return node.value
    if isinstance(node, ast.List):
        return [literal_value(e) for e in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(literal_value(e) for e in node.elts)
    if isinstance(node, ast.Set):
        return {literal_value(e) for e in node.elts}
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise NotLiteral("dict unpacking")
        return {literal_value(k): literal_value(v) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNOPS:
        return _UNOPS[type(node.op)](literal_value(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left, right = literal_value(node.left), literal_value(node.right)
        if not all(isinstance(v, (int, float)) for v in (left, right)):
            raise NotLiteral("arithmetic on non-numbers")
        try:
            return _BINOPS[type(node.op)](left, right)
        except ArithmeticError as exc:
            raise NotLiteral(str(exc)) from exc
    raise NotLiteral(type(node).__name__)


def parse_literal(text: str) -> Any:
    """The value of ``text`` if it is a safe literal expression; raise NotLiteral otherwise."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError) as exc:
        raise NotLiteral(str(exc)) from exc
    return literal_value(tree)


def literal_call(text: str, entry_point: str) -> tuple[list[Any], dict[str, Any]] | None:
    """``(args, kwargs)`` if ``text`` is ``entry_point(<literals>)``, else None."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return None
    call = tree.body
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == entry_point
    ):
        return None
    try:
        args = [literal_value(a) for a in call.args]
        kwargs = {k.arg: literal_value(k.value) for k in call.keywords if k.arg}
    except NotLiteral:
        return None
    if len(kwargs) != len(call.keywords):
        return None
    return args, kwargs


def format_call(entry_point: str, args: list[Any], kwargs: dict[str, Any]) -> str:
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{entry_point}({', '.join(parts)})"


def round_robin(groups: list[list[str]], seen: set[str], limit: int) -> list[str]:
    """Up to ``limit`` items taken in turn from each group (so every group contributes),
    skipping those in ``seen``; ``seen`` is updated with what is taken."""
    result: list[str] = []
    for k in range(max((len(g) for g in groups), default=0)):
        for group in groups:
            if k < len(group) and group[k] not in seen and len(result) < limit:
                seen.add(group[k])
                result.append(group[k])
    return result


def calls_entry_point(text: str, entry_point: str) -> bool:
    """True when ``text`` parses and calls ``entry_point`` somewhere."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == entry_point
        for n in ast.walk(tree)
    )
