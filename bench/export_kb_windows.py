"""Reader training pairs in the served shape, from the development knowledge bases.

Each claim of the named development fixtures is checked as a user would check it (its
fixture's documents given as ``documents``; retrieval, sentence selection, three windows), and
its windows are written out as (evidence window, claim, label) pairs: a SUPPORTED or REFUTED
claim gives its best-covering window (the first one :func:`plugins.factcheck.evidence.
select_evidence` returns) with the claim's gold label; a NOT_ENOUGH_INFO claim gives every
window, each NOT_ENOUGH_INFO. The reader then learns from the windows it is served, not from
gold sentences. Fixtures trained on this way can no longer tell one reader from another: keep
the blind sets you measure on out of ``--sets``. A claim that repeats text of a knowledge base
``bench/factcheck_eval.py`` reports on (an off-topic claim used twice) is left out.

    OMP_NUM_THREADS=1 python bench/export_kb_windows.py [--sets factcheck_kb_dev_blind,...] [--out DIR]

(One thread reproduces the files byte for byte: with more, a near tie between two windows can
break the other way.)
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from factcheck_dev_kb import EXPORTED_SETS as DEFAULT_SETS

DEFAULT_OUT = ROOT / "bench" / "data" / "reader_kb_windows"


def served_windows(name: str, encoder) -> list[tuple[str, str, str, list[str]]]:  # type: ignore[no-untyped-def]
    """``(claim, label, kind, windows)`` of each claim of fixture ``name``, the windows as the
    fact-checker selects them."""
    from plugins.factcheck.checker import FactChecker
    from plugins.factcheck.documents import ContextDocument
    from plugins.factcheck.types import Judgement

    seen: list[list[str]] = []

    class _Recorder:  # a judge that only records what it is shown
        name = "recorder"

        def judge_many(self, claims, windows):  # type: ignore[no-untyped-def]
            seen.extend([h.text for h in w] for w in windows)
            return [Judgement("NOT_ENOUGH_INFO", 0.0) for _ in claims]

    kb = importlib.import_module(f"tests.fixtures.{name}")
    docs = [ContextDocument(text, source) for source, text in kb.DOCUMENTS]
    checker = FactChecker(None, _Recorder(), encoder=encoder, slot_check=False)  # type: ignore[arg-type]
    checker.check_claims([c for c, _, _ in kb.CLAIMS], documents=docs)
    return [(c, label, kind, w) for (c, label, kind), w in zip(kb.CLAIMS, seen, strict=True)]


def _grams(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def reported_grams() -> set[tuple[str, ...]]:
    """The word 8-grams of every reported knowledge base (documents and claims)."""
    from factcheck_eval import REPORTED_KBS

    out: set[tuple[str, ...]] = set()
    for name in REPORTED_KBS:
        kb = importlib.import_module(f"tests.fixtures.{name}")
        out |= _grams(" ".join(t for _, t in kb.DOCUMENTS) + " " + " ".join(c[0] for c in kb.CLAIMS))
    return out


def pairs_of(
    name: str, rows: list[tuple[str, str, str, list[str]]], avoid: set[tuple[str, ...]]
) -> list[dict]:
    """The training rows of one fixture (module docstring); ``doc`` is fixture and claim. A
    claim or window sharing an 8-gram with ``avoid`` is left out."""
    out = []
    for i, (claim, label, kind, windows) in enumerate(rows):
        if _grams(claim) & avoid:
            continue
        windows = [w for w in windows if not _grams(w) & avoid]
        chosen = windows if label == "NOT_ENOUGH_INFO" else windows[:1]
        for w in chosen:
            out.append({"doc": f"{name}:{i}", "premise": " ".join(w.split()), "claim": claim,
                        "label": label, "kind": kind})  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default=",".join(DEFAULT_SETS))
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    from knowledge import Embedder

    encoder = Embedder()
    avoid = reported_grams()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.sets.split(","):
        rows = pairs_of(name, served_windows(name, encoder), avoid)
        with open(args.out / f"{name}.jsonl", "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        print(json.dumps({"set": name, "pairs": len(rows)}))


if __name__ == "__main__":
    main()
