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
        "fork_bomb",
        "memory_bomb",
        "infinite_loop",
        "busy_thread",
        "sleeper_escapes_group",
        "network_connect",
        "write_outside",
        "read_secrets",
        "delete_files",
        "kill_parent",
    }
    escaped = [r for r in reports if not r.contained]
    assert not escaped, escaped
    assert by_name["memory_bomb"].status == "memory_limit"
    assert by_name["fork_bomb"].status in ("timeout", "cpu_limit")
    assert not list(host_dir.glob(".factforge-canary-*"))


def test_leftover_check_is_not_vacuous() -> None:
    """The host-side check really sees the run's processes while they live."""
    import os
    import threading
    import time

    from plugins.sandbox import SandboxLimits
    from plugins.sandbox.selfcheck import _leftover_processes

    if os.geteuid() != 0:
        pytest.skip("needs root: runs are not moved to their own uid otherwise")
    code = "import os, time\nif os.fork() == 0:\n    os.setsid()\ntime.sleep(600)\n"
    with Sandbox(SandboxLimits(wall_s=3), workers=1) as box:
        box.warm()
        uid = box._all[0].uid
        results = []
        runner = threading.Thread(target=lambda: results.append(box.run(Program(code))))
        runner.start()
        time.sleep(1.5)
        during = _leftover_processes(uid)
        runner.join()
        assert results[0].status == "timeout" and results[0].uid == uid
        deadline = time.monotonic() + 3  # a finished run's own exit may still be under way
        while (after := _leftover_processes(uid)) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert during >= 2 and after == 0
