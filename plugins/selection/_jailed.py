"""Run the selection child inside the sandbox's jail (the default executor).

The jail (:class:`plugins.sandbox.Sandbox`: unprivileged uid when root, empty network
namespace, private /tmp, rlimits, process-group kill) runs a small trusted bootstrap as its
program. The bootstrap puts the child's JSON payload on fd 0 (an anonymous memory file) and
execs ``python -s -P -c <_child.py source>`` with ``PYTHONHASHSEED=0``: the very child,
payload and hash seed of the subprocess executor, so results (and the cache) are identical.
A fresh interpreter, rather than the fork server's warm one, is what keeps the hash seed: a
fork server's children share its random seed, which changes set iteration order.

The child writes its result lines to its stdout, which the sandbox captures; candidate code
never runs before the jail is complete (the bootstrap runs nothing of it).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

from plugins.errors import SandboxError
from plugins.sandbox import Program, Sandbox, SandboxLimits
from plugins.selection._execute import (
    CHILD_FLAGS,
    CHILD_SOURCE,
    Job,
    Limits,
    Runner,
    RunResult,
    budget_s,
    child_payload,
    parse_output,
    run_job,
    syntax_error,
)
from plugins.selection.errors import SelectionConfigError, SelectionExecutionError

__all__ = ["executor_runner", "jail_limits", "jail_runner", "run_job_jailed"]

log = logging.getLogger(__name__)

_BOOTSTRAP = """\
import os, sys
payload = {payload!r}.encode("utf-8")
fd = os.memfd_create("selection-payload")
view = memoryview(payload)
while view:
    view = view[os.write(fd, view):]
os.lseek(fd, 0, os.SEEK_SET)
os.dup2(fd, 0)
os.close(fd)
env = dict(os.environ, PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
os.execve(sys.executable, [sys.executable, *{flags!r}, "-c", {child!r}], env)
"""


def jail_limits(job: Job, limits: Limits, base: SandboxLimits) -> SandboxLimits:
    """The jail's limits for one job: the subprocess executor's wall budget, CPU and memory;
    room for every check's result line on stdout; the rest (uids, nproc, files) from
    ``base`` (the sandbox's own limits)."""
    budget = budget_s(job, limits)
    return dataclasses.replace(
        base,
        wall_s=budget,
        cpu_s=math.ceil(budget + 1.0),
        memory_mb=limits.memory_mb,
        output_kb=2 * len(job.checks) + 16,
    )


def run_job_jailed(job: Job, limits: Limits, box: Sandbox) -> RunResult:
    """Run one candidate with all its checks in the jail; never raises for bad code.

    Raises :class:`SelectionExecutionError` when the jail itself cannot run the child.
    """
    start = time.monotonic()
    if (bad := syntax_error(job)) is not None:
        return bad
    program = Program(
        _BOOTSTRAP.format(
            payload=json.dumps(child_payload(job, limits)), child=CHILD_SOURCE, flags=CHILD_FLAGS
        )
    )
    try:
        result = box.run(program, jail_limits(job, limits, box.limits))
    except SandboxError as exc:
        raise SelectionExecutionError(f"the sandbox could not run a candidate: {exc}") from exc
    if result.code_error is not None:  # only the bootstrap reports here: execve returns never
        raise SelectionExecutionError(
            f"the sandbox could not start the selection child: {result.code_error.message}"
        )
    parsed = parse_output(result.stdout, len(job.checks), result.status == "timeout")
    return RunResult(parsed.load, parsed.error, parsed.outcomes, time.monotonic() - start)


def jail_runner(box: Sandbox) -> Runner:
    """A ``run_jobs`` runner that runs every job in ``box``."""
    return lambda job, limits: run_job_jailed(job, limits, box)


@contextmanager
def executor_runner(executor: str, workers: int, sandbox: Sandbox | None) -> Iterator[Runner]:
    """How each candidate runs: in ``sandbox``, in a sandbox of ``workers`` servers of our
    own (closed afterwards), or, only when ``executor == "subprocess"``, in a bare child."""
    if executor == "subprocess":
        if sandbox is not None:
            raise SelectionConfigError("executor 'subprocess' cannot use the given sandbox")
        log.warning(
            "selection runs candidate code WITHOUT the sandbox's jail (executor='subprocess'): "
            "it can write files and use the network with this process's privileges"
        )
        yield run_job
    elif executor != "jail":
        raise SelectionConfigError(
            f"unknown executor {executor!r}: expected 'jail' or 'subprocess'"
        )
    elif sandbox is not None:
        yield jail_runner(sandbox)
    else:
        with Sandbox(SandboxLimits(), workers=workers) as own:
            yield jail_runner(own)
