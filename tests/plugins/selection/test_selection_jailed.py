"""Selection runs candidates in the sandbox's jail: hostile candidates are contained, lose, and
leave the host unharmed; the bare subprocess executor is an explicit, logged opt-in."""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import tempfile
from pathlib import Path

import pytest

from plugins.sandbox import Sandbox, SandboxLimits
from plugins.selection import (
    Limits,
    SelectionConfigError,
    SelectionExecutionError,
    SelectionOptions,
    SelectionTask,
    select,
)

pytestmark = pytest.mark.integration

TASK = SelectionTask("t", 'def inc(x):\n    """\n    >>> inc(1)\n    2\n    """\n', "inc")
RIGHT = "    return x + 1\n"
WRONG = "    return x\n"
OPTS = SelectionOptions(limits=Limits(check_timeout_s=0.5, total_timeout_s=5.0), workers=2)
PWNED = Path("/etc/factforge-pwned-selection")
SANDBOX_UIDS = range(SandboxLimits().uid_base, SandboxLimits().uid_base + SandboxLimits().uid_span)


def _hostile(attack: str) -> str:
    """A full program: the attack at import, then a correct ``inc``."""
    return f"{attack}\ndef inc(x):\n    return x + 1\n"


def _sandbox_processes() -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid in SANDBOX_UIDS:
                found.append(int(entry))
        except OSError:
            pass
    return found


@pytest.fixture()
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    yield server
    server.close()


def test_hostile_candidates_are_contained_and_not_chosen(listener):
    assert not PWNED.exists()
    port = listener.getsockname()[1]
    attacks = [
        f"open({str(PWNED)!r}, 'w').write('pwned')",
        f"import _socket\n_socket.socket().connect(('127.0.0.1', {port}))",
        # os.fork is disabled in the child, posix.fork is not: the jail's nproc limit holds
        "import posix\nwhile True:\n    posix.fork()",
    ]
    candidates = [WRONG, *(_hostile(a) for a in attacks), RIGHT]
    with Sandbox(SandboxLimits(nproc=16), workers=2) as box:
        result = select(TASK, candidates, None, OPTS, box)
    assert result.index == len(candidates) - 1
    file_attack, net_attack, fork_attack = result.evidence[1:4]
    assert (file_attack.runs, file_attack.error) == (False, "error: PermissionError")
    assert not net_attack.runs and net_attack.error in (
        "error: OSError",
        "error: ConnectionRefusedError",
    )
    assert not fork_attack.runs  # every process of the bomb fails to fork at last, or is killed
    assert not PWNED.exists()
    with pytest.raises(BlockingIOError):
        listener.accept()  # nobody connected
    if os.geteuid() == 0:
        assert _sandbox_processes() == []  # the fork bomb's processes were all killed


def test_a_candidate_that_reads_host_files_sees_an_empty_private_tmp(tmp_path):
    secret = Path(tempfile.gettempdir()) / f"ff-selection-secret-{os.getpid()}"
    secret.write_text("hidden")
    try:
        reader = _hostile(f"assert open({str(secret)!r}).read() == 'hidden'")
        result = select(TASK, [WRONG, reader], None, OPTS)  # a sandbox of its own
    finally:
        secret.unlink()
    assert result.index == 0
    assert (result.evidence[1].runs, result.evidence[1].error) == (
        False,
        "error: FileNotFoundError",
    )


def test_subprocess_executor_is_an_explicit_logged_opt_in_with_the_same_choice(caplog):
    candidates = [WRONG, RIGHT, "    return x + 2\n"]
    jailed = select(TASK, candidates, None, OPTS)
    with caplog.at_level(logging.WARNING, logger="plugins.selection"):
        bare = select(
            TASK,
            candidates,
            None,
            SelectionOptions(limits=OPTS.limits, workers=2, executor="subprocess"),
        )
    assert "WITHOUT the sandbox" in caplog.text
    assert (bare.index, bare.scores, bare.evidence) == (
        jailed.index,
        jailed.scores,
        jailed.evidence,
    )


def test_bad_executor_settings_are_config_errors():
    with pytest.raises(SelectionConfigError, match="unknown executor"):
        select(TASK, [RIGHT], None, SelectionOptions(executor="docker"))
    with Sandbox(workers=1) as box, pytest.raises(SelectionConfigError, match="subprocess"):
        select(TASK, [RIGHT], None, SelectionOptions(executor="subprocess"), box)


@pytest.mark.skipif(os.geteuid() != 0, reason="uid locks (and so this failure) need root")
def test_a_jail_that_cannot_start_is_a_clear_error(tmp_path):
    uid = 64990
    lockdir = Path(tempfile.gettempdir()) / "factforge-sandbox-uids"
    lockdir.mkdir(mode=0o700, exist_ok=True)
    with (lockdir / f"{uid}.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # the only uid the sandbox may use is taken
        with (
            Sandbox(SandboxLimits(uid_base=uid, uid_span=1), workers=1) as box,
            pytest.raises(SelectionExecutionError, match="sandbox"),
        ):
            select(TASK, [RIGHT], None, OPTS, box)
