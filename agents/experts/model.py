"""The Expert type: one specialised prompt of the model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from agents.errors import ExpertError
from agents.llm.base import Adapter
from plugins.errors import PluginConfigError
from plugins.specs import EXPERT_ROLES, check_adapter, check_expert

ExpertRole = Literal["author", "reviewer", "tester"]
ROLES: tuple[str, ...] = EXPERT_ROLES


@dataclass(frozen=True, slots=True)
class Expert:
    """An expert-specialised prompt.

    ``role`` decides where it acts in the graph: an ``author`` writes the solution, a
    ``reviewer`` reviews it (answers ``LGTM`` or a corrected code block), a ``tester`` writes
    assert-style tests that the verifiers run. ``examples`` are routing examples: task
    descriptions this expert is good at; the router embeds them. ``adapter`` is the expert's
    LoRA adapter over the base model (a local directory or hub id; None runs the base model),
    ``adapter_model`` the name an OpenAI-compatible server serves it as (default: ``name``).
    """

    name: str
    role: ExpertRole
    description: str
    examples: tuple[str, ...]
    system_prompt: str
    source: str = "builtin"
    adapter: str | None = None
    adapter_model: str | None = None

    def __post_init__(self) -> None:
        try:
            check_expert(self.name, self.role, self.description, self.system_prompt,
                         self.examples)
            check_adapter(self.name, self.adapter, self.adapter_model)
        except PluginConfigError as exc:
            raise ExpertError(str(exc)) from exc

    @property
    def adapter_ref(self) -> Adapter | None:
        """What a generation request of this expert carries (None: the base model)."""
        if self.adapter is None:
            return None
        return Adapter(name=self.adapter_model or self.name, source=self.adapter)
