"""The batched executor: outputs and verdicts come back; hostile candidates are contained.

Every test runs under both executors, the jail (default) and the bare subprocess (opt-in):
their results must be the same.
"""

from __future__ import annotations

import time

import pytest

from plugins.sandbox import Sandbox
from plugins.selection._execute import Check, Job, Limits, run_job, run_jobs
from plugins.selection._jailed import jail_runner

pytestmark = pytest.mark.integration

FAST = Limits(check_timeout_s=0.3, total_timeout_s=4.0, memory_mb=512, max_timeouts=2)


@pytest.fixture(scope="module")
def box():
    with Sandbox(workers=2) as sandbox:
        yield sandbox


@pytest.fixture(params=["jail", "subprocess"])
def run(request, box):
    return jail_runner(box) if request.param == "jail" else run_job


def test_outputs_and_pass_fail_are_reported_per_check(run):
    code = "def f(x):\n    print('noise' * 100)\n    return [x, x * 0.1]\n"
    checks = (
        Check("f(2)", expect="[2, 0.2]"),
        Check("f(3)", expect="[3, 0.4]"),
        Check("f(1/0)"),
        Check(None, stmt="assert f(1)[0] == 1"),
        Check(None, stmt="assert f(1)[0] == 2"),
        Check("f(2)", expect_text="[2, 0.2]"),
    )
    result = run(Job(code, checks), FAST)
    assert result.load == "ok"
    got = [(o.status, o.out, o.passed) for o in result.outcomes]
    assert got == [
        ("ok", "[int:2,0.2]", True),  # float compared with tolerance, stdout did not leak in
        ("ok", "[int:3,0.3]", False),
        ("error", "!ZeroDivisionError", None),
        ("ok", None, True),
        ("ok", None, False),
        ("ok", "[int:2,0.2]", True),
    ]


def test_syntax_error_is_reported_without_running(run):
    result = run(Job("def f(:\n", (Check("f(1)"),)), FAST)
    assert result.load == "syntax" and "SyntaxError" in (result.error or "")


def test_infinite_loop_times_out_per_check_and_later_checks_still_run(run):
    code = "def f(x):\n    while x:\n        pass\n    return 0\n"
    result = run(Job(code, (Check("f(1)"), Check("f(0)", expect="0"))), FAST)
    assert [o.status for o in result.outcomes] == ["timeout", "ok"]
    assert result.outcomes[1].passed is True


def test_candidate_that_swallows_the_timer_is_killed_at_the_deadline(run):
    code = (
        "def f(x):\n    while True:\n        try:\n            while True:\n"
        "                pass\n        except BaseException:\n            pass\n"
    )
    start = time.monotonic()
    result = run(Job(code, (Check("f(1)"), Check("f(2)"))), FAST)
    assert time.monotonic() - start < FAST.total_timeout_s + 3
    assert [o.status for o in result.outcomes] == ["timeout", "timeout"]


def test_stop_after_max_timeouts(run):
    code = "def f(x):\n    while True:\n        pass\n"
    result = run(Job(code, tuple(Check(f"f({i})") for i in range(5))), FAST)
    assert [o.status for o in result.outcomes] == ["timeout"] * 2 + ["skipped"] * 3


def test_hang_at_load_time(run):
    result = run(Job("while True:\n    pass\n", (Check("f(1)"),)), FAST)
    assert result.load == "timeout"


def test_destructive_calls_are_disabled(run, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    code = (
        f"import os\ndef f(x):\n    os.remove({str(victim)!r})\n    return 1\n"
        f"def g(x):\n    import subprocess\n    return 1\n"
        f"def h(x):\n    return os.system('true')\n"
    )
    result = run(Job(code, (Check("f(1)"), Check("g(1)"), Check("h(1)"))), FAST)
    assert [(o.status, o.out) for o in result.outcomes] == [
        ("error", "!TypeError"),
        ("error", "!ModuleNotFoundError"),
        ("error", "!TypeError"),
    ]
    assert victim.read_text() == "keep me"


def test_memory_is_limited(run):
    code = "def f(x):\n    return len(bytearray(x * 1024 * 1024 * 1024))\n"
    result = run(Job(code, (Check("f(2)"), Check("f(0)", expect="0"))), FAST)
    assert (result.outcomes[0].status, result.outcomes[0].out) == ("error", "!MemoryError")
    assert result.outcomes[1].passed is True


def test_exit_calls_are_contained(run):
    code = "import sys, os\ndef f(x):\n    sys.exit(3)\ndef g(x):\n    os._exit(0)\n"
    result = run(Job(code, (Check("f(1)"),)), FAST)
    assert result.outcomes[0].out == "!SystemExit"
    died = run(Job(code, (Check("f(1)"), Check("g(1)"), Check("f(2)"))), FAST)
    # the child died at the second check: what it reported before is kept
    assert died.outcomes[0].out == "!SystemExit"
    assert [o.status for o in died.outcomes[1:]] == ["error", "error"]


def test_run_jobs_pool_cache_and_duplicates(run, tmp_path):
    jobs = [Job(f"def f(x):\n    return x + {k}\n", (Check("f(1)"),)) for k in (1, 2, 1)]
    first = run_jobs(jobs, FAST, workers=2, cache_dir=tmp_path, runner=run)
    assert [r.outcomes[0].out for r in first] == ["int:2", "int:3", "int:2"]
    assert len(list(tmp_path.glob("*.json"))) == 2  # the duplicate ran once
    again = run_jobs(jobs, FAST, workers=2, cache_dir=tmp_path, runner=run)
    assert [r.outcomes for r in again] == [r.outcomes for r in first]


def test_str_hashing_is_seeded_so_set_order_is_the_same_in_every_child(box):
    # under ``python -I`` PYTHONHASHSEED was ignored: set order changed from child to child
    code = "def f():\n    return list({'alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta', 'eta'})\n"
    job = Job(code, (Check("f()"),))
    outs = {r(job, FAST).outcomes[0].out for r in (run_job, jail_runner(box)) for _ in range(3)}
    assert len(outs) == 1
