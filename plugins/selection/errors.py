"""Errors of best-of-n selection; part of the ``plugins`` error hierarchy."""

from __future__ import annotations

from plugins.errors import PluginsError


class SelectionError(PluginsError):
    """Base class of selection errors."""

    code = "selection_error"


class SelectionInputError(SelectionError):
    """Bad input to selection: no candidates, a missing file, a malformed line, an unknown task."""

    code = "selection_bad_input"


class SelectionConfigError(SelectionError):
    """A selection setting is invalid: an unknown ranker, a missing or malformed weights file."""

    code = "selection_bad_config"


class SelectionExecutionError(SelectionError):
    """Candidates could not be executed at all: the jail did not start or failed (try
    ``executor="subprocess"`` on hosts where the sandbox cannot run)."""

    code = "selection_execution_failed"
