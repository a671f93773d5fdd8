"""The hand-written pairs of the reader judge: training data (bench/data/reader_handwritten,
bench/data/reader_reasoning) and a reasoning domain kept for measuring
(bench/data/reader_reasoning_fresh).

Each line must be well-formed, every file must give the dev split some passages (the fresh
domain is measured whole; its split is unused), and none may repeat text of the knowledge bases the tests and benchmarks report on or
that weights are chosen on (bench/factcheck_dev_kb.py).
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FOLDER = ROOT / "bench" / "data" / "reader_handwritten"
REASONING = ROOT / "bench" / "data" / "reader_reasoning"
FRESH = ROOT / "bench" / "data" / "reader_reasoning_fresh"
sys.path.append(str(ROOT / "bench"))  # the training script is a script, not a package
LABELS = {"SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"}
KINDS = {
    "paraphrase", "neg_both", "neg_evidence_pos_claim", "negated_neighbour", "antonym",
    "entity_swap", "number", "neg_claim_refuted", "pos_claim_neg_evidence", "related_silent",
    "inference", "inference_flipped", "contrast_context",
}  # fmt: skip
FILES = [
    *sorted(FOLDER.glob("*.jsonl")),
    *sorted(REASONING.glob("*.jsonl")),
    *sorted(FRESH.glob("*.jsonl")),
]


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _grams(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _kb_text(name: str) -> str:
    """A knowledge-base fixture's documents and claims, as one text."""
    kb = importlib.import_module(f"tests.fixtures.{name}")
    return " ".join(t for _, t in kb.DOCUMENTS) + " " + " ".join(c[0] for c in kb.CLAIMS)


def test_there_are_eleven_domains_five_reasoning_ones_and_a_fresh_one() -> None:
    assert [p.stem for p in sorted(FRESH.glob("*.jsonl"))] == ["nature"]
    assert [p.stem for p in sorted(REASONING.glob("*.jsonl"))] == [
        "education", "energy", "housing", "travel", "workplace",
    ]  # fmt: skip
    assert [p.stem for p in sorted(FOLDER.glob("*.jsonl"))] == [
        "environment", "finance", "food", "health", "history", "law", "news", "science",
        "software", "sports", "transport",
    ]  # fmt: skip


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_pair_is_well_formed(path: Path) -> None:
    rows = _rows(path)
    assert len(rows) >= 150
    for i, row in enumerate(rows, 1):
        where = f"{path.name}:{i}"
        assert set(row) == {"doc", "premise", "claim", "label", "kind"}, where
        assert row["label"] in LABELS, where
        assert row["kind"] in KINDS, where
        assert 3 <= len(row["claim"].split()) <= 40, where
        assert row["premise"].strip() and row["claim"].strip() != row["premise"].strip(), where
    assert {r["label"] for r in rows} == LABELS


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_file_gives_the_dev_split_passages(path: Path) -> None:
    from train_factcheck_reader import split  # the training script's own split

    docs = {r["doc"] for r in _rows(path)}
    dev = {d for d in docs if split("handwritten", f"{path.stem}:{d}") == "dev"}
    assert 0 < len(dev) < len(docs)


def test_no_text_of_a_reported_or_development_knowledge_base_is_trained_on() -> None:
    from factcheck_dev_kb import SETS as DEVELOPMENT_KBS  # chosen on, never trained on
    from factcheck_eval import REPORTED_KBS

    trained = set().union(
        *(_grams(r["premise"]) | _grams(r["claim"]) for p in FILES for r in _rows(p))
    )
    for name in REPORTED_KBS + DEVELOPMENT_KBS:
        shared = _grams(_kb_text(name)) & trained
        assert not shared, (name, sorted(" ".join(g) for g in shared)[:5])


KB_WINDOWS = ROOT / "bench" / "data" / "reader_kb_windows"


def test_served_window_pairs_come_from_development_kbs_only() -> None:
    from factcheck_dev_kb import EXPORTED_SETS, MEASURED_ONLY_SETS
    from factcheck_eval import REPORTED_KBS

    files = sorted(KB_WINDOWS.glob("*.jsonl"))
    assert [p.stem for p in files] == sorted(EXPORTED_SETS)
    assert not set(EXPORTED_SETS) & set(REPORTED_KBS + MEASURED_ONLY_SETS)
    rows = [r for p in files for r in _rows(p)]
    assert {r["label"] for r in rows} == LABELS
    trained = set().union(*(_grams(r["premise"]) | _grams(r["claim"]) for r in rows))
    for name in REPORTED_KBS:
        assert not _grams(_kb_text(name)) & trained, name
    claims = {r["claim"] for r in rows}
    for name in MEASURED_ONLY_SETS:  # other fixtures, so no claim of theirs (a phrase may recur)
        kb = importlib.import_module(f"tests.fixtures.{name}")
        assert not {c[0] for c in kb.CLAIMS} & claims, name
