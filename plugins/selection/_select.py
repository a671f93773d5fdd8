"""Best-of-n selection by execution evidence: the public single-task and many-task functions."""

from __future__ import annotations

import ast
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from plugins.sandbox import Sandbox
from plugins.selection._examples import parse_examples
from plugins.selection._execute import Check, Job, Limits, RunResult, run_jobs
from plugins.selection._features import candidate_features
from plugins.selection._inputs import probe_inputs, signature_seeds
from plugins.selection._jailed import executor_runner
from plugins.selection._learned import RankerWeights, learned_order, load_weights
from plugins.selection._rank import CandidateEvidence, Layout, rank
from plugins.selection._tests import checks_from_asserts, derived_inputs, extract_asserts
from plugins.selection.errors import SelectionConfigError, SelectionInputError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SelectionTask:
    task_id: str
    prompt: str
    entry_point: str


@dataclass(frozen=True, slots=True)
class SelectionOptions:
    """How selection runs. ``tests_per_text``: asserts kept per model-written test text
    (CodeT keeps 5); ``derived_inputs``: extra inputs made by changing one argument of an
    example call (outputs compared, no expectation); ``probe_inputs``: more such inputs,
    type-aware mutations of the examples (or, without examples, calls built from the
    parameters' annotations), run in a second child per candidate so that a candidate which
    hangs on them keeps its example and test evidence. Off by default: on HumanEval/CodeGen-16B
    they helped on tasks 0-81 (0.744 -> 0.780 without tests) but not on tasks 82-163
    (bench/select_humaneval.py --probe-inputs 40).

    ``ranker``: ``"learned"`` (default) orders candidates by a linear score over evidence
    features (``plugins/selection/_features.py``) with the weights in ``weights`` (None: the
    shipped ``ranker_weights.json``, trained by ``bench/train_selection_ranker.py``);
    ``"rules"`` keeps the parameter-free lexicographic order of ``_rank.py``.

    ``executor``: ``"jail"`` (default) runs every candidate inside a
    :class:`plugins.sandbox.Sandbox` (unprivileged uid, no network, private /tmp);
    ``"subprocess"`` runs it in a bare child with best-effort guards only, for hosts where
    the jail cannot start (a warning is logged). Both give the same results."""

    limits: Limits = field(default_factory=Limits)
    workers: int = 2
    cache_dir: Path | None = None
    tests_per_text: int | None = 5
    derived_inputs: int = 30
    probe_inputs: int = 0
    ranker: str = "learned"
    weights: Path | None = None
    executor: str = "jail"


@dataclass(frozen=True, slots=True)
class SelectionResult:
    """``index`` of the chosen candidate; ``scores[i]`` in 0..1 is candidate i's place in the
    ranking (1.0 for the chosen one, 0.0 for the last); ``evidence[i]`` is why, and
    ``features[i]`` the ranker's inputs (``plugins.selection.FEATURES`` order; not in
    :meth:`to_dict`)."""

    task_id: str
    index: int
    scores: tuple[float, ...]
    evidence: tuple[CandidateEvidence, ...]
    n_examples: int
    n_tests: int | None
    features: tuple[tuple[float, ...], ...] = field(default=(), repr=False, compare=False)

    def to_dict(self) -> dict:
        data = asdict(self)
        del data["features"]
        return data


def completion_mode(task: SelectionTask, candidate: str) -> bool:
    """True when ``candidate`` continues the prompt; False when it is a full program that
    defines ``entry_point`` at top level (or repeats the prompt)."""
    if candidate.lstrip().startswith(task.prompt.strip()[:200]) and task.prompt.strip():
        return False
    try:
        tree = ast.parse(candidate)
    except (SyntaxError, ValueError):
        return True
    return not any(
        isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == task.entry_point
        for n in tree.body
    )


def _program(task: SelectionTask, candidate: str, mode: bool) -> tuple[str, str]:
    """(code, prelude) for the child: the prompt runs first (its imports and helpers)."""
    if mode:
        return task.prompt + candidate, ""
    return candidate, task.prompt


@dataclass(frozen=True, slots=True)
class _Plan:
    checks: tuple[Check, ...]
    probes: tuple[Check, ...]
    layout: Layout
    n_examples: int
    n_tests: int | None


def _probes(task: SelectionTask, examples: list[str], known: set[str], limit: int) -> list[Check]:
    if limit <= 0:
        return []
    seeds = examples or signature_seeds(task.prompt, task.entry_point)
    calls = [] if examples else [c for c in seeds if c not in known][:limit]
    calls += probe_inputs(seeds, task.entry_point, known | set(calls), limit - len(calls))
    return [Check(c) for c in calls]


def _plan(task: SelectionTask, tests: Sequence[str] | None, options: SelectionOptions) -> _Plan:
    examples = parse_examples(task.prompt, task.entry_point)
    example_checks = [Check(e.expr, expect=e.expect, expect_text=e.expect_text) for e in examples]
    derived = [
        Check(expr)
        for expr in derived_inputs(
            [e.expr for e in examples], task.entry_point, options.derived_inputs
        )
    ]
    test_checks: list[Check] = []
    extra: list[Check] = []
    if tests is not None:
        asserts = extract_asserts(tests, task.entry_point, options.tests_per_text)
        test_checks, extra = checks_from_asserts(asserts, task.entry_point)
    checks = tuple(example_checks + derived + test_checks + extra)
    known = {c.expr for c in checks if c.expr is not None}
    probes = _probes(task, [e.expr for e in examples], known, options.probe_inputs)
    first: dict[str, int] = {}
    for pos, check in enumerate(checks):
        if check.expr is not None:
            first.setdefault(check.expr, pos)
    start = len(example_checks) + len(derived)
    layout = Layout(
        examples=range(len(example_checks)),
        tests=range(start, start + len(test_checks)) if tests is not None else None,
        n_checks=len(checks),
        outputs=tuple(sorted(first.values())),
        n_probes=len(probes),
    )
    return _Plan(
        checks,
        tuple(probes),
        layout,
        len(example_checks),
        len(test_checks) if tests is not None else None,
    )


def _validate(task: SelectionTask, completions: Sequence[str]) -> None:
    if not completions:
        raise SelectionInputError(f"{task.task_id}: no candidates to choose from")
    if not re.fullmatch(r"[A-Za-z_]\w*", task.entry_point or ""):
        raise SelectionInputError(
            f"{task.task_id}: entry point {task.entry_point!r} is not a Python identifier"
        )
    if not all(isinstance(c, str) for c in completions):
        raise SelectionInputError(f"{task.task_id}: every candidate must be a string")


def _weights(options: SelectionOptions) -> RankerWeights | None:
    if options.ranker == "rules":
        return None
    if options.ranker != "learned":
        raise SelectionConfigError(
            f"unknown ranker {options.ranker!r}: expected 'learned' or 'rules'"
        )
    return load_weights(options.weights)


def select_many(
    items: Sequence[tuple[SelectionTask, Sequence[str], Sequence[str] | None]],
    options: SelectionOptions | None = None,
    sandbox: Sandbox | None = None,
) -> list[SelectionResult]:
    """Select for many tasks at once; all candidates of all tasks share one pool of children.

    ``sandbox``: the jail to run candidates in (not closed here); None: one of
    ``options.workers`` servers is started for this call and closed at its end. Raises
    :class:`SelectionExecutionError` when the jail cannot run candidates.
    """
    options = options or SelectionOptions()
    weights = _weights(options)
    start = time.monotonic()
    plans, modes, jobs, probe_jobs, spans = [], [], [], [], []
    for task, completions, tests in items:
        _validate(task, completions)
        plan = _plan(task, tests, options)
        task_modes = [completion_mode(task, c) for c in completions]
        begin = len(jobs)
        for cand, mode in zip(completions, task_modes):
            code, prelude = _program(task, cand, mode)
            jobs.append(Job(code, plan.checks, prelude))
            probe_jobs.append(Job(code, plan.probes, prelude))
        plans.append(plan)
        modes.append(task_modes)
        spans.append((begin, len(jobs)))
    with_probes = [i for i, job in enumerate(probe_jobs) if job.checks]
    with executor_runner(options.executor, options.workers, sandbox) as runner:
        done = run_jobs(
            jobs + [probe_jobs[i] for i in with_probes],
            options.limits,
            options.workers,
            options.cache_dir,
            runner,
        )
    runs = done[: len(jobs)]
    probe_runs: list[RunResult | None] = [None] * len(jobs)
    for i, result in zip(with_probes, done[len(jobs) :]):
        probe_runs[i] = result
    log.info(
        "selection ran %d candidates of %d tasks in %.1f s",
        len(jobs),
        len(items),
        time.monotonic() - start,
    )
    results = []
    for (task, completions, _), plan, task_modes, (a, b) in zip(items, plans, modes, spans):
        order, evidence = rank(runs[a:b], plan.layout, task_modes, probe_runs[a:b])
        features = candidate_features(
            evidence, runs[a:b], plan.layout, completions, probe_runs[a:b]
        )
        if weights is not None:
            w = weights.for_mode(plan.layout.tests is not None)
            pool = {i for i, e in enumerate(evidence) if e.eligible}
            order = learned_order(features, w, order, pool)
        n = len(order)
        scores = [0.0] * n
        for place, i in enumerate(order):
            scores[i] = 1.0 if n == 1 else round(1.0 - place / (n - 1), 6)
        results.append(
            SelectionResult(
                task.task_id,
                order[0],
                tuple(scores),
                tuple(evidence),
                plan.n_examples,
                plan.n_tests,
                tuple(tuple(round(x, 6) for x in row) for row in features),
            )
        )
        log.info(
            "selection task=%s n=%d chosen=%d examples=%d tests=%s",
            task.task_id,
            n,
            order[0],
            plan.n_examples,
            plan.n_tests,
        )
    return results


def select(
    task: SelectionTask,
    completions: Sequence[str],
    tests: Sequence[str] | None = None,
    options: SelectionOptions | None = None,
    sandbox: Sandbox | None = None,
) -> SelectionResult:
    """Choose one of ``completions`` (prompt continuations or full programs) for ``task``.

    ``tests``: optional model-written test code (text holding ``assert`` statements); never
    pass hidden/reference tests here if the choice is to be evaluated with them.
    ``sandbox``: as for :func:`select_many`.
    """
    return select_many([(task, completions, tests)], options, sandbox)[0]
