"""The example package is really installed (into a temp dir) and found via entry points."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from plugins.registry import PluginConfig, PluginRegistry, verify
from plugins.verdict import Candidate

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "factforge-plugin-example"


@pytest.fixture
def installed_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    source = tmp_path / "src"
    shutil.copytree(EXAMPLE, source)  # builds write build/ and *.egg-info next to the source
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=240,
    )
    monkeypatch.syspath_prepend(str(target))
    yield target
    for name in [m for m in sys.modules if m.startswith("factforge_plugin_example")]:
        del sys.modules[name]


def test_example_plugin_is_discovered_listed_and_verifies(installed_example: Path) -> None:
    assert list(installed_example.glob("factforge_plugin_example-0.1.0.dist-info"))
    with PluginRegistry(PluginConfig(allow=("no_print", "syntax"))) as registry:
        infos = {info.name: info for info in registry.plugins()}
        example = infos["no_print"]
        assert example.status == "loaded" and example.version == "0.1.0"
        assert example.source == "factforge-plugin-example"
        assert example.hooks == ("register_experts", "register_verifiers")
        assert [e.name for e in registry.experts()] == ["logging_reviewer"]
        verdicts = verify(Candidate(code="def f():\n    print('debug')\n"), registry)
    assert [v.plugin for v in verdicts] == ["syntax", "no_print"]
    no_print = verdicts[1]
    assert no_print.status == "warn"
    assert no_print.findings[0].location == "line 2, column 5"


def test_example_is_not_left_installed() -> None:
    from importlib import metadata

    names = {ep.name for ep in metadata.entry_points(group="factforge.plugins")}
    assert "no_print" not in names
