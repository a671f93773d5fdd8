"""Each layer imports only the layers below it (ARCHITECTURE.md, "Layers"):
factforge > workers > agents > plugins > knowledge."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ORDER = ("factforge", "workers", "agents", "plugins", "knowledge")  # top to bottom


def imported_layers(path: Path) -> set[str]:
    """Top-level project packages that a module imports (absolute imports only; the project
    uses no relative imports across packages)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & set(ORDER)
    return found


def violations(package: str) -> list[str]:
    above = set(ORDER[: ORDER.index(package)])
    out = []
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = imported_layers(path) & above
        if bad:
            out.append(f"{path.relative_to(ROOT)} imports {', '.join(sorted(bad))}")
    return out


@pytest.mark.parametrize("package", ORDER)
def test_layer_imports_only_layers_below(package: str) -> None:
    assert violations(package) == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom factforge.settings import Settings\nimport knowledge\n")
    assert imported_layers(module) == {"factforge", "knowledge"}
