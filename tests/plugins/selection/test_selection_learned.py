"""The learned ranker: features from hand-built evidence, the shipped weights, bad weights."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from plugins import PluginsError
from plugins.selection import (
    FEATURES,
    Limits,
    RankerWeights,
    SelectionConfigError,
    SelectionOptions,
    SelectionTask,
    load_weights,
    parse_weights,
    select,
)
from plugins.selection._execute import CheckOutcome, RunResult
from plugins.selection._features import candidate_features, code_key
from plugins.selection._learned import DEFAULT_WEIGHTS, learned_order
from plugins.selection._rank import Layout, rank

F = {name: i for i, name in enumerate(FEATURES)}
# one docstring example (position 0), one derived input (1, output only), two model-written
# tests (2, 3); outputs of all compared
LAYOUT = Layout(examples=range(1), tests=range(2, 4), n_checks=4, outputs=(0, 1, 2, 3))


def _run(*outcomes: tuple[str, str | None, bool | None]) -> RunResult:
    return RunResult("ok", None, tuple(CheckOutcome(*o) for o in outcomes))


GOOD = _run(("ok", "3", True), ("ok", "4", None), ("ok", "2", True), ("ok", "7", True))
GOOD_TWIN = _run(("ok", "3", True), ("ok", "4", None), ("ok", "2", True), ("ok", "7", True))
HALF = _run(("ok", "3", True), ("timeout", None, None), ("ok", "-2", False), ("ok", "7", True))
RAISES = _run(
    ("ok", "3", True),
    ("error", "ValueError", None),
    ("error", "ValueError", False),
    ("timeout", None, None),
)
NO_EXAMPLE = _run(("ok", "0", False), ("ok", "4", None), ("ok", "2", True), ("ok", "7", True))
BROKEN = RunResult("syntax", "SyntaxError: bad")

CODES = [
    "    return abs(x)\n",
    "    return abs(x)  # the same code, laid out differently\n",
    "    return x\n",
    "    if x < 0:\n        raise ValueError\n    return x\n",
    "    pass\n",
    "    return (\n",
]
RUNS = [GOOD, GOOD_TWIN, HALF, RAISES, NO_EXAMPLE, BROKEN]


def _features() -> tuple[list[list[float]], list]:
    _, evidence = rank(RUNS, LAYOUT, [True] * len(RUNS))
    return candidate_features(evidence, RUNS, LAYOUT, CODES), evidence


def test_features_from_hand_built_evidence():
    rows, evidence = _features()
    assert all(len(row) == len(FEATURES) for row in rows)
    assert [e.eligible for e in evidence] == [True, True, True, True, False, False]
    good, twin, half, raises, no_example, broken = rows
    # CodeT over the pool {0,1,2,3}, each test weighted by the share of the pool passing it:
    # test 1 by 2/4, test 2 by 3/4; {0,1} pass both (2 x 5/4), half test 2 only (1 x 3/4)
    assert good[F["dual_rel"]] == twin[F["dual_rel"]] == 1.0 and good[F["dual_best"]] == 1.0
    assert half[F["dual_rel"]] == pytest.approx(0.3) and half[F["dual_best"]] == 0.0
    assert raises[F["dual_rel"]] == 0.0
    assert good[F["tests_rel"]] == 1.0 and half[F["tests_rel"]] == 0.5
    # agreement on the tests' inputs: good (1 + 2) / 6, half (0 + 2) / 6
    assert good[F["test_agreement_best"]] == 1.0 and good[F["test_agreement_rel"]] == 1.0
    assert half[F["test_agreement_best"]] == 0.0
    assert half[F["test_agreement_rel"]] == pytest.approx(2 / 3)
    # the two abs(x) are one code (comments ignored) sampled twice; the others once
    assert code_key(CODES[0]) == code_key(CODES[1]) != code_key(CODES[2])
    body = "    for v in xs:\n        if v:\n            return v\n    return None\n"
    commented = "    for v in xs:  # scan\n\n        if v:\n            return v\n    return None"
    assert code_key(body) == code_key(commented) != code_key(body.replace("None", "0"))
    assert code_key("    return (\n") == "return ("  # unparsable: its words
    assert good[F["duplicates_rel"]] == 1.0 and good[F["duplicates_best"]] == 1.0
    assert half[F["duplicates_rel"]] == 0.0
    # identical outputs on the own inputs (example, derived): a cluster of 2, the largest
    assert good[F["output_cluster_rel"]] == 1.0 and half[F["output_cluster_rel"]] == 0.5
    # agreement on the own inputs: good (3 + 1) / 6, half (3 + 0) / 6
    assert good[F["agreement_best"]] == 1.0 and good[F["agreement_rel"]] == 1.0
    assert half[F["agreement_rel"]] == pytest.approx(0.75)
    # errors and timeouts of the own checks only: the tests' timeout does not count
    assert raises[F["errors"]] == pytest.approx(1 / 2)
    assert raises[F["timeouts"]] == 0.0 and half[F["timeouts"]] == pytest.approx(1 / 2)
    assert good[F["errors"]] == good[F["timeouts"]] == 0.0
    assert no_example[F["trivial"]] == 1.0 and good[F["trivial"]] == 0.0
    assert raises[F["length"]] == pytest.approx(1.0) and good[F["length"]] == 0.0
    # outside the pool nothing is relative to the pool's best
    for name in ("dual_rel", "agreement_rel", "duplicates_rel", "output_cluster_rel", "tests_rel"):
        assert no_example[F[name]] == broken[F[name]] == 0.0
    assert all(math.isfinite(x) for row in rows for x in row)


TEST_BLOCK = ("dual_rel", "dual_best", "tests_rel", "test_agreement_rel", "test_agreement_best")


def test_own_input_features_do_not_change_with_tests():
    """The first block sees only the task's own inputs: with tests it equals the no-tests
    features (the rules' agreement, in the evidence, also compares the tests' inputs)."""
    with_tests, _ = _features()
    layout = Layout(examples=range(1), tests=None, n_checks=2, outputs=(0, 1))
    runs = [RunResult(r.load, r.error, r.outcomes[:2]) for r in RUNS]
    _, evidence = rank(runs, layout, [True] * len(runs))
    without = candidate_features(evidence, runs, layout, CODES)
    own = [F[name] for name in FEATURES if name not in TEST_BLOCK]
    assert [[row[i] for i in own] for row in with_tests] == [
        [row[i] for i in own] for row in without
    ]
    assert all(row[F[name]] == 0.0 for row in without for name in TEST_BLOCK)
    assert any(row[F[name]] != 0.0 for row in with_tests for name in TEST_BLOCK)


def test_implausible_tests_weigh_little_in_the_dual_score():
    """Plain CodeT would pick the loner that alone passes two extra tests (1 x 3 tests > 2 x 1
    test); those tests are failed by the rest of the pool, so they weigh 1/3 each:
    1 x (1 + 2/3) < 2 x 1."""
    layout = Layout(examples=range(1), tests=range(1, 4), n_checks=4, outputs=(0, 1, 2, 3))
    loner = _run(("ok", "1", True), ("ok", "1", True), ("ok", "5", True), ("ok", "6", True))
    pair = _run(("ok", "1", True), ("ok", "1", True), ("ok", "0", False), ("ok", "0", False))
    runs = [loner, pair, pair]
    _, evidence = rank(runs, layout, [True] * 3)
    assert evidence[0].dual_score == 3 > evidence[1].dual_score == 2
    rows = candidate_features(evidence, runs, layout, ["    return 1\n"] * 3)
    assert rows[1][F["dual_best"]] == rows[2][F["dual_best"]] == 1.0
    assert rows[0][F["dual_best"]] == 0.0
    assert rows[0][F["dual_rel"]] == pytest.approx((1 + 2 / 3) / 2)
    # the loner still passes the most tests
    assert rows[0][F["tests_rel"]] == 1.0 and rows[1][F["tests_rel"]] == pytest.approx(1 / 3)


def test_learned_order_prefers_evidence_and_keeps_the_pool_first():
    rows, evidence = _features()
    weights = load_weights().for_mode(with_tests=True)
    pool = {i for i, e in enumerate(evidence) if e.eligible}
    # put the weakest pool member first in the "rules" order: the learned score reorders it
    rules = [3, 2, 1, 0, 4, 5]
    learned = learned_order(rows, weights, rules, pool)
    assert learned[0] in (0, 1) and learned.index(3) > learned.index(0)
    assert set(learned[:4]) == pool and learned[4:] == [4, 5]
    # exact ties keep the rules' order
    assert learned_order([[0.0] * len(FEATURES)] * 3, weights, [2, 0, 1], {0, 1, 2}) == [2, 0, 1]


def test_shipped_weights_load_and_are_valid():
    weights = load_weights()
    assert isinstance(weights, RankerWeights)
    for vector in (weights.no_tests, weights.with_tests):
        assert len(vector) == len(FEATURES) and all(math.isfinite(w) for w in vector)
        assert any(w != 0 for w in vector)
    doc = json.loads(DEFAULT_WEIGHTS.read_text())
    assert doc["features"] == list(FEATURES) and parse_weights(doc) == weights
    # the evidence the ranker was built on points the expected way
    assert weights.with_tests[F["dual_best"]] > 0 and weights.with_tests[F["tests_rel"]] > 0
    assert weights.no_tests[F["errors"]] < 0
    # without tests the test block is all 0, so its no-tests weights are never trained
    assert all(weights.no_tests[F[name]] == 0 for name in TEST_BLOCK)


def _doc(**changes: object) -> dict:
    doc = json.loads(DEFAULT_WEIGHTS.read_text())
    doc.update(changes)
    return doc


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([1, 2], "expected a JSON object"),
        (_doc(format="other/9"), "format"),
        (_doc(features=["dual_rel"]), "do not match"),
        (_doc(models={"no_tests": [0.0] * len(FEATURES)}), "exactly"),
        (_doc(models={"no_tests": [0.0], "with_tests": [0.0]}), "list of"),
        (
            _doc(models={"no_tests": [0.0] * len(FEATURES), "with_tests": [True] * len(FEATURES)}),
            "not a finite number",
        ),
        (
            _doc(
                models={"no_tests": [math.nan] * len(FEATURES), "with_tests": [0] * len(FEATURES)}
            ),
            "not a finite number",
        ),
    ],
)
def test_bad_weights_are_clear_plugins_errors(doc: object, message: str):
    with pytest.raises(SelectionConfigError, match=message) as caught:
        parse_weights(doc, "w.json")
    assert isinstance(caught.value, PluginsError) and caught.value.code == "selection_bad_config"


def test_bad_weights_files(tmp_path: Path):
    with pytest.raises(SelectionConfigError, match="cannot read"):
        load_weights(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(SelectionConfigError, match="not valid JSON"):
        load_weights(bad)


TASK = SelectionTask(
    "t/abs",
    'def absval(x):\n    """Distance from zero.\n    >>> absval(3)\n    3\n    """\n',
    "absval",
)
OPTS = SelectionOptions(limits=Limits(check_timeout_s=0.5, total_timeout_s=5.0), workers=2)


@pytest.mark.integration
def test_select_uses_the_learned_ranker_by_default(tmp_path: Path):
    # both pass the example and tie on everything the rules look at; the first raises on
    # the derived inputs (absval(2), absval(1), absval(0)), which the learned ranker weighs
    cands = ["    return x if x > 2 else 1 // 0\n", "    return -x if x < 0 else x\n"]
    assert OPTS.ranker == "learned"
    rules = select(TASK, cands, None, SelectionOptions(limits=OPTS.limits, ranker="rules"))
    assert rules.index == 0
    learned = select(TASK, cands, None, OPTS)
    assert learned.index == 1 and learned.evidence == rules.evidence
    assert len(learned.features) == 2 and len(learned.features[0]) == len(FEATURES)
    assert learned.features[0][F["errors"]] > learned.features[1][F["errors"]] == 0.0
    assert "features" not in learned.to_dict()


@pytest.mark.integration
def test_bad_ranker_settings_fail_before_running(tmp_path: Path):
    with pytest.raises(SelectionConfigError, match="unknown ranker"):
        select(TASK, ["    return x\n"], None, SelectionOptions(ranker="best"))
    with pytest.raises(SelectionConfigError, match="cannot read"):
        select(TASK, ["    return x\n"], None, SelectionOptions(weights=tmp_path / "none.json"))
