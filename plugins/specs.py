"""Typed specs plugins hand to the registry's ``register`` callbacks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from plugins.errors import PluginConfigError

if TYPE_CHECKING:
    from plugins.sandbox import Sandbox
    from plugins.verifier import Verifier

__all__ = ["ApiIndex", "ExpertSpec", "JudgeSpec", "VerifierContext", "VerifierSpec"]

ExpertRole = Literal["author", "reviewer", "tester"]
EXPERT_ROLES: tuple[str, ...] = ("author", "reviewer", "tester")

#: Looks up a dotted API name (``"pkg.mod.obj"``) in ingested API docs: True (documented),
#: False (the module is documented but this name is not), None (nothing known).
ApiIndex = Callable[[str], bool | None]


def _check_name(kind: str, name: str) -> None:
    if not isinstance(name, str) or not name.strip() or not name.replace("_", "a").replace(
        "-", "a"
    ).isalnum():
        raise PluginConfigError(f"{kind} name must be a non-empty identifier, got {name!r}")


@dataclass(frozen=True, slots=True)
class VerifierContext:
    """What a verifier factory may use: shared sandbox, API index, per-plugin options."""

    sandbox: Sandbox | None = None
    api_index: ApiIndex | None = None
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def options_for(self, name: str) -> Mapping[str, Any]:
        return self.options.get(name, {})


@dataclass(frozen=True, slots=True)
class VerifierSpec:
    """A verifier a plugin contributes.

    ``factory(context)`` builds the verifier (called once, lazily); ``order`` sorts verifiers
    (lower runs first) unless the registry's config gives an explicit order.
    """

    name: str
    factory: Callable[[VerifierContext], Verifier]
    description: str = ""
    order: int = 100

    def __post_init__(self) -> None:
        _check_name("verifier", self.name)
        if not callable(self.factory):
            raise PluginConfigError(f"verifier {self.name!r}: factory is not callable")


@dataclass(frozen=True, slots=True)
class ExpertSpec:
    """An expert prompt a plugin contributes to the router."""

    name: str
    role: ExpertRole
    description: str
    system_prompt: str
    examples: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_name("expert", self.name)
        if self.role not in EXPERT_ROLES:
            raise PluginConfigError(f"expert {self.name!r}: role must be one of {EXPERT_ROLES}")
        if not self.description.strip() or not self.system_prompt.strip():
            raise PluginConfigError(f"expert {self.name!r}: description and prompt are required")
        object.__setattr__(self, "examples", tuple(self.examples))


@dataclass(frozen=True, slots=True)
class JudgeSpec:
    """A judge (scores or ranks candidates) a plugin contributes; ``factory()`` builds it."""

    name: str
    factory: Callable[[], Any]
    description: str = ""

    def __post_init__(self) -> None:
        _check_name("judge", self.name)
        if not callable(self.factory):
            raise PluginConfigError(f"judge {self.name!r}: factory is not callable")
