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
    ``name`` must be a Python identifier, ``description`` and ``system_prompt`` non-empty and
    ``examples`` at least one string (:func:`~plugins.specs.check_expert`, the rule the
    orchestrator applies too); a spec that breaks it fails its plugin, never a job.
    """


@hookspec
def register_judges(register: Callable[[JudgeSpec], None]) -> None:
    """Contribute fact-check judges: given a claim and retrieved evidence passages, a judge
    decides SUPPORTED, REFUTED or NOT_ENOUGH_INFO.

    Call ``register(JudgeSpec(name, factory, description))``. ``factory()`` (no arguments;
    called once, when a fact-check first asks for the judge by name: ``--judge NAME``,
    ``"judge"`` in ``POST /v1/factcheck`` or ``FACTFORGE_FACTCHECK_JUDGE``) must return an
    object with a ``name`` (str), ``judge(claim: str, evidence: Sequence[SearchHit]) ->
    Judgement`` and ``judge_many(claims: Sequence[str], evidence: Sequence[Sequence[SearchHit]])
    -> list[Judgement]`` (one per claim; batch model calls there). No evidence is
    ``NOT_ENOUGH_INFO``; a judge must not raise for odd input. A factory that raises, or
    returns something without these, is listed as failed with its reason and that judge's
    requests fail; everything else goes on. Names are unique and may not shadow the built-in
    judges (``builtin``, ``cross``, ``nli``, ``llm``).
    """
