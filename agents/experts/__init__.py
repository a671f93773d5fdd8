"""Declarative experts: one TOML file each (name, role, description, examples, prompt)."""

from agents.experts.loader import BUILTIN_DIR, expert_from_toml, load_experts
from agents.experts.model import Expert, ExpertRole

__all__ = ["BUILTIN_DIR", "Expert", "ExpertRole", "expert_from_toml", "load_experts"]
