"""Typed specs plugins hand to the registry's ``register`` callbacks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from plugins.errors import PluginConfigError

if TYPE_CHECKING:
    from plugins.sandbox import Sandbox
    from plugins.verifier import Verifier

__all__ = [
    "ApiIndex",
    "ExpertSpec",
    "JudgeSpec",
    "VerifierContext",
    "VerifierSpec",
    "check_adapter",
    "check_expert",
    "check_judge",
]

ExpertRole = Literal["author", "reviewer", "tester"]
EXPERT_ROLES: tuple[str, ...] = ("author", "reviewer", "tester")

#: Looks up a dotted API name (``"pkg.mod.obj"``) in ingested API docs: True (documented),
#: False (the module is documented but this name is not), None (nothing known).
ApiIndex = Callable[[str], bool | None]


def _check_name(kind: str, name: str) -> None:
    if (
        not isinstance(name, str)
        or not name.strip()
        or not name.replace("_", "a").replace("-", "a").isalnum()
    ):
        raise PluginConfigError(f"{kind} name must be a non-empty identifier, got {name!r}")


def check_expert(
    name: object,
    role: object,
    description: object,
    system_prompt: object,
    examples: tuple[object, ...],
) -> None:
    """The one rule for an expert, whether a plugin or a TOML file declares it.

    ``name`` is a Python identifier (``sql_reviewer``, not ``sql-reviewer``); ``role`` is one
    of :data:`EXPERT_ROLES`; ``description`` and ``system_prompt`` are non-empty text;
    ``examples`` has at least one non-empty routing example. Raises
    :class:`PluginConfigError` naming the problem.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise PluginConfigError(
            f"expert name {name!r} must be an identifier (letters, digits, "
            "underscores; not starting with a digit)"
        )
    if role not in EXPERT_ROLES:
        raise PluginConfigError(f"expert {name}: role must be one of {EXPERT_ROLES}, not {role!r}")
    for field_name, text in (("description", description), ("system_prompt", system_prompt)):
        if not isinstance(text, str) or not text.strip():
            raise PluginConfigError(f"expert {name}: {field_name} must be non-empty text")
    if not examples or not all(isinstance(e, str) and e.strip() for e in examples):
        raise PluginConfigError(
            f"expert {name}: needs at least one routing example (non-empty strings)"
        )


def check_adapter(name: object, adapter: object, adapter_model: object) -> None:
    """The rule for an expert's LoRA adapter, whether a plugin or a TOML file declares it.

    ``adapter`` is None (the expert runs on the base model) or a local adapter directory or
    hub id: non-empty text without spaces around it or line breaks. ``adapter_model`` (the name
    an OpenAI-compatible server serves the adapter as; default: the expert's name) needs an
    ``adapter`` and is non-empty text without whitespace, not ``__base__``.
    """
    if adapter is not None and (not isinstance(adapter, str) or not adapter.strip()
                                or adapter != adapter.strip() or "\n" in adapter):
        raise PluginConfigError(f"expert {name}: adapter must be a local adapter directory or "
                                f"a hub id (non-empty text), not {adapter!r}")
    if adapter_model is None:
        return
    if adapter is None:
        raise PluginConfigError(f"expert {name}: adapter_model needs an adapter")
    if (not isinstance(adapter_model, str) or not adapter_model
            or any(c.isspace() for c in adapter_model) or adapter_model == "__base__"):
        raise PluginConfigError(f"expert {name}: adapter_model must be a served model name "
                                f"(text without whitespace, not '__base__'), not "
                                f"{adapter_model!r}")


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
    """An expert prompt a plugin contributes to the router (validated by :func:`check_expert`
    and :func:`check_adapter`, the rules the orchestrator's ``Expert`` applies). ``adapter``
    names the expert's LoRA adapter (a local directory or hub id; None: the base model),
    ``adapter_model`` the name an OpenAI-compatible server serves it as."""

    name: str
    role: ExpertRole
    description: str
    system_prompt: str
    examples: tuple[str, ...] = ()
    adapter: str | None = None
    adapter_model: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.examples, str):
            raise PluginConfigError(f"expert {self.name!r}: examples must be a list of strings")
        object.__setattr__(self, "examples", tuple(self.examples))
        check_expert(self.name, self.role, self.description, self.system_prompt, self.examples)
        check_adapter(self.name, self.adapter, self.adapter_model)


@dataclass(frozen=True, slots=True)
class JudgeSpec:
    """A fact-check judge a plugin contributes (see ``register_judges``).

    ``factory()`` builds it, once, when a fact-check first asks for ``name``: an object with
    ``name``, ``judge(claim, evidence) -> Judgement`` and ``judge_many(claims, evidence) ->
    list[Judgement]`` (:class:`plugins.factcheck.Judge`).
    """

    name: str
    factory: Callable[[], Any]
    description: str = ""

    def __post_init__(self) -> None:
        _check_name("judge", self.name)
        if not callable(self.factory):
            raise PluginConfigError(f"judge {self.name!r}: factory is not callable")


def check_judge(judge: Any) -> Any:
    """Return ``judge`` when it has what a fact-check judge needs (a str ``name``, callable
    ``judge`` and ``judge_many``); raise :class:`PluginConfigError` saying what it is if not."""
    missing = [attr for attr in ("judge", "judge_many") if not callable(getattr(judge, attr, None))]
    if missing or not isinstance(getattr(judge, "name", None), str):
        raise PluginConfigError(
            f"factory returned {type(judge).__name__}, not a judge (needs a "
            "str 'name' and callable 'judge' and 'judge_many')"
        )
    return judge
