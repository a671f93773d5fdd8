"""A jail for running candidate code: fork-server pool, rlimits, namespaces, no privileges."""

from plugins.sandbox.limits import Outcome, SandboxLimits, SandboxResult
from plugins.sandbox.pool import Sandbox
from plugins.sandbox.program import Example, Program, extract_examples

__all__ = [
    "Example",
    "Outcome",
    "Program",
    "Sandbox",
    "SandboxLimits",
    "SandboxResult",
    "extract_examples",
]
