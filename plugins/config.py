"""Plain config and listing types of the plugin registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from plugins.errors import PluginConfigError
from plugins.sandbox import SandboxLimits

__all__ = ["PluginConfig", "PluginInfo", "config_problems"]


@dataclass(frozen=True, slots=True)
class PluginConfig:
    """Which plugins load and how verifiers run (the front door maps settings onto this).

    ``allow``: names of plugins (all they provide) or of the verifiers, experts and judges
    plugins provide (only those) that may be used; empty: all. ``deny``: plugin names, or
    names of verifiers/experts/judges, to skip. ``order``: verifier names to run first, in
    this order (the rest follow by their spec's ``order``). An ``allow`` or ``order`` entry
    that matches nothing is a configuration error (:meth:`PluginRegistry.check`).
    ``timeout_s``: limit per verifier call. ``labels``: what to call ``allow``/``order`` in
    error messages (the front door passes its setting names).
    """

    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    timeout_s: float = 60.0
    sandbox: SandboxLimits = field(default_factory=SandboxLimits)
    sandbox_workers: int = 2
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    discover: bool = True
    labels: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.timeout_s <= 0:
            raise PluginConfigError("timeout_s must be positive")
        if self.sandbox_workers < 1:
            raise PluginConfigError("sandbox_workers must be at least 1")
        for name in ("allow", "deny", "order"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """One plugin as the registry saw it."""

    name: str
    version: str
    source: str
    status: Literal["loaded", "failed", "disabled"]
    hooks: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "status": self.status,
            "hooks": list(self.hooks),
            "provides": list(self.provides),
            "error": self.error,
        }


def config_problems(config: PluginConfig, known: dict[str, set[str]]) -> list[str]:
    """``allow`` and ``order`` entries that match nothing ``known`` (a typo there fails open:
    fewer checks than meant), each a message; with the names that exist when there are any.

    ``known``: ``plugins``, ``verifiers``, ``experts``, ``judges`` -> names seen. An ``order``
    entry may name a denied verifier.
    """
    everything = {name for names in known.values() for name in names}
    labels = config.labels
    problems = []
    unknown = [n for n in config.allow if n not in everything]
    if unknown:
        problems.append(
            f"{labels.get('allow', 'allow')} names no plugin, verifier, expert or "
            f"judge: {', '.join(map(repr, unknown))}"
        )
    verifiers = known["verifiers"] | set(config.deny)
    unknown = [n for n in config.order if n not in verifiers]
    if unknown:
        problems.append(
            f"{labels.get('order', 'order')} names no verifier: {', '.join(map(repr, unknown))}"
        )
    if problems:
        problems.append(
            "names that exist: "
            + "; ".join(
                f"{kind}: {', '.join(sorted(names)) or '(none)'}" for kind, names in known.items()
            )
        )
    return problems
