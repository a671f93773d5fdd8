"""The learned ranker: a linear score over :data:`FEATURES`, one weight vector per mode.

Trained by ``bench/train_selection_ranker.py`` (L2 logistic regression: does a pool candidate
pass?) and shipped as ``ranker_weights.json`` next to this module. File format::

    {"format": "factforge-selection-ranker/1", "features": [name, ...],
     "models": {"no_tests": [w, ...], "with_tests": [w, ...]}, ...provenance...}
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from plugins.selection._features import FEATURES
from plugins.selection.errors import SelectionConfigError

FORMAT = "factforge-selection-ranker/1"
DEFAULT_WEIGHTS = Path(__file__).with_name("ranker_weights.json")
MODES = ("no_tests", "with_tests")


@dataclass(frozen=True, slots=True)
class RankerWeights:
    """One weight per feature of :data:`FEATURES`, for selection without and with tests."""

    no_tests: tuple[float, ...]
    with_tests: tuple[float, ...]

    def for_mode(self, with_tests: bool) -> tuple[float, ...]:
        return self.with_tests if with_tests else self.no_tests


def _vector(value: object, where: str) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != len(FEATURES):
        raise SelectionConfigError(f"{where}: expected a list of {len(FEATURES)} numbers")
    out = []
    for x in value:
        if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
            raise SelectionConfigError(f"{where}: {x!r} is not a finite number")
        out.append(float(x))
    return tuple(out)


def parse_weights(data: object, source: str = "ranker weights") -> RankerWeights:
    """Validate a decoded weights document; :class:`SelectionConfigError` says what is wrong."""
    if not isinstance(data, dict):
        raise SelectionConfigError(f"{source}: expected a JSON object")
    if data.get("format") != FORMAT:
        raise SelectionConfigError(
            f"{source}: format is {data.get('format')!r}, expected {FORMAT!r}"
        )
    names = data.get("features")
    if names != list(FEATURES):
        raise SelectionConfigError(
            f"{source}: features {names!r} do not match this version's {list(FEATURES)!r}"
        )
    models = data.get("models")
    if not isinstance(models, dict) or set(models) != set(MODES):
        raise SelectionConfigError(f"{source}: 'models' must hold exactly {list(MODES)}")
    return RankerWeights(
        _vector(models["no_tests"], f"{source}: models.no_tests"),
        _vector(models["with_tests"], f"{source}: models.with_tests"),
    )


def load_weights(path: Path | None = None) -> RankerWeights:
    """Read and validate a weights file (default: the one shipped with this package)."""
    path = path or DEFAULT_WEIGHTS
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SelectionConfigError(f"{path}: cannot read ranker weights ({exc})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SelectionConfigError(f"{path}: not valid JSON ({exc.msg})") from exc
    return parse_weights(data, str(path))


def learned_order(
    features: Sequence[Sequence[float]],
    weights: Sequence[float],
    rule_order: Sequence[int],
    pool: Collection[int],
) -> list[int]:
    """The rules' order with the ``pool`` (the candidates that run and pass the most docstring
    examples, first in that order) re-sorted by linear score; ties keep the rules' order."""
    head = [i for i in rule_order if i in pool]
    tail = [i for i in rule_order if i not in pool]
    rule_pos = {c: p for p, c in enumerate(rule_order)}
    score = {i: round(sum(w * x for w, x in zip(weights, features[i])), 9) for i in head}
    return sorted(head, key=lambda i: (-score[i], rule_pos[i])) + tail
