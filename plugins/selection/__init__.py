"""Best-of-n selection: rank candidate programs by execution evidence and choose one.

Evidence: docstring examples passed, model-written tests (CodeT dual agreement), agreement of
outputs between candidates (MBR-exec), and whether the code runs at all. Never hidden tests.
"""

from plugins.selection._execute import Limits
from plugins.selection._jsonl import select_jsonl
from plugins.selection._rank import CandidateEvidence
from plugins.selection._select import (
    SelectionOptions,
    SelectionResult,
    SelectionTask,
    completion_mode,
    select,
    select_many,
)
from plugins.selection._verdict import selection_verdict
from plugins.selection.errors import SelectionError, SelectionInputError

__all__ = [
    "CandidateEvidence",
    "Limits",
    "SelectionError",
    "SelectionInputError",
    "SelectionOptions",
    "SelectionResult",
    "SelectionTask",
    "completion_mode",
    "select",
    "select_jsonl",
    "select_many",
    "selection_verdict",
]
