"""Turning execution evidence into a ranking: the "rules" ranker, parameter-free and
lexicographic (``SelectionOptions(ranker="rules")``; the default learned ranker reorders the
pool of steps 1-2 of this order, see ``_learned.py``):

1. the candidate runs (compiles and its definition loads);
2. most docstring examples passed (their expected outputs come from the prompt);
3. with model-written tests: CodeT dual agreement among the candidates left — candidates
   are grouped by the exact set of tests they pass, score = group size x tests passed;
4. output agreement (MBR-exec): the mean, over the other candidates left, of the fraction of
   inputs (example, derived, probe and test inputs) on which both produce the same output;
5. the lowest index.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from plugins.selection._execute import RunResult


@dataclass(frozen=True, slots=True)
class CandidateEvidence:
    """What was observed for one candidate (all counts over this task's checks)."""

    completion_mode: bool
    runs: bool
    error: str | None
    examples_passed: int
    examples_total: int
    tests_passed: int | None
    tests_total: int | None
    cluster_size: int | None
    dual_score: int | None
    agreement: float
    timeouts: int
    eligible: bool


@dataclass(frozen=True, slots=True)
class Layout:
    """Which positions of a candidate's check list play which role."""

    examples: range
    tests: range | None
    n_checks: int
    outputs: tuple[int, ...]  # positions whose outputs are compared (first of each expr)
    n_probes: int = 0  # checks of the second (probe) run, all compared


def passed(run: RunResult, positions: range) -> tuple[int, frozenset[int]]:
    if run.load != "ok":
        return 0, frozenset()
    hit = frozenset(i for i in positions if run.outcomes[i].passed)
    return len(hit), hit


def output(run: RunResult, i: int) -> str | None:
    if run.load != "ok":
        return None
    outcome = run.outcomes[i]
    return outcome.out if outcome.status in ("ok", "error") else None


def outputs(run: RunResult, probe: RunResult | None, layout: Layout) -> list[str | None]:
    """The candidate's outputs on every compared input (None: no output)."""
    outs = [output(run, i) for i in layout.outputs]
    if layout.n_probes:
        outs += [output(probe, i) if probe is not None else None for i in range(layout.n_probes)]
    return outs


def agreement(vectors: dict[int, list[str | None]], pool: list[int]) -> dict[int, float]:
    scores = dict.fromkeys(pool, 0.0)
    width = len(vectors[pool[0]]) if pool else 0
    if len(pool) < 2 or not width:
        return scores
    for pos in range(width):
        outs = {c: vectors[c][pos] for c in pool}
        counts = Counter(o for o in outs.values() if o is not None)
        for c, out in outs.items():
            if out is not None:
                scores[c] += counts[out] - 1
    norm = (len(pool) - 1) * width
    return {c: s / norm for c, s in scores.items()}


def rank(
    runs: Sequence[RunResult],
    layout: Layout,
    completion_modes: Sequence[bool],
    probe_runs: Sequence[RunResult | None] | None = None,
) -> tuple[list[int], list[CandidateEvidence]]:
    """(candidate indices best first, evidence per candidate). ``probe_runs[i]``: candidate
    i's run of the ``layout.n_probes`` probe inputs."""
    n = len(runs)
    probes = list(probe_runs) if probe_runs is not None else [None] * n
    ex = [passed(r, layout.examples) for r in runs]
    te = [passed(r, layout.tests) for r in runs] if layout.tests is not None else None
    running = [i for i in range(n) if runs[i].load == "ok"]
    best_ex = max((ex[i][0] for i in running), default=0)
    pool = [i for i in running if ex[i][0] == best_ex] or list(range(n))
    in_pool = set(pool)

    clusters: Counter[frozenset[int]] = Counter()
    if te is not None:
        clusters.update(te[i][1] for i in pool)
    vectors = {i: outputs(runs[i], probes[i], layout) for i in pool}
    agree = agreement(vectors, pool)

    evidence: list[CandidateEvidence] = []
    keys: list[tuple] = []
    for i, run in enumerate(runs):
        size = clusters[te[i][1]] if te is not None and i in in_pool else None
        dual = size * te[i][0] if te is not None and size is not None else None
        timeouts = sum(o.status == "timeout" for o in run.outcomes)
        evidence.append(
            CandidateEvidence(
                completion_mode=completion_modes[i],
                runs=run.load == "ok",
                error=None if run.load == "ok" else f"{run.load}: {run.error or ''}".strip(": "),
                examples_passed=ex[i][0],
                examples_total=len(layout.examples),
                tests_passed=te[i][0] if te is not None else None,
                tests_total=len(layout.tests) if layout.tests is not None else None,
                cluster_size=size,
                dual_score=dual,
                agreement=round(agree.get(i, 0.0), 6),
                timeouts=timeouts,
                eligible=i in in_pool,
            )
        )
        keys.append((i in in_pool, run.load == "ok", ex[i][0], dual or 0, agree.get(i, 0.0), -i))
    order = sorted(range(n), key=lambda i: keys[i], reverse=True)
    return order, evidence
