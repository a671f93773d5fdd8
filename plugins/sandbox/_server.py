"""Fork server (stdlib only, run as ``python -I _server.py``): one jailed child per request.

Protocol on stdin/stdout: 4-byte big-endian length + JSON, one request then one reply. The
server pre-imports common modules once (and sets up the network/mount namespaces once), so
each run costs a fork, not an interpreter start. The reply goes out as soon as the child's
result is complete; then, before the next request, the child's process group, every process
of the run's dedicated uid (when root) and every remaining descendant (the server is a child
subreaper, so orphans re-parent to it) are killed and reaped.
"""

from __future__ import annotations

import ctypes
import fcntl
import gc
import json
import os
import resource
import select
import shutil
import signal
import struct
import sys
import tempfile
import time
from collections.abc import Callable

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
import _harness  # noqa: E402 - found through _HERE, added just above
import _jail  # noqa: E402
import _scratch  # noqa: E402

sys.path.remove(_HERE)
for _name in (
    "collections",
    "itertools",
    "functools",
    "math",
    "re",
    "string",
    "heapq",
    "bisect",
    "typing",
    "dataclasses",
    "random",
    "statistics",
    "fractions",
    "decimal",
    "hashlib",
    "json",
    "copy",
    "operator",
    "datetime",
):
    __import__(_name)
gc.freeze()  # children then leave these objects' pages shared (fewer copy-on-write faults)

PR_SET_CHILD_SUBREAPER = 36
_RESULT_CAP = 8 << 20  # structured results; stdout/stderr have the request's own cap
_libc = ctypes.CDLL(None, use_errno=True)
_TMPDIR = tempfile.gettempdir()  # the host's, read before the server scrubs its environment


def _read_message(stream) -> dict | None:
    head = stream.read(4)
    if len(head) < 4:
        return None
    (size,) = struct.unpack(">I", head)
    return json.loads(stream.read(size))


def _write_message(stream, message: dict) -> None:
    data = json.dumps(message).encode()
    stream.write(struct.pack(">I", len(data)) + data)
    stream.flush()


def _claim_uid(base: int, span: int) -> tuple[int | None, object]:
    """Hold a lock on one uid of the range so concurrent servers never share a uid."""
    if os.geteuid() != 0:
        return None, None
    lockdir = os.path.join(tempfile.gettempdir(), "factforge-sandbox-uids")
    os.makedirs(lockdir, mode=0o700, exist_ok=True)
    for uid in range(base, base + span):
        handle = open(os.path.join(lockdir, f"{uid}.lock"), "w")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        return uid, handle
    raise RuntimeError(f"no free sandbox uid in {base}..{base + span - 1}")


def _no_descendants() -> bool:
    """We are the subreaper: no child left means no process of the run is alive."""
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _kill_everything(pid: int, uid: int | None) -> bool:
    """Kill the run's group, every process of its uid, and every remaining descendant.

    True when no process of the run is left (False only if some survived 5 s of kills).
    """
    if _no_descendants():
        return True
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    if uid is not None:  # processes that left the group: kill(-1) as the run's own uid
        reaper = os.fork()
        if reaper == 0:
            try:
                os.setgid(uid)
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(reaper, 0)
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:  # orphans re-parent to us (subreaper): kill and reap
        try:
            while os.waitpid(-1, os.WNOHANG)[0] != 0:
                pass
        except ChildProcessError:
            return True
        for child in _children():
            try:
                os.kill(child, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.002)
    return False


def _children() -> list[int]:
    """Our direct children (without uid isolation this is how escapees are found)."""
    me = os.getpid()
    try:
        with open(f"/proc/{me}/task/{me}/children") as handle:
            return [int(pid) for pid in handle.read().split()]
    except OSError:
        pass
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == me:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return found


_NEEDED = [sys.base_prefix, sys.prefix, *sys.path]


# A child's standard streams: made once here (they name fds 0-2, which each child points at
# its own /dev/null and pipes before using them), not in every child.
_DEVNULL = os.open(os.devnull, os.O_RDONLY)
_STDIO = (
    open(0, closefd=False),  # noqa: SIM115
    open(1, "w", buffering=1, closefd=False),  # noqa: SIM115
    open(2, "w", buffering=1, closefd=False),
)  # noqa: SIM115


def _child(
    request: dict, uid: int | None, workdir: str, fds: tuple[int, int, int], server: dict[str, str]
) -> None:
    out_w, err_w, res_w = fds
    code = 70
    try:
        os.dup2(_DEVNULL, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.closerange(3, res_w)
        os.closerange(res_w + 1, 65536)
        sys.stdin, sys.stdout, sys.stderr = _STDIO
        report = _jail.apply(request["limits"], uid, workdir, _NEEDED, server)
        result = _harness.run(request)
        sys.stdout.flush()
        sys.stderr.flush()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = usage.ru_utime + usage.ru_stime
        done = {"containment": report, "result": result, "cpu_s": cpu}
        os.write(res_w, (json.dumps(done) + "\n").encode())  # one write: one wake-up
        code = 0
    except BaseException as exc:  # noqa: BLE001 - report, then die without cleanup handlers
        try:
            os.write(2, f"sandbox child: {type(exc).__name__}: {exc}\n".encode())
        except OSError:
            pass
    finally:
        os._exit(code)


def _collect(
    pid: int, pipes: dict[int, str], wall_s: float, caps: dict[str, int]
) -> tuple[dict, str]:
    """Read the child's pipes until it exits, its result is complete, or time runs out."""
    buffers = {name: bytearray() for name in pipes.values()}
    poller = select.poll()
    pidfd = os.pidfd_open(pid)
    poller.register(pidfd, select.POLLIN)
    for fd in pipes:
        poller.register(fd, select.POLLIN)
    deadline = time.monotonic() + wall_s
    state = ""
    while not state:
        left = deadline - time.monotonic()
        if left <= 0:
            state = "timeout"
            break
        for fd, _ in poller.poll(left * 1000.0):
            if fd == pidfd:
                state = "exited"
                continue
            name = pipes[fd]
            chunk = os.read(fd, 65536)
            if not chunk:
                poller.unregister(fd)
            elif len(buffers[name]) < caps[name]:
                buffers[name] += chunk[: caps[name] - len(buffers[name])]
            if name == "result" and buffers["result"].endswith(b"\n"):
                state = state or "result"
    os.close(pidfd)
    return buffers, state


def _drain(fds: dict[int, str], buffers: dict, caps: dict[str, int], close: bool) -> None:
    for fd, name in fds.items():
        os.set_blocking(fd, False)
        try:
            while chunk := os.read(fd, 65536):
                if len(buffers[name]) < caps[name]:
                    buffers[name] += chunk[: caps[name] - len(buffers[name])]
        except (BlockingIOError, OSError):
            pass
        if close:
            os.close(fd)


def _parse(buffers: dict, server: dict[str, str]) -> tuple[dict, dict | None, float | None]:
    try:
        done = json.loads(bytes(buffers["result"]).decode(errors="replace"))
        return done["containment"], done["result"], done.get("cpu_s")
    except (ValueError, KeyError, TypeError):  # the child died before reporting
        return {k: v for k, v in server.items() if k != "mounts"}, None, None


def run_one(
    request: dict, uid: int | None, server: dict[str, str], scratch: _scratch.Scratch | None
) -> tuple[dict, Callable[[], None]]:
    """Run one request; return the reply and the cleanup to do once it is sent.

    When the child has delivered its whole result, the reply goes out at once and the
    waiting, killing, reaping and emptying of /tmp happen after it (before the next
    request is read).
    """
    limits = request["limits"]
    if scratch is not None:
        workdir = scratch.prepare(int(limits["tmpfs_mb"]))
    else:
        workdir = tempfile.mkdtemp(prefix="factforge-sandbox-", dir=_TMPDIR)
        if uid is not None:
            os.chown(workdir, uid, uid)
    pipes = [os.pipe() for _ in range(3)]
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        for r, _ in pipes:
            os.close(r)
        _child(request, uid, workdir, tuple(w for _, w in pipes), server)
    for _, w in pipes:
        os.close(w)
    readers = {pipes[0][0]: "stdout", pipes[1][0]: "stderr", pipes[2][0]: "result"}
    cap = int(limits["output_kb"]) * 1024
    caps = {"stdout": cap, "stderr": cap, "result": _RESULT_CAP}
    buffers, state = _collect(pid, readers, float(limits["wall_s"]), caps)

    def finish() -> tuple[int, float]:
        if state == "timeout":
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                os.kill(pid, signal.SIGKILL)
        _, status, usage = os.wait4(pid, 0)
        all_dead = _kill_everything(pid, uid)
        _drain(readers, buffers, caps, close=True)
        if scratch is not None:
            scratch.recycle(all_dead)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
        return status, usage.ru_utime + usage.ru_stime

    if state == "result":  # the harness finished: answer now, clean up after
        _drain(readers, buffers, caps, close=False)
        returncode, sig, cpu_s = 0, None, None
        cleanup = finish
    else:
        status, cpu_s = finish()
        returncode = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None

        def cleanup() -> None:
            return None

    containment, result, child_cpu = _parse(buffers, server)
    reply = {
        "timed_out": state == "timeout",
        "returncode": returncode,
        "signal": sig,
        "stdout": bytes(buffers["stdout"]).decode(errors="replace"),
        "stderr": bytes(buffers["stderr"]).decode(errors="replace"),
        "wall_s": time.monotonic() - started,
        "cpu_s": cpu_s if cpu_s is not None else (child_cpu or 0.0),
        "containment": containment,
        "result": result,
    }
    return reply, cleanup


def main() -> None:
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    hello = _read_message(stdin)
    if hello is None:
        return
    uid, _lock = _claim_uid(int(hello["uid_base"]), int(hello["uid_span"]))
    if hello.get("namespaces", True):
        server = _jail.prepare_server(_NEEDED)
    else:
        server = {"namespaces": "off"}
    scratch = None
    if server.get("mounts") == "private" and uid is not None:
        binds = [tuple(line.split("\t")) for line in server.get("tmp_binds", "").splitlines()]
        scratch = _scratch.Scratch(binds, uid)
    else:
        server.pop("mounts", None)  # no uid of its own: fall back to a temp dir per run
    workdir = _scratch.WORKDIR if scratch is not None else "/nonexistent"
    os.environ.clear()  # the run's environment, set once here rather than in every child
    os.environ.update(_jail.environ(workdir))
    _write_message(stdout, {"pid": os.getpid(), "uid": uid, "server": server})
    while (request := _read_message(stdin)) is not None:
        cleanup = None
        try:
            reply, cleanup = run_one(request, uid, server, scratch)
        except Exception as exc:  # noqa: BLE001 - the client turns this into SandboxError
            reply = {"server_error": f"{type(exc).__name__}: {exc}"}
        _write_message(stdout, reply)
        if cleanup is not None:
            cleanup()


if __name__ == "__main__":
    main()
