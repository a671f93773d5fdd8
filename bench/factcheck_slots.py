"""How often the slot-conflict rule fires, and how often it is right, on the training/dev pairs.

Reads the same files as bench/train_factcheck_reader.py (never its held-out ``report`` parts)
and the hand-written fixture. For every (evidence, claim) pair: does
:func:`plugins.factcheck.slots.find_slot_conflict` find a conflict, and what is the gold label?
A rule that overrides a judge to REFUTED must be right where it fires; that share (precision)
is what this prints, per source and per kind of value; and for the rules that SUPPORT
(:func:`plugins.factcheck.slots.find_support`) the share of their firings on SUPPORTED
pairs.

    python bench/factcheck_slots.py [--data ../shared/data/factcheck] [--show 10]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_factcheck_reader import DEFAULT_DATA, NOT_S, R, S, load_real  # noqa: E402

from plugins.factcheck.slots import (  # noqa: E402
    SLOT_CONFIDENCE,
    SUPPORT_CONFIDENCE,
    find_slot_conflict,
    find_support,
)

NAMES = {S: "S", R: "R", 2: "N", NOT_S: "notS"}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--show", type=int, default=0, help="print this many wrong firings per source")
    ap.add_argument("--kind", default=None, help="show wrong firings of this kind only")
    args = ap.parse_args(argv)
    real = load_real(args.data)
    pairs = real["train"] + real["dev"]
    fired: dict[str, Counter] = {}
    totals: Counter = Counter()
    wrong: dict[str, list] = {}
    supported: dict[str, Counter] = {}
    for p in pairs:
        if p.source in ("snli",):
            continue
        totals[p.source, NAMES[p.target]] += 1
        c = find_slot_conflict(p.claim, [p.premise])
        if c is None:
            support = find_support(p.claim, [p.premise])
            if support is not None:
                supported.setdefault(p.source, Counter())[
                    "support:" + support[0], NAMES[p.target]
                ] += 1
            continue
        fired.setdefault(p.source, Counter())[c.kind, NAMES[p.target]] += 1
        if p.target == S and (args.kind is None or c.kind == args.kind):
            wrong.setdefault(p.source, []).append(
                (p.claim, c.claim_value, c.evidence_value, c.sentence)
            )
    out = {}
    for source, counts in sorted(fired.items()):
        row = {}
        for kind in SLOT_CONFIDENCE:
            by = {lab: counts[kind, lab] for lab in ("S", "R", "N", "notS") if counts[kind, lab]}
            n = sum(by.values())
            row[kind] = {
                "fired": n,
                "labels": by,
                "not_supported_share": round(1 - by.get("S", 0) / n, 3) if n else None,
            }
        row["pairs"] = {
            lab: totals[source, lab] for lab in ("S", "R", "N", "notS") if totals[source, lab]
        }
        out[source] = row
    for source, counts in sorted(supported.items()):  # the rules that SUPPORT: precision
        for kind in SUPPORT_CONFIDENCE:
            by = {lab: counts["support:" + kind, lab] for lab in ("S", "R", "N", "notS")
                  if counts["support:" + kind, lab]}  # fmt: skip
            n = sum(by.values())
            out.setdefault(source, {})["support:" + kind] = {
                "fired": n, "labels": by,
                "supported_share": round(by.get("S", 0) / n, 3) if n else None,
            }  # fmt: skip
    print(json.dumps(out, indent=1))
    for source, rows in wrong.items():
        for claim, cv, ev, sent in rows[: args.show]:
            print(f"[{source}] {claim!r}: {cv!r} vs {ev!r} in {sent[:160]!r}")


if __name__ == "__main__":
    main()
