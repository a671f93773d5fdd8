"""Shared fixtures for the plugins tests: a real fork-server sandbox, fake plugin modules."""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path

import pytest

from plugins.registry import ENTRY_POINT_GROUP
from plugins.sandbox import Sandbox, SandboxLimits


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxLimits(wall_s=10.0, cpu_s=10), workers=2) as box:
        yield box


@pytest.fixture
def make_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str, str], metadata.EntryPoint]:
    """Write a plugin module (source text) and return an entry point naming it."""
    monkeypatch.syspath_prepend(str(tmp_path))
    made: list[str] = []

    def make(name: str, source: str) -> metadata.EntryPoint:
        module = f"ffplug_{name}_{uuid.uuid4().hex[:8]}"
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))
        made.append(module)
        return metadata.EntryPoint(name=name, value=module, group=ENTRY_POINT_GROUP)

    yield make
    for module in made:
        sys.modules.pop(module, None)
