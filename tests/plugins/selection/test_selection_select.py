"""select() with the rules ranker: examples first, then CodeT dual agreement, then output
agreement (the learned default ranker is tested in test_selection_learned.py)."""

from __future__ import annotations

import pytest

from plugins.selection import (
    Limits,
    SelectionInputError,
    SelectionOptions,
    SelectionTask,
    completion_mode,
    select,
    selection_verdict,
)

pytestmark = pytest.mark.integration

OPTS = SelectionOptions(
    limits=Limits(check_timeout_s=0.5, total_timeout_s=5.0), workers=2, ranker="rules"
)
PROBES = SelectionOptions(limits=OPTS.limits, workers=2, probe_inputs=40, ranker="rules")
TASK = SelectionTask(
    "t/abs",
    'def absval(x):\n    """Distance from zero.\n    >>> absval(3)\n    3\n    """\n',
    "absval",
)
WRONG = "    return x\n"  # passes the docstring example, wrong on negatives
RIGHT = "    return -x if x < 0 else x\n"
# the wrong answer is the popular one and comes first
CANDIDATES = [WRONG, "    return x  # same\n", "    return (x)\n", RIGHT]


def test_popular_wrong_candidate_wins_when_nothing_tells_them_apart():
    result = select(TASK, CANDIDATES, None, OPTS)
    assert result.index == 0
    assert all(e.examples_passed == 1 for e in result.evidence)
    assert result.scores[0] == 1.0 and min(result.scores) == 0.0


def test_tests_that_the_popular_group_fails_make_the_correct_one_win():
    tests = [
        "assert absval(-2) == 2\nassert absval(-7) == 7",
        "assert absval(-1) == 1",
        "assert absval(4) == 4",
    ]
    result = select(TASK, CANDIDATES, tests, OPTS)
    assert result.index == 3
    right, wrong = result.evidence[3], result.evidence[0]
    assert (right.tests_passed, right.cluster_size, right.dual_score) == (4, 1, 4)
    assert (wrong.tests_passed, wrong.cluster_size, wrong.dual_score) == (1, 3, 3)


def test_a_few_tests_do_not_outvote_a_large_group():
    result = select(TASK, CANDIDATES, ["assert absval(-2) == 2", "assert absval(5) == 5"], OPTS)
    assert result.index == 0  # 3 x 1 > 1 x 2: CodeT trusts the larger consistent group


def test_examples_come_first_and_broken_candidates_last():
    cands = [
        "    return x +\n",
        "    while True:\n        pass\n",
        "    return 3\n",
        "    return 3\n",
        RIGHT,
    ]
    result = select(TASK, cands, None, OPTS)
    ev = result.evidence
    assert ev[0].runs is False and "syntax" in (ev[0].error or "")
    assert ev[1].runs is True and ev[1].timeouts >= 1 and ev[1].examples_passed == 0
    assert not ev[0].eligible and not ev[1].eligible
    # the two "return 3" agree with each other on the derived inputs, RIGHT with nobody
    assert ev[2].agreement == ev[3].agreement > ev[4].agreement
    assert result.index == 2
    assert max(result.scores[0], result.scores[1]) < min(result.scores[2:])


def test_example_failures_outweigh_popularity():
    cands = ["    return 0\n", "    return 0\n", "    return 0\n", RIGHT]
    assert select(TASK, cands, None, OPTS).index == 3


def test_full_code_candidates_are_accepted():
    full = "import math\n\ndef absval(x):\n    return math.fabs(x)\n"
    assert completion_mode(TASK, RIGHT) is True
    assert completion_mode(TASK, full) is False
    assert completion_mode(TASK, TASK.prompt + RIGHT) is False
    result = select(TASK, [WRONG, full], ["assert absval(-2) == 2"], OPTS)
    assert result.index == 1
    assert result.evidence[1].completion_mode is False


def test_bad_input_is_a_clear_error():
    with pytest.raises(SelectionInputError, match="no candidates"):
        select(TASK, [], None, OPTS)
    with pytest.raises(SelectionInputError, match="identifier"):
        select(SelectionTask("t", "", "not valid"), ["x"], None, OPTS)


def test_selection_verdict():
    ok = selection_verdict(select(TASK, [WRONG, RIGHT], ["assert absval(-2) == 2"], OPTS))
    assert (ok.plugin, ok.status, ok.score) == ("selection", "pass", 1.0)
    assert "chose candidate 1 of 2" in ok.message
    assert any(f.kind == "model_tests" and "1/1" in f.message for f in ok.findings)
    partial = selection_verdict(select(TASK, ["    return 0\n"], None, OPTS))
    assert (partial.status, partial.score) == ("warn", 0.0)
    broken = selection_verdict(select(TASK, ["    return (\n"], None, OPTS))
    assert broken.status == "fail" and broken.blocking


def test_probe_inputs_separate_candidates_the_examples_cannot():
    # absval(3) and its one-argument neighbours (4, 2, 1, 0) never go negative; the probe
    # inputs do (-3), where the two right candidates agree and the wrong one does not
    cands = [WRONG, RIGHT, "    return abs(x)\n"]
    assert OPTS.probe_inputs == 0  # off by default
    assert select(TASK, cands, None, OPTS).index == 0
    result = select(TASK, cands, None, PROBES)
    assert result.index == 1
    assert result.evidence[1].agreement > result.evidence[0].agreement


def test_a_candidate_hanging_on_probes_keeps_its_example_evidence():
    hangs = "    if x < 0:\n        while True:\n            pass\n    return x\n"
    result = select(TASK, [hangs, RIGHT, "    return abs(x)\n"], None, PROBES)
    ev = result.evidence
    assert ev[0].runs and ev[0].examples_passed == 1 and ev[0].eligible
    assert result.index == 1 and ev[0].agreement < ev[1].agreement
