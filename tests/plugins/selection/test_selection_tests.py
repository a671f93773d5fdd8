"""Model-written tests (CodeT format) and derived inputs."""

from __future__ import annotations

from plugins.selection._execute import Check
from plugins.selection._tests import checks_from_asserts, derived_inputs, extract_asserts

# what a model writes after "assert ": broken lines, messages, junk, a truncated tail
SAMPLE = (
    "assert \n    f([], 1) == False, 'Empty list'\nassert \n    f([1, 1], 1) == True\n"
    "assert f([1]) \nassert g(1) == 2\nassert True\nimport os\nassert f([2], 3) == (True"
)


def test_extract_asserts_keeps_complete_ones_calling_the_entry_point():
    assert extract_asserts([SAMPLE], "f") == [
        "assert f([], 1) == False",
        "assert f([1, 1], 1) == True",
        "assert f([1])",
    ]


def test_extract_asserts_dedups_and_caps_per_text():
    texts = [SAMPLE, "assert f([], 1) == False\nassert f(2) == 3"]
    # CodeT: the first N of each text, then duplicates dropped
    assert extract_asserts(texts, "f", per_text=2) == [
        "assert f([], 1) == False",
        "assert f([1, 1], 1) == True",
        "assert f(2) == 3",
    ]


def test_checks_from_asserts_decomposes_equalities():
    checks, extra = checks_from_asserts(
        [
            "assert f(1) == 2",
            "assert [3] == f(2)",
            "assert abs(f(0.5) - 1) < 1e-6",
            "assert f(1) > f(0)",
        ],
        "f",
    )
    assert checks == [
        Check("f(1)", expect="2"),
        Check("f(2)", expect="[3]"),
        Check(None, stmt="assert abs(f(0.5) - 1) < 1e-6"),
        Check(None, stmt="assert f(1) > f(0)"),
    ]
    assert extra == [Check("f(0.5)"), Check("f(1)"), Check("f(0)")]


def test_derived_inputs_change_one_literal_argument():
    got = derived_inputs(["f(3, 'ab')", "f([1, 2])", "f(x)", "g(1)"], "f", limit=100)
    assert got[:2] == ["f(4, 'ab')", "f([2, 1])"]  # round robin over the examples
    assert {"f(2, 'ab')", "f(3, 'ba')", "f(3, '')", "f([2])", "f([1, 2, 1])"} <= set(got)
    assert all(call.startswith("f(") and call != "f(3, 'ab')" for call in got)
    assert len(derived_inputs(["f(3, 'ab')"], "f", limit=3)) == 3
