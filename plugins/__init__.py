"""Verifiers, the Verdict contract, the plugin registry and the sandbox.

Everything a plugin author needs is importable from here: ``hookimpl``, the specs
(``VerifierSpec``, ``ExpertSpec``, ``JudgeSpec``), the verifier side (``Candidate``,
``Verdict``, ``Finding``, ``VerifierContext``) and the judge side (``Judge``, ``Judgement``,
``LABELS``, ``SearchHit``; loaded on first use, as they pull in the fact-checker).
"""

from typing import Any

from plugins.errors import PluginConfigError, PluginLoadError, PluginsError, SandboxError
from plugins.hookspecs import hookimpl
from plugins.registry import PluginConfig, PluginInfo, PluginRegistry, verify
from plugins.specs import ExpertSpec, JudgeSpec, VerifierContext, VerifierSpec
from plugins.verdict import Candidate, Finding, Verdict
from plugins.verifier import Verifier, run_verifiers

__all__ = [
    "LABELS",
    "Candidate",
    "ExpertSpec",
    "Finding",
    "Judge",
    "JudgeSpec",
    "Judgement",
    "PluginConfig",
    "PluginConfigError",
    "PluginInfo",
    "PluginLoadError",
    "PluginRegistry",
    "PluginsError",
    "SandboxError",
    "SearchHit",
    "Verdict",
    "Verifier",
    "VerifierContext",
    "VerifierSpec",
    "hookimpl",
    "run_verifiers",
    "verify",
]

_LAZY = {
    "Judge": "plugins.factcheck.judge",
    "Judgement": "plugins.factcheck.types",
    "LABELS": "plugins.factcheck.types",
    "SearchHit": "knowledge.types",
}


def __getattr__(name: str) -> Any:
    """The judge-side names, imported on first use (``import plugins`` stays light)."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'plugins' has no attribute {name!r}")
