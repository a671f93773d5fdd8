"""The hostile suite: every attack is contained, reported, and the host is unharmed."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugins.sandbox import Program, Sandbox
from plugins.sandbox.selfcheck import run_hostile_suite

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_hostile_programs_are_contained() -> None:
    host_dir = Path(__file__).resolve().parents[2]  # outside /tmp: the victim stays visible
    with Sandbox(workers=1) as box:
        reports = run_hostile_suite(box, host_dir)
        assert box.run(Program("x = 1")).passed  # the server survived every attack
    by_name = {r.name: r for r in reports}
    assert set(by_name) == {
        "fork_bomb", "memory_bomb", "infinite_loop", "busy_thread", "sleeper_escapes_group",
        "network_connect", "write_outside", "read_secrets", "delete_files", "kill_parent",
    }
    escaped = [r for r in reports if not r.contained]
    assert not escaped, escaped
    assert by_name["memory_bomb"].status == "memory_limit"
    assert by_name["fork_bomb"].status in ("timeout", "cpu_limit")
    assert not list(host_dir.glob(".factforge-canary-*"))
