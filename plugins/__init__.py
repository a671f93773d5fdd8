"""Verifiers and the Verdict contract; the plugin registry lives here."""

from plugins.errors import PluginLoadError, PluginsError
from plugins.verdict import Candidate, Finding, Verdict
from plugins.verifier import Verifier, run_verifiers

__all__ = [
    "Candidate",
    "Finding",
    "PluginLoadError",
    "PluginsError",
    "Verdict",
    "Verifier",
    "run_verifiers",
]
