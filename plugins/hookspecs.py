"""Every hook a FactForge plugin may implement, in one place (pluggy project ``factforge``).

A plugin is a module (or object) exposed under the entry-point group ``factforge.plugins``
whose functions are decorated with :data:`hookimpl`. Each hook receives a ``register``
callback and hands it typed specs; it returns nothing. Built-in plugins use the same path.
"""

from __future__ import annotations

from collections.abc import Callable

import pluggy

from plugins.specs import ExpertSpec, JudgeSpec, VerifierSpec

__all__ = ["PROJECT", "hookimpl", "hookspec"]

PROJECT = "factforge"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_verifiers(register: Callable[[VerifierSpec], None]) -> None:
    """Contribute verifiers.

    Call ``register(VerifierSpec(name, factory, description, order))`` once per verifier.
    ``factory(context: VerifierContext)`` must return an object with a ``name`` attribute and
    ``verify(candidate: Candidate) -> Verdict`` (plain or ``async def``). The verifier must
    return exactly one :class:`~plugins.verdict.Verdict` whose ``plugin`` is its name and must
    not raise for a bad candidate (that is a ``fail`` verdict). Exceptions and calls running
    past the configured time limit become ``error`` verdicts; the job goes on. Names are
    unique across plugins: a second registration of a name is reported as a plugin error.
    """


@hookspec
def register_experts(register: Callable[[ExpertSpec], None]) -> None:
    """Contribute expert prompts for the router.

    Call ``register(ExpertSpec(name, role, description, system_prompt, examples))`` per expert.
    ``role`` is ``author`` (drafts code), ``reviewer`` (critiques) or ``tester`` (writes
    tests); ``description`` and ``examples`` are embedded to route prompts to the expert.
    """


@hookspec
def register_judges(register: Callable[[JudgeSpec], None]) -> None:
    """Contribute judges that score or rank candidate answers for best-of-n selection.

    Call ``register(JudgeSpec(name, factory, description))``; ``factory()`` builds the judge
    lazily, when selection first asks for it.
    """
