"""The Expert type: one specialised prompt of the model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from agents.errors import ExpertError

ExpertRole = Literal["author", "reviewer", "tester"]
ROLES: tuple[str, ...] = ("author", "reviewer", "tester")


@dataclass(frozen=True, slots=True)
class Expert:
    """An expert-specialised prompt.

    ``role`` decides where it acts in the graph: an ``author`` writes the solution, a
    ``reviewer`` reviews it (answers ``LGTM`` or a corrected code block), a ``tester`` writes
    assert-style tests that the verifiers run. ``examples`` are routing examples: task
    descriptions this expert is good at; the router embeds them.
    """

    name: str
    role: ExpertRole
    description: str
    examples: tuple[str, ...]
    system_prompt: str
    source: str = "builtin"

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ExpertError(f"expert name {self.name!r} must be an identifier")
        if self.role not in ROLES:
            raise ExpertError(f"expert {self.name}: role must be one of {ROLES}, not {self.role!r}")
        if not self.examples:
            raise ExpertError(f"expert {self.name}: needs at least one routing example")
        if not self.system_prompt.strip():
            raise ExpertError(f"expert {self.name}: system_prompt is empty")
