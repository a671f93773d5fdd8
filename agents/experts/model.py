"""The Expert type: one specialised prompt of the model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from agents.errors import ExpertError
from plugins.errors import PluginConfigError
from plugins.specs import EXPERT_ROLES, check_expert

ExpertRole = Literal["author", "reviewer", "tester"]
ROLES: tuple[str, ...] = EXPERT_ROLES


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
        try:
            check_expert(self.name, self.role, self.description, self.system_prompt,
                         self.examples)
        except PluginConfigError as exc:
            raise ExpertError(str(exc)) from exc
