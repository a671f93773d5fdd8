"""Train the learned best-of-n ranker (plugins/selection/ranker_weights.json) on HumanEval.

Per task, the features of its 100 CodeGen-16B samples (plugins.selection.FEATURES, computed
from executions on docstring examples, derived inputs and model-written tests - never hidden
tests) and the samples' `passed` labels. The ranker only reorders the rules' pool (candidates
that run and pass the most docstring examples), so it is trained on pool candidates only:
L2-regularised logistic regression "does this candidate pass?" (Newton's method from zero,
deterministic), C chosen from C_GRID by an inner 4-fold cross-validation over the training
tasks only. One weight vector without and one with model-written tests.

    nice -n 10 /work/venv/bin/python bench/train_selection_ranker.py [--write]

prints the 5-fold cross-validated pass@1 (folds: task index % 5) and, with --write, trains on
all 164 tasks (C again chosen by 4-fold CV on them) and writes the weights file.
bench/select_humaneval.py reports the same cross-validated numbers next to the baselines.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plugins.selection import FEATURES, SelectionResult

C_GRID = (0.1, 1.0, 10.0)
FOLDS = 5
INNER_FOLDS = 4
WEIGHTS = Path(__file__).resolve().parents[1] / "plugins" / "selection" / "ranker_weights.json"


@dataclass(frozen=True)
class Task:
    x: np.ndarray  # features, n x d
    y: np.ndarray  # labels (truth), n
    pool: np.ndarray  # the rules' pool, n bool
    rules: np.ndarray  # the rules' score (1 first .. 0 last), n


def fit_logistic(x: np.ndarray, y: np.ndarray, c: float, steps: int = 50) -> np.ndarray:
    """L2 logistic regression by Newton's method: weights (d) then the unpenalised intercept."""
    a = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(a.shape[1])
    reg = np.full(a.shape[1], 1.0 / c)
    reg[-1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(a @ w)))
        grad = a.T @ (p - y) + reg * w
        hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(reg) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return w


def fit(tasks: Sequence[Task], c: float) -> np.ndarray:
    """Feature weights (intercept dropped: it does not change a ranking)."""
    x = np.vstack([t.x[t.pool] for t in tasks])
    y = np.concatenate([t.y[t.pool] for t in tasks]).astype(float)
    if not 0 < y.sum() < len(y):
        return np.zeros(x.shape[1])
    return fit_logistic(x, y, c)[:-1]


def choose(task: Task, w: np.ndarray) -> int:
    """As plugins.selection: the pool by score, ties to the rules' order (pool is first in it)."""
    score = np.where(task.pool, np.round(task.x @ w, 9), -np.inf)
    return int(np.lexsort((np.arange(len(score)), -task.rules, -score))[0])


def _hits(train: Sequence[Task], test: Sequence[Task], c: float) -> list[bool]:
    w = fit(train, c)
    return [bool(t.y[choose(t, w)]) for t in test]


def choose_c(tasks: Sequence[Task]) -> float:
    """The C of C_GRID with the best INNER_FOLDS-fold CV pass@1 on ``tasks`` (ties: smaller)."""

    def score(c: float) -> float:
        hits = []
        for k in range(INNER_FOLDS):
            train = [t for i, t in enumerate(tasks) if i % INNER_FOLDS != k]
            hits += _hits(train, [t for i, t in enumerate(tasks) if i % INNER_FOLDS == k], c)
        return sum(hits) / max(1, len(hits))

    scores = {c: score(c) for c in C_GRID}
    return max(C_GRID, key=lambda c: (scores[c], -c))


def task_data(results: Sequence[SelectionResult], labels: dict[str, list[bool]]) -> list[Task]:
    """Features etc. of results of ``ranker="rules"`` (whose scores are the rules' order)."""
    return [
        Task(
            np.asarray(r.features, dtype=float),
            np.asarray(labels[r.task_id], dtype=bool),
            np.asarray([e.eligible for e in r.evidence], dtype=bool),
            np.asarray(r.scores, dtype=float),
        )
        for r in results
    ]


def cross_validate(
    tasks: Sequence[Task], folds: int = FOLDS
) -> tuple[list[bool], list[float], list[float]]:
    """(chosen-passes per task, pass@1 per fold, C chosen per fold); fold = task index % folds.
    Each fold's C and weights come from the other folds only."""
    hits = [False] * len(tasks)
    per_fold, cs = [], []
    for k in range(folds):
        train = [t for i, t in enumerate(tasks) if i % folds != k]
        held = [i for i in range(len(tasks)) if i % folds == k]
        c = choose_c(train)
        for i, hit in zip(held, _hits(train, [tasks[i] for i in held], c)):
            hits[i] = hit
        per_fold.append(sum(hits[i] for i in held) / max(1, len(held)))
        cs.append(c)
    return hits, per_fold, cs


def weights_document(models: dict[str, np.ndarray], provenance: dict) -> dict:
    return {
        "format": "factforge-selection-ranker/1",
        "features": list(FEATURES),
        "models": {m: [round(float(v), 6) for v in w] for m, w in models.items()},
        **provenance,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/factforge-select-cache"))
    parser.add_argument("--write", action="store_true", help=f"write {WEIGHTS.name}")
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args(argv)
    from bench.select_humaneval import load_humaneval, run_mode

    data = load_humaneval()
    models, provenance = {}, {}
    for mode in ("no_tests", "with_tests"):
        results, seconds = run_mode(data, mode, args.workers, args.cache, ranker="rules")
        tasks = task_data(results, data.labels)
        hits, per_fold, cs = cross_validate(tasks)
        rules = sum(bool(t.y[int(np.argmax(t.rules))]) for t in tasks) / len(tasks)
        print(
            f"{mode}: CV pass@1 {sum(hits) / len(hits):.3f} "
            f"(folds {' '.join(f'{v:.3f}' for v in per_fold)}; C {cs}), rules {rules:.3f}, "
            f"execution {seconds:.1f} s"
        )
        c = choose_c(tasks)
        models[mode] = fit(tasks, c)
        provenance[f"c_{mode}"] = c
    if args.write:
        doc = weights_document(
            models,
            {
                "trained_on": "HumanEval, 164 tasks x 100 CodeGen-16B samples, `passed` labels",
                "objective": "L2 logistic regression on the rules' pool, C by 4-fold CV",
                "script": "bench/train_selection_ranker.py",
                **provenance,
            },
        )
        args.out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
