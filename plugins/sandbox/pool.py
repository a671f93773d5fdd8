"""Sandbox client: a warm pool of fork servers, one run at a time per server."""

from __future__ import annotations

import json
import logging
import os
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import weakref
from dataclasses import asdict
from pathlib import Path
from typing import Any

from plugins.errors import SandboxError
from plugins.sandbox.limits import Outcome, SandboxLimits, SandboxResult
from plugins.sandbox.program import Program

__all__ = ["Sandbox"]

log = logging.getLogger(__name__)

_SERVER = Path(__file__).with_name("_server.py")
_ENV_KEEP = ("PATH", "LANG", "LC_ALL")
_SIGNALS = {signal.SIGXCPU: "cpu_limit", signal.SIGXFSZ: "output_limit"}


def _server_env() -> dict[str, str]:
    env = {k: os.environ[k] for k in _ENV_KEEP if k in os.environ}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


class _Server:
    """One fork-server process and its framed pipe protocol."""

    def __init__(self, limits: SandboxLimits, namespaces: bool) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-I", str(_SERVER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_server_env(),
            start_new_session=True,
            close_fds=True,
        )
        assert self.proc.stdout is not None
        self._fd = self.proc.stdout.fileno()
        self._poll = select.poll()
        self._poll.register(self._fd, select.POLLIN)
        self._pending = bytearray()  # read but not yet consumed (a reply arrives whole)
        try:
            self.send(
                {"uid_base": limits.uid_base, "uid_span": limits.uid_span, "namespaces": namespaces}
            )
            hello = self.receive(30.0)
        except (OSError, SandboxError, ValueError) as exc:
            self.close()
            raise SandboxError(f"sandbox server did not start: {exc}") from exc
        self.uid: int | None = hello.get("uid")

    def send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(struct.pack(">I", len(data)) + data)
        self.proc.stdin.flush()

    def _read(self, size: int, deadline: float) -> bytes:
        while len(self._pending) < size:
            left = deadline - time.monotonic()
            if left <= 0 or not self._poll.poll(left * 1000.0):
                raise SandboxError("sandbox server did not answer in time")
            chunk = os.read(self._fd, max(65536, size - len(self._pending)))
            if not chunk:
                raise SandboxError("sandbox server exited unexpectedly")
            self._pending += chunk
        data = bytes(self._pending[:size])
        del self._pending[:size]
        return data

    def receive(self, timeout_s: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        (size,) = struct.unpack(">I", self._read(4, deadline))
        return json.loads(self._read(size, deadline))

    def close(self) -> None:
        """EOF first (the server finishes its cleanup and exits), then SIGKILL."""
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


def _close_all(servers: list[_Server]) -> None:
    for server in servers:
        server.close()
    servers.clear()


def _outcomes(items: list[dict[str, Any]] | None) -> tuple[Outcome, ...]:
    keys = ("name", "status", "message", "line", "expected")
    return tuple(Outcome(**{k: item.get(k) for k in keys if k in item}) for item in items or ())


def _to_result(reply: dict[str, Any], limits: SandboxLimits, uid: int | None) -> SandboxResult:
    result = reply.get("result") or {}
    code = result.get("code")
    code_error = None
    if code and code.get("status") != "pass":
        code_error = Outcome("code", code["status"], code.get("message", ""), code.get("line"))
    examples, tests = _outcomes(result.get("examples")), _outcomes(result.get("tests"))
    sig = reply.get("signal")
    stderr = reply.get("stderr", "")
    if reply.get("timed_out"):
        status, message = "timeout", f"ran longer than {limits.wall_s:g} s (wall)"
    elif sig in _SIGNALS or (sig == signal.SIGKILL and reply.get("cpu_s", 0) >= limits.cpu_s):
        status = _SIGNALS.get(sig, "cpu_limit")
        message = "CPU time limit reached" if status == "cpu_limit" else "file size limit reached"
    elif (
        "MemoryError" in stderr
        or (code_error and "MemoryError" in code_error.message)
        or any("MemoryError" in o.message for o in tests + examples)
    ):
        status, message = "memory_limit", f"memory limit ({limits.memory_mb} MiB) reached"
    elif not result:
        status = "crashed"
        how = f"signal {sig}" if sig else f"exit code {reply.get('returncode')}"
        message = f"the program ended without a result ({how})"
    elif code_error is not None:
        status, message = "failed", f"the code failed to run: {code_error.message}"
    else:
        bad = [o for o in examples + tests if o.status in ("fail", "error")]
        status = "failed" if bad else "passed"
        total = len(examples + tests)
        message = (
            f"{len(bad)} of {total} checks failed"
            if bad
            else f"{total} checks passed"
            if total
            else "ran without errors"
        )
    return SandboxResult(
        status=status,
        message=message,
        returncode=reply.get("returncode"),
        signal=sig,
        stdout=reply.get("stdout", ""),
        stderr=stderr,
        wall_s=reply.get("wall_s", 0.0),
        cpu_s=reply.get("cpu_s", 0.0),
        code_error=code_error,
        examples=examples,
        tests=tests,
        containment=reply.get("containment") or {},
        uid=uid,
    )


class Sandbox:
    """Runs programs in jailed children of pre-warmed fork servers (``workers`` at most).

    ``namespaces=False`` skips Linux namespaces (network, mounts) for hosts that forbid
    them; every run then reports the weaker isolation it got (socket guard, temp dir).
    """

    def __init__(
        self, limits: SandboxLimits | None = None, workers: int = 2, namespaces: bool = True
    ) -> None:
        if workers < 1:
            raise SandboxError("workers must be at least 1")
        self.limits = limits or SandboxLimits()
        self.workers = workers
        self.namespaces = namespaces
        self._idle: queue.LifoQueue[_Server] = queue.LifoQueue()
        self._all: list[_Server] = []
        self._lock = threading.Lock()
        self._starting = 0
        self._finalizer = weakref.finalize(self, _close_all, self._all)

    def _acquire(self) -> _Server:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        while True:
            with self._lock:
                start = len(self._all) + self._starting < self.workers
                self._starting += start
            if start:  # started outside the lock: servers start in parallel
                try:
                    server = _Server(self.limits, self.namespaces)
                finally:
                    with self._lock:
                        self._starting -= 1
                with self._lock:
                    self._all.append(server)
                return server
            try:  # wake up now and then: a discarded server frees a slot, not the queue
                return self._idle.get(timeout=0.2)
            except queue.Empty:
                continue

    def _discard(self, server: _Server) -> None:
        with self._lock:
            if server in self._all:
                self._all.remove(server)
        server.close()

    def warm(self) -> None:
        """Start every fork server now (in parallel) rather than on first use."""
        started: list[_Server] = []
        errors: list[SandboxError] = []

        def start() -> None:
            try:
                started.append(self._acquire())
            except SandboxError as exc:
                errors.append(exc)

        threads = [threading.Thread(target=start) for _ in range(self.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for server in started:
            self._idle.put(server)
        if errors:
            raise errors[0]

    def run(self, program: Program, limits: SandboxLimits | None = None) -> SandboxResult:
        """Run ``program`` jailed; candidate failures are in the result, never raised."""
        limits = limits or self.limits
        request = {
            "code": program.code,
            "tests": program.tests,
            "entry_point": program.entry_point,
            "examples": [asdict(e) for e in program.examples],
            "limits": limits.to_dict(),
        }
        server = self._acquire()  # SandboxError when a server cannot start
        try:
            server.send(request)
            reply = server.receive(limits.wall_s + 30.0)
        except (OSError, SandboxError, ValueError) as exc:
            self._discard(server)
            raise SandboxError(f"sandbox run failed: {exc}") from exc
        self._idle.put(server)
        if "server_error" in reply:
            raise SandboxError(f"sandbox server error: {reply['server_error']}")
        return _to_result(reply, limits, server.uid)

    def close(self) -> None:
        """Stop every fork server (idempotent)."""
        with self._lock:
            _close_all(self._all)
        while not self._idle.empty():
            self._idle.get_nowait()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
