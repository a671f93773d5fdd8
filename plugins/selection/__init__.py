"""Best-of-n selection: rank candidate programs by execution evidence and choose one.

Evidence: docstring examples passed, model-written tests (CodeT dual agreement), agreement of
outputs between candidates (MBR-exec), how often the same code was sampled, and whether the
code runs at all. Never hidden tests. By default a small learned linear ranker
(``ranker_weights.json``) combines the evidence; ``SelectionOptions(ranker="rules")`` keeps the
parameter-free lexicographic order.

Candidate code runs inside the sandbox's jail (:class:`plugins.sandbox.Sandbox`) unless
``SelectionOptions(executor="subprocess")`` opts out of it.
"""

from plugins.selection._execute import Limits
from plugins.selection._features import FEATURES
from plugins.selection._jsonl import select_jsonl
from plugins.selection._learned import RankerWeights, load_weights, parse_weights
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
from plugins.selection.errors import (
    SelectionConfigError,
    SelectionError,
    SelectionExecutionError,
    SelectionInputError,
)

__all__ = [
    "FEATURES",
    "CandidateEvidence",
    "Limits",
    "RankerWeights",
    "SelectionConfigError",
    "SelectionError",
    "SelectionExecutionError",
    "SelectionInputError",
    "SelectionOptions",
    "SelectionResult",
    "SelectionTask",
    "completion_mode",
    "load_weights",
    "parse_weights",
    "select",
    "select_jsonl",
    "select_many",
    "selection_verdict",
]
