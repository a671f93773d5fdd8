"""Choosing the reader's ``claim_prior`` on development data only.

The reader judge divides part of its lean for a claim alone (the claim against empty evidence)
out of each (evidence, claim) judgement
(:func:`plugins.factcheck.aggregate.discount_claim_prior`). This sweeps that strength on the
development sets nothing is trained on or reported from: the FEVER and SNLI dev pairs of
``bench/train_factcheck_reader.py`` (FEVER: SUPPORTED vs not; SNLI: 3-way accuracy) and the
development knowledge bases of ``bench/factcheck_dev_kb.py`` end to end through the
``FactChecker`` (documents, with the slot rule: claims right per set), and prints one row per
strength.

    python bench/factcheck_claim_prior.py [--strengths 0,0.1,0.2,0.3,0.5] [--reader-weights W]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_factcheck_reader import DEFAULT_DATA, S, load_real  # noqa: E402

from plugins.factcheck.aggregate import discount_claim_prior  # noqa: E402


def dev_pairs(judge, data: Path, strengths: list[float]) -> dict[float, dict]:
    """Accuracy on the FEVER / SNLI dev pairs per strength (probabilities computed once)."""
    dev = load_real(data)["dev"]
    claims = [p.claim for p in dev]
    probs = judge.pair_probs(claims, [p.premise for p in dev])
    priors = judge.pair_probs(claims, [""] * len(claims))
    target = np.array([p.target for p in dev])
    source = np.array([p.source for p in dev])
    fever, snli = source == "fever", source == "snli"
    out = {}
    for a in strengths:
        pred = discount_claim_prior(probs, priors, a).argmax(axis=1)
        out[a] = {
            "fever_s_vs_not": float(np.mean((pred[fever] == S) == (target[fever] == S))),
            "snli_3way": float(np.mean(pred[snli] == target[snli])),
        }
    return out


def dev_kb(judge, strengths: list[float]) -> dict[float, dict[str, int]]:
    """Claims right on each development knowledge base (as documents), per strength."""
    from factcheck_dev_kb import SETS, dev_kb_accuracy

    from knowledge import Embedder
    from plugins.factcheck import FactChecker

    checker = FactChecker(None, judge, top_k=3, evidence_windows=3, encoder=Embedder())
    out = {}
    for a in strengths:
        judge.claim_prior = a
        scores = {name: dev_kb_accuracy(checker, name) for name in SETS}
        out[a] = {name: r["right"] for name, r in scores.items()}
        out[a]["all"] = sum(out[a].values())
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--strengths", default="0,0.1,0.2,0.25,0.3,0.4,0.5")
    ap.add_argument("--reader-weights", type=Path, default=None)
    args = ap.parse_args(argv)
    from plugins.factcheck import make_judge

    strengths = [float(s) for s in args.strengths.split(",")]
    judge = make_judge("reader", **({"weights": args.reader_weights} if args.reader_weights else {}))
    pairs = dev_pairs(judge, args.data, strengths)
    kb = dev_kb(judge, strengths)
    for a in strengths:
        print(json.dumps({"claim_prior": a, **pairs[a], "dev_kbs": kb[a]}), flush=True)


if __name__ == "__main__":
    main()
