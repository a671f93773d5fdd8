"""Per-candidate evidence features for the learned ranker, normalised within the task's pool.

The pool is the rules' first stages (``CandidateEvidence.eligible``): the candidates that run
and pass the most docstring examples. The learned ranker only reorders the pool, so features
are relative to the pool's best (``*_rel`` = value / pool max, ``*_best`` = equals the pool
max) and one set of weights transfers between tasks with different numbers of checks and
candidates. Everything comes from the candidates' texts and their execution results on the
prompt's examples, derived/probe inputs and model-written tests — never from hidden tests.

Two blocks. The first uses only the task's own inputs (docstring examples, derived and probe
inputs), so it is the same with and without model-written tests: the with-tests ranker sees
everything the no-tests one sees. The second holds the evidence of the model-written tests
(all 0 without tests), kept apart because it is much noisier: many generated tests are wrong.
Mixing their inputs into the agreement and cluster features of the first block cost 5 of 164
HumanEval tasks (bench/select_humaneval.py). A test counts for the CodeT score by its
plausibility, the share of the pool that passes it: a test that (almost) every candidate
passing the docstring examples fails is probably wrong and weighs (almost) nothing.
"""

from __future__ import annotations

import ast
import math
import re
import textwrap
from collections import Counter
from collections.abc import Sequence

from plugins.selection._execute import RunResult
from plugins.selection._rank import CandidateEvidence, Layout, agreement, output, passed

FEATURES: tuple[str, ...] = (
    # the task's own inputs: docstring examples, derived and probe inputs
    "agreement_rel",  # MBR-exec output agreement with the rest of the pool / pool max
    "agreement_best",  # has the pool's highest agreement
    "duplicates_rel",  # log(copies of this code among all samples) / pool max
    "duplicates_best",  # its code was sampled most often in the pool
    "output_cluster_rel",  # running candidates with exactly its outputs / pool max
    "output_cluster_best",  # in the pool's largest output cluster
    "errors",  # share of its own-input checks that raised
    "timeouts",  # share of its own-input checks that timed out
    "length",  # log2(lines / the task's median lines), clipped to -1..1
    "trivial",  # pass / ... / NotImplemented / TODO in the code
    # model-written tests (all 0 without tests)
    "dual_rel",  # CodeT: pass-set cluster size x plausibility-weighted tests passed / pool max
    "dual_best",  # has the pool's highest such dual score (> 0)
    "tests_rel",  # tests passed / the most any pool candidate passed
    "test_agreement_rel",  # output agreement on the tests' inputs / pool max
    "test_agreement_best",  # has the pool's highest agreement on the tests' inputs
)

_TRIVIAL = re.compile(r"NotImplemented|\bTODO\b|^\s*(pass|\.\.\.)\s*$", re.MULTILINE)


def code_key(text: str) -> str:
    """The code with layout and comments ignored (AST dump), or its words if unparsable.
    A prompt continuation is an indented function body: it is dedented first."""
    try:
        return ast.dump(ast.parse(textwrap.dedent(text).strip() or "pass"))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return " ".join(text.split())


def _lines(text: str) -> int:
    return max(1, sum(1 for line in text.splitlines() if line.strip()))


def _relative(values: Sequence[float], pool: Sequence[int]) -> tuple[list[float], list[float]]:
    """(value / pool max, 1 where value is the pool max > 0); 0 outside the pool."""
    top = max((values[i] for i in pool), default=0.0)
    rel, best = [0.0] * len(values), [0.0] * len(values)
    if top > 0:
        for i in pool:
            rel[i] = values[i] / top
            best[i] = 1.0 if values[i] == top else 0.0
    return rel, best


def own_checks(layout: Layout) -> int:
    """How many leading checks come from the task itself (examples, derived inputs); the
    model-written tests and their extra output-only checks follow them."""
    return layout.tests.start if layout.tests is not None else layout.n_checks


def _vectors(
    runs: Sequence[RunResult],
    positions: Sequence[int],
    probes: Sequence[RunResult | None],
    n_probes: int = 0,
) -> list[tuple[str | None, ...]]:
    """Each candidate's outputs on ``positions`` of its checks, then on the probe inputs."""
    return [
        tuple(output(run, p) for p in positions)
        + tuple(output(probe, p) if probe is not None else None for p in range(n_probes))
        for run, probe in zip(runs, probes)
    ]


def _agreement(vectors: Sequence[tuple[str | None, ...]], pool: list[int]) -> list[float]:
    scores = agreement({i: list(vectors[i]) for i in pool}, pool)
    return [scores.get(i, 0.0) for i in range(len(vectors))]


def _test_block(
    evidence: Sequence[CandidateEvidence],
    runs: Sequence[RunResult],
    layout: Layout,
    pool: list[int],
) -> list[list[float]]:
    """dual_rel, dual_best, tests_rel, test_agreement_rel, test_agreement_best per candidate."""
    n = len(runs)
    if layout.tests is None or not pool:
        return [[0.0] * 5 for _ in range(n)]
    sets = [passed(run, layout.tests)[1] for run in runs]
    plausible = Counter(t for i in pool for t in sets[i])  # tests -> pool candidates passing
    weighted = [sum(plausible[t] for t in sets[i]) / len(pool) for i in range(n)]
    dual = _relative([(evidence[i].cluster_size or 0) * weighted[i] for i in range(n)], pool)
    tests = _relative([float(len(s)) for s in sets], pool)
    start = own_checks(layout)
    test_inputs = [p for p in layout.outputs if p >= start]
    agree = _relative(_agreement(_vectors(runs, test_inputs, [None] * n), pool), pool)
    return [[dual[0][i], dual[1][i], tests[0][i], agree[0][i], agree[1][i]] for i in range(n)]


def candidate_features(
    evidence: Sequence[CandidateEvidence],
    runs: Sequence[RunResult],
    layout: Layout,
    completions: Sequence[str],
    probe_runs: Sequence[RunResult | None] | None = None,
) -> list[list[float]]:
    """One feature vector (in :data:`FEATURES` order) per candidate of one task."""
    n = len(runs)
    probes = list(probe_runs) if probe_runs is not None else [None] * n
    pool = [i for i in range(n) if evidence[i].eligible]
    own = own_checks(layout)
    vectors = _vectors(runs, [p for p in layout.outputs if p < own], probes, layout.n_probes)
    agree = _relative(_agreement(vectors, pool), pool)
    unique = {c: code_key(c) for c in dict.fromkeys(completions)}
    keys = [unique[c] for c in completions]
    copies = Counter(keys)
    dups = _relative([math.log(copies[k]) for k in keys], pool)
    sizes = Counter(vectors[i] for i in range(n) if runs[i].load == "ok")
    cluster = _relative(
        [float(sizes[vectors[i]]) if runs[i].load == "ok" else 0.0 for i in range(n)], pool
    )
    lines = [_lines(c) for c in completions]
    median = sorted(lines)[n // 2] if n else 1
    tests = _test_block(evidence, runs, layout, pool)

    rows = []
    for i, run in enumerate(runs):
        own_outcomes = run.outcomes[:own]
        n_own = max(1, len(own_outcomes))
        rows.append(
            [
                agree[0][i],
                agree[1][i],
                dups[0][i],
                dups[1][i],
                cluster[0][i],
                cluster[1][i],
                sum(o.status == "error" for o in own_outcomes) / n_own,
                sum(o.status == "timeout" for o in own_outcomes) / n_own,
                max(-1.0, min(1.0, math.log2(lines[i] / median))),
                1.0 if _TRIVIAL.search(completions[i]) else 0.0,
                *tests[i],
            ]
        )
    return rows
