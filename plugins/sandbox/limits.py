"""Sandbox limits and the result of one sandboxed run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from plugins.errors import PluginConfigError

__all__ = ["Outcome", "SandboxLimits", "SandboxResult"]

RunStatus = Literal[
    "passed", "failed", "timeout", "cpu_limit", "memory_limit", "output_limit", "crashed"
]


@dataclass(frozen=True, slots=True)
class SandboxLimits:
    """Resource limits of one run.

    ``wall_s``: wall-clock limit (the process group is killed after it). ``cpu_s``: CPU
    seconds (RLIMIT_CPU). ``memory_mb``: address space (RLIMIT_AS). ``nproc``: processes and
    threads of the run's uid (RLIMIT_NPROC). ``fsize_mb``: largest file written
    (RLIMIT_FSIZE). ``tmpfs_mb``: size of the private /tmp when the host allows mounts.
    ``output_kb``: stdout/stderr kept per stream. ``uid_base``/``uid_span``: uids the jail
    drops to when running as root (one per concurrent run, so limits and kills are per run).
    """

    wall_s: float = 10.0
    cpu_s: int = 10
    memory_mb: int = 1024
    nproc: int = 64
    fsize_mb: int = 16
    nofile: int = 256
    tmpfs_mb: int = 64
    output_kb: int = 64
    uid_base: int = 64000
    uid_span: int = 64

    def __post_init__(self) -> None:
        for name in (
            "wall_s",
            "cpu_s",
            "memory_mb",
            "nproc",
            "fsize_mb",
            "nofile",
            "tmpfs_mb",
            "output_kb",
            "uid_span",
        ):
            if getattr(self, name) <= 0:
                raise PluginConfigError(f"sandbox limit {name} must be positive")
        if not 1000 <= self.uid_base <= 2**31 - self.uid_span:
            raise PluginConfigError("sandbox uid_base must be an unprivileged uid (>= 1000)")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One test, check or docstring example: ``status`` is pass, fail, error or skipped."""

    name: str
    status: str
    message: str = ""
    line: int | None = None
    expected: str | None = None


@dataclass(frozen=True, slots=True)
class SandboxResult:
    """What one sandboxed run did. ``passed`` is True only when everything passed."""

    status: RunStatus
    message: str
    returncode: int | None = None
    signal: int | None = None
    stdout: str = ""
    stderr: str = ""
    wall_s: float = 0.0
    cpu_s: float = 0.0
    code_error: Outcome | None = None
    examples: tuple[Outcome, ...] = ()
    tests: tuple[Outcome, ...] = ()
    containment: dict[str, str] = field(default_factory=dict)
    uid: int | None = None  # the unprivileged uid reserved for the run's server (root only)

    @property
    def passed(self) -> bool:
        return self.status == "passed"
