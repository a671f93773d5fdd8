"""Find the modules and ``module.attr`` chains a piece of code uses (AST only, no execution)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

__all__ = ["ApiRef", "api_refs"]


@dataclass(frozen=True, slots=True)
class ApiRef:
    parts: tuple[str, ...]
    line: int
    column: int
    kind: str  # import | from | attr
    optional: bool = False  # inside ``try: ... except ImportError``

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


def _guarded(tree: ast.AST) -> set[int]:
    """ids of import nodes inside a try whose handlers catch ImportError."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try):
            names = [ast.unparse(h.type) if h.type else "Exception" for h in node.handlers]
            if any(
                w in n for n in names for w in ("ImportError", "ModuleNotFoundError", "Exception")
            ):
                ids.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return ids


def _rebound(tree: ast.AST) -> set[str]:
    """Names bound by something other than an import (those aliases are not modules)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def _chain(node: ast.Attribute) -> tuple[str, list[str]] | None:
    attrs: list[str] = []
    cur: ast.expr = node
    while isinstance(cur, ast.Attribute):
        attrs.append(cur.attr)
        cur = cur.value
    if isinstance(cur, ast.Name):
        return cur.id, attrs[::-1]
    return None


def api_refs(tree: ast.Module) -> list[ApiRef]:
    """Every absolute import and every attribute chain rooted at an imported module."""
    guarded = _guarded(tree)
    refs: list[ApiRef] = []
    aliases: dict[str, tuple[str, ...]] = {}
    for node in ast.walk(tree):
        optional = id(node) in guarded
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = tuple(alias.name.split("."))
                refs.append(ApiRef(parts, node.lineno, node.col_offset + 1, "import", optional))
                if alias.asname:
                    aliases[alias.asname] = parts
                else:
                    aliases[parts[0]] = parts[:1]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            base = tuple(node.module.split("."))
            for alias in node.names:
                parts = base if alias.name == "*" else (*base, alias.name)
                refs.append(ApiRef(parts, node.lineno, node.col_offset + 1, "from", optional))
    rebound = _rebound(tree)
    seen: set[tuple[str, ...]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            chain = _chain(node)
            if chain is None or chain[0] not in aliases or chain[0] in rebound:
                continue
            parts = (*aliases[chain[0]], *chain[1])
            if parts in seen or any(p[: len(parts)] == parts for p in seen):
                continue
            seen.add(parts)
            refs.append(ApiRef(parts, node.lineno, node.col_offset + 1, "attr"))
    return refs
