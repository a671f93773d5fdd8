"""Verifiers, the Verdict contract, the plugin registry and the sandbox."""

from plugins.errors import PluginConfigError, PluginLoadError, PluginsError, SandboxError
from plugins.hookspecs import hookimpl
from plugins.registry import PluginConfig, PluginInfo, PluginRegistry, verify
from plugins.specs import ExpertSpec, JudgeSpec, VerifierContext, VerifierSpec
from plugins.verdict import Candidate, Finding, Verdict
from plugins.verifier import Verifier, run_verifiers

__all__ = [
    "Candidate",
    "ExpertSpec",
    "Finding",
    "JudgeSpec",
    "PluginConfig",
    "PluginConfigError",
    "PluginInfo",
    "PluginLoadError",
    "PluginRegistry",
    "PluginsError",
    "SandboxError",
    "Verdict",
    "Verifier",
    "VerifierContext",
    "VerifierSpec",
    "hookimpl",
    "run_verifiers",
    "verify",
]
