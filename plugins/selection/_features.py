"""Per-candidate evidence features for the learned ranker, normalised within the task's pool.

The pool is the rules' first stages (``CandidateEvidence.eligible``): the candidates that run
and pass the most docstring examples. The learned ranker only reorders the pool, so features
are relative to the pool's best (``*_rel`` = value / pool max, ``*_best`` = equals the pool
max) and one set of weights transfers between tasks with different numbers of checks and
candidates. Everything comes from the candidates' texts and their execution results on the
prompt's examples, derived/probe inputs and model-written tests — never from hidden tests.
"""

from __future__ import annotations

import ast
import math
import re
import textwrap
from collections import Counter
from collections.abc import Sequence

from plugins.selection._execute import RunResult
from plugins.selection._rank import CandidateEvidence, Layout, outputs

FEATURES: tuple[str, ...] = (
    "dual_rel",  # CodeT dual score (test cluster size x tests passed) / pool max
    "dual_best",  # has the pool's highest dual score (> 0)
    "agreement_rel",  # MBR-exec output agreement with the rest of the pool / pool max
    "agreement_best",  # has the pool's highest agreement
    "duplicates_rel",  # log(copies of this code among all samples) / pool max
    "duplicates_best",  # its code was sampled most often in the pool
    "output_cluster_rel",  # running candidates with exactly its outputs / pool max
    "output_cluster_best",  # in the pool's largest output cluster
    "tests_frac",  # model-written tests passed / tests (0 without tests)
    "errors",  # share of its checks that raised
    "timeouts",  # share of its checks that timed out
    "length",  # log2(lines / the task's median lines), clipped to -1..1
    "trivial",  # pass / ... / NotImplemented / TODO in the code
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
    dual = _relative([float(e.dual_score or 0) for e in evidence], pool)
    agree = _relative([e.agreement for e in evidence], pool)
    unique = {c: code_key(c) for c in dict.fromkeys(completions)}
    keys = [unique[c] for c in completions]
    copies = Counter(keys)
    dups = _relative([math.log(copies[k]) for k in keys], pool)
    running = [i for i in range(n) if runs[i].load == "ok"]
    vectors = {i: tuple(outputs(runs[i], probes[i], layout)) for i in running}
    sizes = Counter(vectors.values())
    cluster = _relative([float(sizes[vectors[i]]) if i in vectors else 0.0 for i in range(n)], pool)
    lines = [_lines(c) for c in completions]
    median = sorted(lines)[n // 2] if n else 1

    rows = []
    for i, (ev, run) in enumerate(zip(evidence, runs)):
        n_checks = max(1, len(run.outcomes))
        rows.append(
            [
                dual[0][i],
                dual[1][i],
                agree[0][i],
                agree[1][i],
                dups[0][i],
                dups[1][i],
                cluster[0][i],
                cluster[1][i],
                ev.tests_passed / ev.tests_total if ev.tests_total and ev.tests_passed else 0.0,
                sum(o.status == "error" for o in run.outcomes) / n_checks,
                sum(o.status == "timeout" for o in run.outcomes) / n_checks,
                max(-1.0, min(1.0, math.log2(lines[i] / median))),
                1.0 if _TRIVIAL.search(completions[i]) else 0.0,
            ]
        )
    return rows
