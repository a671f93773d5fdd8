"""Does a sentence that is not about the claim change the reader's answer? Development pairs only.

Knowledge-base evidence windows hold neighbouring sentences, and some of them are negated. A
judge that reads any "not" in its evidence as REFUTED turns supported claims REFUTED there.
This takes FEVER, SciFact, Climate-FEVER, WiCE and SNLI ``dev`` pairs (never trained on) and
judges each three ways: as is, with an unrelated affirmative sentence from another dev premise
added before or after the premise, and with an unrelated negated one. It prints accuracy and
the share of REFUTED answers for each (the judge alone, claim prior off).

    python bench/factcheck_distractors.py [--reader-weights W] [--n 400]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from factcheck_contrast import negate  # noqa: E402
from train_factcheck_reader import (  # noqa: E402
    DEFAULT_DATA,
    NOT_S,
    R,
    S,
    Pair,
    _sentences,
    _short_sentence,
    beside,
    load_real,
)


def with_distractor(
    pairs: list[Pair], pool: list[tuple[str, str]], rng: random.Random
) -> list[Pair]:
    """Each pair with one ``(original, shown)`` sentence of ``pool`` added before or after its
    premise, never one whose original is in that premise (its own evidence, negated)."""
    out = []
    for p in pairs:
        extra = rng.choice(pool)
        while extra[0] in p.premise:
            extra = rng.choice(pool)
        out.append(replace(p, premise=beside(p.premise, extra[1], rng)))
    return out


def score(judge, pairs: list[Pair]) -> dict:  # type: ignore[no-untyped-def]
    probs = judge.pair_probs([p.claim for p in pairs], [p.premise for p in pairs])
    pred = probs.argmax(axis=1)
    right = [
        (y == S) == (p.target == S) if p.target == NOT_S else y == p.target
        for y, p in zip(pred, pairs, strict=True)
    ]
    return {"acc": round(sum(right) / len(pairs), 4),
            "refuted_share": round(float((pred == R).mean()), 4)}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reader-weights", type=Path, default=None)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--n", type=int, default=400, help="pairs (a quarter of them SNLI)")
    args = ap.parse_args(argv)
    from plugins.factcheck.reader import ReaderJudge

    judge = ReaderJudge(
        claim_prior=0.0, **({"weights": args.reader_weights} if args.reader_weights else {})
    )
    dev = load_real(args.data)["dev"]
    rng = random.Random(5)
    rng.shuffle(dev)
    snli = args.n // 4
    pairs = [p for p in dev if p.source != "snli"][: args.n - snli]
    pairs += [p for p in dev if p.source == "snli"][:snli]
    plain = [s for p in dev for s in _sentences(p.premise) if _short_sentence(s)]
    pool = [(s, s) for s in plain]
    negated = [(s, n) for s, n in ((s, negate(s)) for s in plain) if n and " not " in n]
    out = {
        "n": len(pairs),
        "plain": score(judge, pairs),
        "affirmative_distractor": score(judge, with_distractor(pairs, pool, random.Random(6))),
        "negated_distractor": score(judge, with_distractor(pairs, negated, random.Random(6))),
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
