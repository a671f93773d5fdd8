"""Batched execution of candidates: one child interpreter per candidate, a bounded pool of them.

Every candidate runs in its own ``python -I`` child (``_child.py``) with all of its checks, a
per-check interval timer, rlimits (address space, CPU, file size), stdout/stderr sent to
/dev/null, and destructive os/shutil/subprocess functions disabled. The parent kills the child's
whole process group at a wall-clock deadline, whatever the child does. By default that child
runs inside the sandbox's jail (``_jailed.py``); :func:`run_job` here starts it as a bare
subprocess (explicit opt-in only). Results may be cached on disk, keyed by everything that
determines them (not by the runner: both give the same results).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

_CHILD = Path(__file__).with_name("_child.py")
_CHILD_DIGEST = hashlib.sha256(_CHILD.read_bytes()).hexdigest()
CHILD_SOURCE = _CHILD.read_text(encoding="utf-8")
# Not ``-I``: it implies ``-E``, which ignores PYTHONHASHSEED, so each child hashed str with a
# random seed and set iteration order (hence outputs such as ``list(set(words))``) varied from
# run to run. ``-s -P`` is the rest of ``-I``; the environment is built whole (``_env``, or
# the jail's), so there is nothing for ``-E`` to ignore.
CHILD_FLAGS = ("-s", "-P")
_ENV_KEYS = ("PATH", "LANG", "LC_ALL")


@dataclass(frozen=True, slots=True)
class Check:
    """One thing to run against a candidate.

    ``expr`` is evaluated and its (canonical) output recorded; ``expect`` (an expression) or
    ``expect_text`` (doctest output) make it a pass/fail check. ``stmt`` (with ``expr`` None)
    is executed: it passes when it raises nothing.
    """

    expr: str | None
    expect: str | None = None
    expect_text: str | None = None
    stmt: str | None = None


@dataclass(frozen=True, slots=True)
class Limits:
    check_timeout_s: float = 1.0
    total_timeout_s: float = 20.0
    memory_mb: int = 1024
    max_timeouts: int = 3


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    status: str  # ok | error | timeout | skipped
    out: str | None
    passed: bool | None


@dataclass(frozen=True, slots=True)
class RunResult:
    load: str  # ok | error | timeout | syntax | killed
    error: str | None
    outcomes: tuple[CheckOutcome, ...] = field(default_factory=tuple)
    wall_s: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RunResult:
        outcomes = tuple(CheckOutcome(**o) for o in data["outcomes"])
        return cls(data["load"], data["error"], outcomes, data["wall_s"])


@dataclass(frozen=True, slots=True)
class Job:
    code: str
    checks: tuple[Check, ...]
    prelude: str = ""


def _env() -> dict[str, str]:
    env = {k: os.environ[k] for k in _ENV_KEYS if k in os.environ}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONHASHSEED"] = "0"
    return env


def parse_output(stdout: str, n_checks: int, killed: bool) -> RunResult:
    lines = stdout.splitlines()
    try:
        head = json.loads(lines[0]) if lines else None
    except json.JSONDecodeError:
        head = None
    if not isinstance(head, dict) or "load" not in head:
        return RunResult("killed" if killed else "error", "child reported nothing")
    outcomes: list[CheckOutcome] = []
    for line in lines[1 : n_checks + 1]:
        try:
            row = json.loads(line)
            outcomes.append(CheckOutcome(str(row["status"]), row.get("out"), row.get("pass")))
        except (json.JSONDecodeError, KeyError, TypeError):
            break
    missing = n_checks - len(outcomes) if head["load"] == "ok" else 0
    outcomes.extend(
        CheckOutcome("timeout" if killed else "error", None, None) for _ in range(missing)
    )
    return RunResult(str(head["load"]), head.get("error"), tuple(outcomes))


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.kill()


def budget_s(job: Job, limits: Limits) -> float:
    """The wall-clock budget of one candidate with all its checks."""
    return min(limits.total_timeout_s, limits.check_timeout_s * (2 * len(job.checks) + 3)) + 1.0


def child_payload(job: Job, limits: Limits) -> dict:
    """What the child (``_child.py``) reads on its stdin."""
    return {
        "code": job.code,
        "prelude": job.prelude,
        "checks": [asdict(c) for c in job.checks],
        "check_timeout_s": limits.check_timeout_s,
        "max_timeouts": limits.max_timeouts,
        "memory_mb": limits.memory_mb,
        "cpu_s": budget_s(job, limits) + 1.0,
    }


def syntax_error(job: Job) -> RunResult | None:
    """The result of a candidate that does not compile (it is then never run), else None."""
    try:
        compile(job.code, "<candidate>", "exec")
    except (SyntaxError, ValueError) as exc:
        return RunResult("syntax", f"{type(exc).__name__}: {exc}")
    return None


def run_job(job: Job, limits: Limits) -> RunResult:
    """Run one candidate with all its checks in a fresh child; never raises for bad code.

    NOT jailed (the child's own guards only): :func:`plugins.selection._jailed.jail_runner`
    is the default; this is the explicit ``executor="subprocess"`` fallback.
    """
    start = time.monotonic()
    if (bad := syntax_error(job)) is not None:
        return bad
    budget = budget_s(job, limits)
    payload = child_payload(job, limits)
    killed = False
    with tempfile.TemporaryDirectory(prefix="ff-select-") as tmp:
        proc = subprocess.Popen(
            [sys.executable, *CHILD_FLAGS, str(_CHILD)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=tmp,
            env=_env(),
            start_new_session=True,
            text=True,
        )
        try:
            stdout, _ = proc.communicate(json.dumps(payload), timeout=budget)
        except subprocess.TimeoutExpired:
            killed = True
            _kill_group(proc)
            stdout, _ = proc.communicate()
        finally:
            if proc.poll() is None:
                _kill_group(proc)
                proc.wait()
            else:
                # the child may have left grandchildren behind in its session
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
    result = parse_output(stdout or "", len(job.checks), killed)
    return RunResult(result.load, result.error, result.outcomes, time.monotonic() - start)


def _cache_key(job: Job, limits: Limits) -> str:
    blob = json.dumps(
        [
            job.code,
            job.prelude,
            [asdict(c) for c in job.checks],
            asdict(limits),
            _CHILD_DIGEST,
        ],
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


Runner = Callable[[Job, Limits], RunResult]


def _cached_run(job: Job, limits: Limits, cache_dir: Path | None, runner: Runner) -> RunResult:
    if cache_dir is None:
        return runner(job, limits)
    path = cache_dir / f"{_cache_key(job, limits)}.json"
    if path.exists():
        try:
            return RunResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (json.JSONDecodeError, KeyError, TypeError):
            log.warning("ignoring unreadable cache entry %s", path)
    result = runner(job, limits)
    tmp = path.with_suffix(f".{os.getpid()}.{id(job)}.tmp")
    tmp.write_text(json.dumps(result.to_dict()), encoding="utf-8")
    os.replace(tmp, path)
    return result


def run_jobs(
    jobs: Sequence[Job],
    limits: Limits,
    workers: int = 2,
    cache_dir: Path | None = None,
    runner: Runner = run_job,
) -> list[RunResult]:
    """Run many candidates (of any number of tasks) with at most ``workers`` live children.

    Identical jobs (same program and checks, e.g. duplicate samples) run once. ``runner``
    runs one job (:func:`run_job` or a jail runner); the cache does not depend on it, since
    every runner gives the same results.
    """
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
    unique: dict[Job, int] = {}
    for job in jobs:
        unique.setdefault(job, len(unique))
    todo = list(unique)
    if workers <= 1 or len(todo) <= 1:
        done = [_cached_run(job, limits, cache_dir, runner) for job in todo]
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ff-select") as pool:
            done = list(pool.map(lambda job: _cached_run(job, limits, cache_dir, runner), todo))
    return [done[unique[job]] for job in jobs]
