"""Best-of-n selection inside a job: verdicts first, then execution evidence and agreement."""

from __future__ import annotations

import ast
import logging
from collections.abc import Callable, Sequence

from agents.job import Selector
from agents.parsing import parses
from plugins import Candidate, PluginsError, Verdict
from plugins.sandbox import Sandbox
from plugins.selection import SelectionOptions, SelectionTask, select

log = logging.getLogger(__name__)


def entry_point(prompt: str, candidates: Sequence[Candidate]) -> str | None:
    """The function to exercise: the prompt's last ``def`` when it is code, else the first
    top-level function of the first candidate that defines one."""
    if parses(prompt) and (names := _function_names(prompt)):
        return names[-1]
    for candidate in candidates:
        if names := _function_names(candidate.code):
            return names[0]
    return None


def _function_names(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def evidence_selector(
    options: SelectionOptions | None = None,
    sandbox: Sandbox | Callable[[], Sandbox | None] | None = None,
) -> Selector:
    """Rank by blocking verdicts (the jailed tests and examples), then by
    :func:`plugins.selection.select` — docstring examples, CodeT dual agreement on the
    test writer's asserts, and output agreement between candidates — then by index.

    Candidates run in ``sandbox`` (the job's own jail, shared with the tests verifier), or in
    the one it returns when it is a function (e.g. a plugin registry's current sandbox, which
    the registry replaces after a close); None: each selection starts and closes its own."""

    def choose(candidates: Sequence[Candidate], verdicts: Sequence[Sequence[Verdict]]) -> int:
        blocking = [sum(v.blocking for v in vs) for vs in verdicts]
        first = candidates[0]
        name = entry_point(first.prompt, candidates)
        scores = [0.0] * len(candidates)
        if name is not None:
            prompt = first.prompt if parses(first.prompt) else ""
            task = SelectionTask("job", prompt, name)
            tests = [first.tests] if first.tests.strip() else None
            try:
                box = sandbox() if callable(sandbox) else sandbox
                result = select(task, [c.code for c in candidates], tests, options, box)
                scores = list(result.scores)
            except PluginsError as exc:
                log.warning("selection evidence unavailable: %s", exc)
        return min(range(len(candidates)), key=lambda i: (blocking[i], -scores[i], i))

    return choose
