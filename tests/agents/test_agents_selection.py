from pathlib import Path

import pytest

from agents.selection import entry_point, evidence_selector
from plugins import Candidate, Verdict
from plugins.sandbox import Program, Sandbox

PROMPT = 'def add(a, b):\n    """Add two numbers.\n    >>> add(1, 2)\n    3\n    """\n'
WRONG = "def add(a, b):\n    return a - b\n"
RIGHT = "def add(a, b):\n    return a + b\n"
RIGHT_TOO = "def add(a, b):\n    return b + a\n"


def _candidates(codes, tests=""):
    return [Candidate(code=c, prompt=PROMPT, tests=tests) for c in codes]


def test_entry_point_from_prompt_or_candidates():
    assert entry_point(PROMPT, []) == "add"
    assert entry_point("Implement quicksort", _candidates(["def quicksort(x):\n    pass\n"])) \
        == "quicksort"
    assert entry_point("prose", [Candidate(code="x = 1\n")]) is None


def test_execution_evidence_breaks_ties_between_equal_verdicts():
    chosen = evidence_selector()(_candidates([WRONG, RIGHT, RIGHT_TOO]), [[], [], []])
    assert chosen == 1


def test_blocking_verdicts_come_first():
    verdicts = [[], [Verdict("tests", "fail", 0.0)], []]
    chosen = evidence_selector()(_candidates([WRONG, RIGHT, RIGHT_TOO]), verdicts)
    assert chosen == 2


def test_model_tests_decide_for_free_form_prompts():
    codes = ["def double(x):\n    return x + x\n", "def double(x):\n    return x * 3\n"]
    candidates = [Candidate(code=c, prompt="Write double(x)", tests="assert double(2) == 4\n")
                  for c in reversed(codes)]
    assert evidence_selector()(candidates, [[], []]) == 1


@pytest.mark.integration
def test_selection_runs_in_the_jobs_sandbox_and_leaves_it_open():
    pwned = Path("/etc/factforge-pwned-agents-selection")
    hostile = f"open({str(pwned)!r}, 'w').write('x')\n{RIGHT}"
    with Sandbox(workers=1) as box:
        choose = evidence_selector(sandbox=box)
        assert choose(_candidates([hostile, WRONG, RIGHT]), [[], [], []]) == 2
        assert choose(_candidates([WRONG, RIGHT_TOO]), [[], []]) == 1  # the box still works
        assert box.run(Program("print('open')")).stdout == "open\n"
    assert not pwned.exists()


@pytest.mark.integration
def test_the_sandbox_may_be_a_function_returning_the_current_one():
    boxes = []

    def current():
        return boxes[-1]

    choose = evidence_selector(sandbox=current)
    for _ in range(2):  # a registry replaces its sandbox after a close
        with Sandbox(workers=1) as box:
            boxes.append(box)
            assert choose(_candidates([WRONG, RIGHT]), [[], []]) == 1
