import pytest

from plugins.factcheck.claims import extract_claims, extract_code_claims, split_sentences


def test_split_sentences_keeps_abbreviations_and_list_items():
    text = "The U.S. capital is Washington. It has e.g. museums.\n- First item here.\n- Second."
    assert split_sentences(text) == [
        "The U.S. capital is Washington.",
        "It has e.g. museums.",
        "First item here.",
        "Second.",
    ]


def test_questions_commands_and_code_are_dropped():
    text = (
        "Python lists are mutable. What is a tuple? Run `pip install numpy` first. "
        "Use a tuple for fixed data.\n\n```python\nx = [1, 2]\n```\n"
        "x = foo(bar)\nNote that sets are unordered collections."
    )
    assert [c.text for c in extract_claims(text)] == [
        "Python lists are mutable.",
        "Sets are unordered collections.",
    ]


def test_duplicates_and_fragments_are_dropped():
    assert [c.text for c in extract_claims("Water is wet. Water is wet. Ok.")] == ["Water is wet."]


def test_code_answer_yields_explanation_docstrings_and_comments():
    code = '''"""Geometry helpers.

Args:
    nothing: this section is not prose
"""
import math


def area(r):
    """Compute the area of a circle. The value of pi is exactly 3."""
    # pi is an irrational number
    # that never ends.
    return math.pi * r * r  # noqa: E501
'''
    claims = extract_code_claims(code, explanation="This code computes areas. Call area(2).")
    texts = [c.text for c in claims]
    assert "This code computes areas." in texts
    assert "The value of pi is exactly 3." in texts
    assert (
        "Pi is an irrational number that never ends." in texts
        or "pi is an irrational number that never ends." in texts
    )
    assert not any("noqa" in t or "Args" in t or "Compute the area" in t for t in texts)
    where = {c.text: c.location for c in claims}
    assert where["The value of pi is exactly 3."].startswith("docstring of area")
    assert where["This code computes areas."] == "explanation"


def test_broken_python_still_yields_comments():
    claims = extract_code_claims("def f(:\n    # The Moon orbits the Earth.\n")
    assert [c.text for c in claims] == ["The Moon orbits the Earth."]


def test_other_languages_use_comment_syntax():
    code = "// Binary search runs in logarithmic time.\nint x = 1; /* Arrays start at zero. */"
    texts = [c.text for c in extract_code_claims(code, language="c")]
    assert texts == ["Binary search runs in logarithmic time.", "Arrays start at zero."]


def test_noun_phrase_starting_with_a_verb_is_still_a_claim():
    texts = [
        c.text
        for c in extract_claims(
            "Merge sort is a stable sorting algorithm. Sort the list before searching it."
        )
    ]
    assert texts == ["Merge sort is a stable sorting algorithm."]


@pytest.mark.timeout(60)  # a guard against quadratic blow-up (the old split ran past 60 s here)
def test_a_long_run_of_initials_splits_in_linear_time():
    """ "A is B. A is B. ..." never ends a sentence (every "B." reads as an initial): one long
    sentence, built without re-searching the growing text for each of its 20,000 pieces."""
    text = "A is B. " * 20_000
    assert split_sentences(text) == [text.strip()]
    mixed = "Dr. Who met J. Smith. It rained. " * 5_000
    assert split_sentences(mixed)[:2] == ["Dr. Who met J. Smith.", "It rained."]
    assert len(split_sentences(mixed)) == 10_000


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        (
            "Merge sort needs O(n) additional memory for merging.",
            "Merge sort needs O(n) additional memory for merging.",
        ),
        ("The `heapq` module implements a min-heap.", "The heapq module implements a min-heap."),
        ("sorted() returns a new list.", "sorted() returns a new list."),
        ("Note that `list.sort()` sorts in place.", "list.sort() sorts in place."),
        ("Note that merge sort is stable.", "Merge sort is stable."),
        ("A hash map gives O(1) average lookups.", "A hash map gives O(1) average lookups."),
        ("Binary search requires a sorted list.", "Binary search requires a sorted list."),
    ],
)
def test_declarative_claims_with_code_math_or_identifiers_are_kept(text, claim):
    assert [c.text for c in extract_claims(text)] == [claim]


@pytest.mark.parametrize(
    "text",
    [
        "Use heapq for priority queues.",
        "Run tests with pytest.",
        "Sort lists in place.",
        "Merge the two halves.",
        "Install packages with pip.",
    ],
)
def test_instructions_are_not_claims(text):
    assert extract_claims(text) == []
