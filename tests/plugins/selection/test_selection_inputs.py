"""Probe inputs: type-aware mutations of example calls, seeds from annotations."""

from __future__ import annotations

from plugins.selection._inputs import probe_inputs, signature_seeds, variants
from plugins.selection._literals import literal_call


def test_variants_are_type_preserving_and_cover_edge_cases():
    assert variants(True) == [False]
    assert {0, 1, 4, 6, -5, 11} <= set(variants(5))
    assert {"", "a", "cba", "ABC", "aabc"} <= set(variants("abc"))
    lists = variants([3, 1, 2])
    assert [] in lists and [3] in lists and [1, 2, 3] in lists and [3, 2, 1] in lists
    assert [3, 3, 1, 2] in lists  # a duplicate
    assert [-3, -1, -2] in lists
    assert all(isinstance(v, tuple) for v in variants((1, 2)))
    assert variants({"a": 1, "b": 2}) == [{}, {"a": 1}]
    assert variants(None) == []


def test_probe_inputs_mutate_each_argument_and_all_at_once():
    got = probe_inputs(["f(3, 'ab')"], "f", exclude=["f(4, 'ab')"], limit=100)
    assert "f(4, 'ab')" not in got and "f(3, 'ab')" not in got
    assert "f(2, 'ab')" in got and "f(3, '')" in got
    assert "f(4, '')" in got and "f(2, 'a')" in got  # both changed together
    assert len(got) == len(set(got))
    assert all(literal_call(c, "f") is not None for c in got)


def test_probe_inputs_round_robin_limit_and_size_cap():
    got = probe_inputs(["f(1)", "f('x')", "g(2)", "f(y)"], "f", exclude=[], limit=4)
    # round robin over the literal seeds; seeds themselves and duplicates are skipped
    assert got == ["f(2)", "f('')", "f(0)", "f('X')"]
    big = probe_inputs(["f(999)"], "f", exclude=[], limit=100)
    assert "f(1999)" not in big and "f(1000)" in big  # values stay small


def test_signature_seeds_from_annotations():
    prompt = "from typing import List\n\ndef f(xs: List[int], n: int, s: str):\n    pass\n"
    seeds = signature_seeds(prompt, "f")
    assert seeds[0] == "f([], 0, '')"
    assert len(seeds) == 8 and all(literal_call(c, "f") for c in seeds)
    assert signature_seeds("def f(x):\n    pass\n", "f") == []  # unknown type: no guess
    assert signature_seeds("def f(*a: int):\n    pass\n", "f") == []
    assert signature_seeds("def g(n: int):\n    pass\n", "f") == []
