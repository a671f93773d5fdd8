"""Docstring example parsing: every form HumanEval uses that can be read honestly."""

from __future__ import annotations

from plugins.selection._examples import Example, parse_examples


def _prompt(name: str, params: str, doc: str) -> str:
    return f'def {name}({params}):\n    """{doc}\n    """\n'


def test_doctest_examples_with_literal_and_text_output():
    prompt = _prompt(
        "f",
        "x",
        """Double it.
    >>> f(2)
    4
    >>> f('ab')
    'abab'
    >>> f([1,
    ...    2])
    [1, 2, 1, 2]
    >>> print(f(3))
    six point zero""",
    )
    assert parse_examples(prompt, "f") == [
        Example("f(2)", expect="4"),
        Example("f('ab')", expect="'abab'"),
        Example("f([1, 2])", expect="[1, 2, 1, 2]"),
        Example("print(f(3))", expect_text="six point zero"),
    ]


def test_doctest_comparison_without_output_line():
    prompt = _prompt(
        "f",
        "x",
        """
    >>> f(1) == 2
    >>> f([]) == None""",
    )
    assert parse_examples(prompt, "f") == [
        Example("f(1)", expect="2"),
        Example("f([])", expect="None"),
    ]


def test_inline_separators():
    prompt = _prompt(
        "g",
        "a, b",
        """Examples:
    g(1, 2) ==> 3
    g(2, 2) => true
    g(0, 0) -> False
    g(5, 5) ➞ [5]
    g(7, 1) == (1, 'x')
    g(8, 1) = {'k': 1}
    g(3, 3) should return 6.
    g(4, 4) returns 'eight'
    g(9, 9)   # returns "n"
    g(6, 6) # => 'Yes' (an explanation follows)
    for g(1, 1) == 2""",
    )
    got = parse_examples(prompt, "g")
    assert [(e.expr, e.expect) for e in got] == [
        ("g(1, 2)", "3"),
        ("g(2, 2)", "True"),
        ("g(0, 0)", "False"),
        ("g(5, 5)", "[5]"),
        ("g(7, 1)", "(1, 'x')"),
        ("g(8, 1)", "{'k': 1}"),
        ("g(3, 3)", "6"),
        ("g(4, 4)", "'eight'"),
        ("g(9, 9)", "'n'"),
        ("g(6, 6)", "'Yes'"),
        ("g(1, 1)", "2"),
    ]


def test_arithmetic_explanations_evaluate_to_the_stated_result():
    prompt = _prompt(
        "h",
        "s, n",
        """
    h("5 apples", 19) ->19 - 5 - 6 = 8
    h("x", [1, 3]) == 1 + 9 = 10""",
    )
    assert [(e.expr, e.expect) for e in parse_examples(prompt, "h")] == [
        ("h('5 apples', 19)", "8"),
        ("h('x', [1, 3])", "10"),
    ]


def test_input_output_blocks_keyword_positional_and_described():
    prompt = _prompt(
        "m",
        "grid, capacity",
        """
    Example 1:
        Input: grid = [[0, 1]], capacity = 3
        Output: 1
    Example 2:
        Input:
            grid : [[1, 1]]
            bucket_capacity : 2
        Output: 2
    For grid = [[0]], capacity = 1 the output should be 0.""",
    )
    assert [(e.expr, e.expect) for e in parse_examples(prompt, "m")] == [
        ("m(grid=[[0, 1]], capacity=3)", "1"),
        ("m([[1, 1]], 2)", "2"),  # names differ from the signature: read positionally
        ("m(grid=[[0]], capacity=1)", "0"),
    ]


def test_multiline_call_and_string_layout_preserved():
    prompt = _prompt(
        "k",
        "rows, x",
        """
    k([
      [1, 2],
      [3, 4]
    ], 1) == [(0, 0)]
    k(" a   b", 2) == "_a-b\"""",
    )
    got = parse_examples(prompt, "k")
    assert got[0] == Example("k([[1, 2], [3, 4]], 1)", expect="[(0, 0)]")
    assert got[1].expr == "k(' a   b', 2)"


def test_unreadable_examples_are_left_out_not_guessed():
    prompt = _prompt(
        "p",
        "s",
        """
    p(s) => False
    other_name([1], 2) ==> 2
    Write a function p() that returns the answer.
    p("x") is something vague
    p("y") == ""yy"
    p('z')""",
    )
    assert parse_examples(prompt, "p") == []


def test_helper_docstrings_before_the_entry_point_are_ignored():
    prompt = (
        'def helper(x):\n    """\n    >>> target(1)\n    5\n    """\n\n'
        'def target(x):\n    """\n    >>> target(2)\n    4\n    """\n'
    )
    assert parse_examples(prompt, "target") == [Example("target(2)", expect="4")]


def test_bare_words_are_strings_but_parameter_names_are_not():
    prompt = _prompt(
        "is_happy",
        "s",
        """
    is_happy(a) => False
    is_happy(abcd) => True
    is_happy(s) = 1 + len(s)""",
    )
    assert parse_examples(prompt, "is_happy") == [
        Example("is_happy('a')", expect="False"),
        Example("is_happy('abcd')", expect="True"),
    ]


def test_examples_of_one_other_undefined_name_with_matching_arity():
    doc = """Grades.
    Example:
    grade_equation([4.0, 3]) ==> ['A+', 'B']
    grade_equation([1.0]) ==> ['D']"""
    got = parse_examples(_prompt("numerical_letter_grade", "grades", doc), "numerical_letter_grade")
    assert got == [
        Example("numerical_letter_grade([4.0, 3])", expect="['A+', 'B']"),
        Example("numerical_letter_grade([1.0])", expect="['D']"),
    ]
    # wrong arity, two other names, or a name the prompt defines: nothing is guessed
    assert parse_examples(_prompt("f", "a, b", doc), "f") == []
    two = doc + "\n    other([1]) ==> 2"
    assert parse_examples(_prompt("f", "grades", two), "f") == []
    helper = "def grade_equation(x):\n    return x\n\n" + _prompt("f", "grades", doc)
    assert parse_examples(helper, "f") == []
    # an example of the entry point itself wins
    own = doc + "\n    f([2.0]) ==> ['C']"
    assert parse_examples(_prompt("f", "grades", own), "f") == [Example("f([2.0])", expect="['C']")]
