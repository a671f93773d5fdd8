"""Hostile programs that the jail must contain, with host-side checks that it did.

Used by the test suite and ``bench/sandbox_humaneval.py``; an operator can run it on a new
host to see which protections that host grants (see ``SandboxResult.containment``).
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from plugins.sandbox.limits import SandboxLimits, SandboxResult
from plugins.sandbox.pool import Sandbox
from plugins.sandbox.program import Program

__all__ = ["HOSTILE_LIMITS", "HostileReport", "run_hostile_suite"]

HOSTILE_LIMITS = SandboxLimits(wall_s=3.0, cpu_s=2, memory_mb=512, nproc=32)
_SECRET_VAR = "FACTFORGE_SELFCHECK_SECRET"


@dataclass(frozen=True, slots=True)
class HostileReport:
    name: str
    contained: bool
    status: str
    detail: str


def _leftover_processes(uid: int | None) -> int:
    if uid is None:
        return 0
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                count += os.stat(f"/proc/{entry}").st_uid == uid
            except OSError:
                pass
    return count


def _cases(canary: Path, listener_port: int, secret: str) -> list[tuple[str, str, Callable]]:
    """(name, code, check(result, host) -> (contained, detail))."""
    victim = canary / "victim.txt"
    return [
        (
            "fork_bomb",
            "import os\nwhile True:\n    try:\n        os.fork()\n"
            "    except OSError:\n        pass\n",
            lambda r, h: (
                r.status in ("timeout", "cpu_limit") and h["leftover"] == 0,
                f"{r.status}; {h['leftover']} processes left",
            ),
        ),
        (
            "memory_bomb",
            "blocks = []\nwhile True:\n    blocks.append(bytearray(64 << 20))\n",
            lambda r, h: (r.status in ("memory_limit", "crashed"), r.message),
        ),
        (
            "infinite_loop",
            "while True:\n    pass\n",
            lambda r, h: (r.status in ("cpu_limit", "timeout"), r.message),
        ),
        (
            "busy_thread",
            "import threading, time\n\ndef spin():\n    while True:\n"
            "        pass\n\nthreading.Thread(target=spin, daemon=True).start()\ntime.sleep(600)\n",
            lambda r, h: (r.status in ("cpu_limit", "timeout") and h["leftover"] == 0, r.message),
        ),
        (
            "sleeper_escapes_group",
            "import os, time\nif os.fork() == 0:\n    os.setsid()\n"
            "    time.sleep(600)\ntime.sleep(600)\n",
            lambda r, h: (h["leftover"] == 0, f"{r.status}; {h['leftover']} processes left"),
        ),
        (
            "network_connect",
            f"import socket\nsocket.create_connection(('127.0.0.1', {listener_port}), timeout=1)\n",
            lambda r, h: (
                not h["connected"] and r.status == "failed",
                r.code_error.message if r.code_error else r.message,
            ),
        ),
        (
            "write_outside",
            "open('/etc/factforge-pwned', 'w').write('x')\n",
            lambda r, h: (
                not Path("/etc/factforge-pwned").exists() and r.status == "failed",
                r.code_error.message if r.code_error else r.message,
            ),
        ),
        (
            "read_secrets",
            "import os\nfound = [v for v in os.environ.values()]\n"
            f"for path in ('/proc/{os.getpid()}/environ', '/proc/1/environ'):\n    try:\n"
            "        found.append(open(path, 'rb').read().decode(errors='replace'))\n"
            "    except OSError as exc:\n        found.append(repr(exc))\nprint(found)\n",
            lambda r, h: (
                secret not in r.stdout and secret not in r.stderr,
                "environment scrubbed; parent environ unreadable",
            ),
        ),
        (
            "delete_files",
            f"import os, shutil\nos.remove({str(victim)!r})\n",
            lambda r, h: (
                victim.exists() and r.status == "failed",
                r.code_error.message if r.code_error else r.message,
            ),
        ),
        (
            "kill_parent",
            "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n",
            lambda r, h: (
                r.status == "failed",
                r.code_error.message if r.code_error else r.message,
            ),
        ),
    ]


def run_hostile_suite(
    sandbox: Sandbox, host_dir: Path, limits: SandboxLimits = HOSTILE_LIMITS
) -> list[HostileReport]:
    """Run every hostile case; ``host_dir`` must be outside /tmp so the victim is visible."""
    canary = Path(tempfile.mkdtemp(prefix=".factforge-canary-", dir=host_dir))
    os.chmod(canary, 0o755)
    (canary / "victim.txt").write_text("still here\n")
    os.chmod(canary / "victim.txt", 0o644)
    secret = "s3cret-" + os.urandom(8).hex()
    os.environ[_SECRET_VAR] = secret
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.setblocking(False)
    reports = []
    try:
        for name, code, check in _cases(canary, listener.getsockname()[1], secret):
            result: SandboxResult = sandbox.run(
                Program(code),
                replace(
                    sandbox.limits,
                    **{k: getattr(limits, k) for k in ("wall_s", "cpu_s", "memory_mb", "nproc")},
                ),
            )
            try:
                listener.accept()[0].close()
                connected = True
            except BlockingIOError:
                connected = False
            host = {"leftover": _leftover_processes(result.uid), "connected": connected}
            contained, detail = check(result, host)
            reports.append(HostileReport(name, bool(contained), result.status, str(detail)))
    finally:
        os.environ.pop(_SECRET_VAR, None)
        listener.close()
        shutil.rmtree(canary, ignore_errors=True)
    return reports
