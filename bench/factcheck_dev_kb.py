"""Accuracy of the fact-checker on the DEVELOPMENT knowledge bases, end to end.

The hand-written development sets (``tests/fixtures/factcheck_kb_dev.py``: short documents of
five kinds; ``tests/fixtures/factcheck_kb_qa_dev.py``: question/answer evidence sheets;
``tests/fixtures/factcheck_kb_negation_dev.py``: negated claims, negatively worded evidence;
``tests/fixtures/factcheck_kb_dev_blind.py`` to ``factcheck_kb_dev_blind19.py``: short documents
in a hundred and fourteen domains, written blind like the held-out knowledge bases) given as
``documents`` to :class:`plugins.factcheck.FactChecker` with the ``reader`` judge, as a user would
send them;
and the dev split of the hand-written pairs (``bench/data/reader_handwritten`` and
``bench/data/reader_reasoning``, :func:`train_factcheck_reader.load_handwritten`), and all
of ``bench/data/reader_reasoning_fresh`` (a sixth reasoning domain, never trained on), each
(evidence, claim) pair judged alone, accuracy by kind. These sets are for choosing weights and
rules; they are never reported as a held-out score (``bench/factcheck_eval.py`` reports those).

    python bench/factcheck_dev_kb.py [--reader-weights W] [--no-slot-check] [--show]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

# the sets bench/export_kb_windows.py exports as reader training data (readers trained with
# --kb-windows learn their served windows); only the others still tell readers apart
EXPORTED_SETS = (
    "factcheck_kb_dev", "factcheck_kb_qa_dev", "factcheck_kb_negation_dev",
    "factcheck_kb_dev_blind", *(f"factcheck_kb_dev_blind{i}" for i in range(2, 14)),
)  # fmt: skip
MEASURED_ONLY_SETS = tuple(f"factcheck_kb_dev_blind{i}" for i in range(14, 20))
SETS = EXPORTED_SETS + MEASURED_ONLY_SETS


def dev_kb_accuracy(checker, name: str, show: bool = False) -> dict:  # type: ignore[no-untyped-def]
    """``{"acc", "right", "n", "by_kind"}`` of one development set; wrong claims printed with
    ``show``."""
    from plugins.factcheck.documents import ContextDocument

    kb = importlib.import_module(f"tests.fixtures.{name}")
    docs = [ContextDocument(text, source) for source, text in kb.DOCUMENTS]
    report = checker.check_claims([c for c, _, _ in kb.CLAIMS], documents=docs)
    right: Counter = Counter()
    total: Counter = Counter()
    for check, (claim, want, kind) in zip(report.claims, kb.CLAIMS, strict=True):
        total[kind] += 1
        right[kind] += check.verdict == want
        if show and check.verdict != want:
            print(f"  [{name}] {claim} -> {check.verdict} {check.confidence:.2f} (want {want})"
                  + (f"; {check.reason}" if check.reason else ""))  # fmt: skip
    n = sum(total.values())
    return {
        "acc": round(sum(right.values()) / n, 4),
        "right": sum(right.values()),
        "n": n,
        "by_kind": {k: f"{right[k]}/{total[k]}" for k in total},
    }


def handwritten_dev_accuracy(  # type: ignore[no-untyped-def]
    judge, folder: Path | None = None, split: str = "dev"
) -> dict:
    """``{"acc", "n", "by_kind"}`` of the ``split`` pairs (``dev``, ``train``, or ``all`` for
    a folder nothing is trained on) of a hand-written folder (default
    ``bench/data/reader_handwritten``), each judged alone (the judge's own claim prior
    applies, as served)."""
    from train_factcheck_reader import HANDWRITTEN, load_handwritten

    from plugins.factcheck.types import LABELS

    by_split = load_handwritten(folder or HANDWRITTEN)
    pairs = by_split["dev"] + by_split["train"] if split == "all" else by_split[split]
    judged = judge.judge_many([p.claim for p in pairs], [[_hit(p.premise)] for p in pairs])
    got = [j.label for j in judged]
    right: Counter = Counter()
    total: Counter = Counter()
    for p, label in zip(pairs, got, strict=True):
        total[p.kind] += 1
        right[p.kind] += label == LABELS[p.target]
    n = sum(total.values())
    return {
        "acc": round(sum(right.values()) / n, 4) if n else None,
        "n": n,
        "by_kind": {k: f"{right[k]}/{total[k]}" for k in sorted(total)},
    }


def _hit(text: str):  # type: ignore[no-untyped-def]
    from knowledge.types import SearchHit

    return SearchHit("handwritten", "handwritten", text, 1.0, {})


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reader-weights", type=Path, default=None)
    ap.add_argument("--no-slot-check", action="store_true")
    ap.add_argument("--show", action="store_true", help="print the claims judged wrong")
    args = ap.parse_args(argv)
    from knowledge import Embedder
    from plugins.factcheck import FactChecker, make_judge

    judge = make_judge("reader", **({"weights": args.reader_weights} if args.reader_weights else {}))
    checker = FactChecker(
        None, judge, top_k=3, evidence_windows=3, encoder=Embedder(),
        slot_check=not args.no_slot_check,
    )  # fmt: skip
    out = {name: dev_kb_accuracy(checker, name, args.show) for name in SETS}
    out["handwritten_pairs"] = handwritten_dev_accuracy(judge)
    from train_factcheck_reader import REASONING, REASONING_FRESH

    out["reasoning_pairs"] = handwritten_dev_accuracy(judge, REASONING)
    out["reasoning_fresh_pairs"] = handwritten_dev_accuracy(judge, REASONING_FRESH, "all")
    print(json.dumps(out, indent=1), flush=True)


if __name__ == "__main__":
    main()
