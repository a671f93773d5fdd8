"""Benchmark of the fact-checker and its built-in judge (all numbers measured in this run).

1. Climate-FEVER, claim level (DISPUTED dropped): every claim is checked against a knowledge
   base of all 5,240 evidence sentences (in-memory cosine retriever, top-3), with k-fold
   cross-validation over claims: the judge that labels a fold was trained without that fold's
   claims (bench/train_factcheck_judge.py --holdout-fold). Baselines in the same run: majority
   class and a cosine threshold (top-1 similarity >= t -> SUPPORTED else NOT_ENOUGH_INFO, t
   fitted on the training folds).
2. Climate-FEVER claim/evidence pairs of the held-out folds (3 classes).
3. Climate-FEVER claim level on the fixed 30 % held-out claim split of
   bench/train_factcheck_cross.py (not the full-set k-fold): the shipped ``cross`` judge
   (trained without those claims) against a ``builtin`` judge trained in this run on exactly
   the cross judge's training pairs, same retrieval, same claims.
4. FEVER-Symmetric TEST pairs with the shipped weights of both judges (never trained or tuned
   on).
5. Speed: claims/s and p50/p95 latency per request (one claim per request), against the raw
   MiniLM encode rate of the same claim texts (one text per call) in this process, for both
   judges, interleaved.
6. Transfer (skip with ``--no-transfer``): the same recipe trained with no Climate-FEVER data
   at all (``train_factcheck_judge.py --no-climate``: FEVER-Symmetric dev, WiCE and pairs
   synthesised from them; no claim gate, so the decisive-passage rule decides) on all
   Climate-FEVER claims and their pairs: how the judge does on a fact-check set it never saw.
7. With ``--nli-model ID_OR_PATH`` (repeatable): the ``nli`` judge with that NLI cross-encoder
   on Climate-FEVER claim level (all claims: it never saw them), FEVER-Symmetric test and its
   speed against the raw encode. For GPU deployments (``--nli-device cuda``); no such model
   can be downloaded on the machines these numbers come from, so none is reported below.

    nice -n 10 python bench/factcheck_eval.py [--quick] [--folds 5] [--no-kfold]
        [--old-weights OLD.npz]   # e.g. git show REV:plugins/factcheck/builtin_judge.npz
        [--nli-model cross-encoder/nli-deberta-v3-xsmall --nli-device cuda]

Measured (2 shared, busy CPU cores, 2026-11-28). Current weights = the 5-head ensemble with
alignment cues, slot-swap synthetic pairs and the learned NEI gate, trained with FEVER-derived
pairs counted three times (bench/train_factcheck_judge.py, FEVER_REPEAT); "previous" = the
same design without the repeat (commit ad35541). Run 3 (full run, ``--old-weights`` = the
previous weights):
- Climate-FEVER claim level, 5-fold: 0.488 macro-F1 (acc 0.524; recall S 0.517, R 0.324,
  N 0.641); decisive-passage rule on the same pair models 0.469; majority 0.214; cosine
  threshold 0.385; folds 1..4 only 0.480 (cosine 0.381). The previous design measured 0.490
  (decisive 0.471) in run 1: no change beyond noise. Goal >= 0.55: not reached. The repeat
  was chosen on FEVER-Symmetric dev grouped CV, but a scratch harness also looked at
  Climate-FEVER out-of-fold numbers over these folds (see train_factcheck_judge.py), so the
  k-fold numbers are mildly optimistic.
- Climate-FEVER pairs of the held-out folds: 0.501 macro-F1 (previous design 0.496).
- Fixed 30 % split (a single head trained here on the cross judge's pairs, unchanged
  recipe): builtin 0.462, cross 0.466.
- FEVER-Symmetric TEST, S-vs-R accuracy: 0.678, previous weights 0.670 in the same run, cross
  0.555; 3-way with NEI counted wrong: 0.642 / 0.622 / 0.479 (macro-F1 0.658 / 0.642 /
  0.488). +6 of 712 pairs on S-vs-R is inside the noise (standard error ~0.018); the grouped
  dev CV had predicted +0.023. Goal >= 0.70: not reached.
- Speed, same run: builtin end-to-end 40.3 claims/s = 0.89x raw MiniLM encode (45.5 texts/s;
  p50 23.7 ms, p95 33.9 ms); cross 0.18x. Run 4 (``--no-kfold``, same weights): the same
  FEVER-Symmetric numbers, builtin 40.0 claims/s = 0.87x raw (46.1 texts/s; p50 24.1 ms,
  p95 35.2 ms), cross 0.17x. Goal >= 0.70x: met (the weights have the same shapes as before,
  so inference cost is unchanged).

Run 5 (2026-11-28, ``--no-kfold``, same weights): FEVER-Symmetric test S-vs-R 0.678 (3-way
0.642), speed 0.88x raw encode (48.3 claims/s vs 54.8 texts/s; p50 20.4 ms, p95 27.4 ms), and
the new transfer section: trained without Climate-FEVER (3,435 pairs, 16 s), Climate-FEVER
claim level 0.369 macro-F1 (acc 0.366; recall S 0.312, R 0.628, N 0.302) against majority
0.214, pairs 0.395 (recall S 0.152, R 0.486, N 0.714). So on a set it never saw the judge is
well above the majority class but below the in-domain k-fold 0.488 (and below the cosine
threshold's 0.385, which is fitted on Climate-FEVER): ~40 % of the in-domain gain over
majority (0.274 vs 0.155) comes from training on the domain. It over-calls REFUTED there
(FEVER's label balance and the synthetic contradictions), the first thing a better-generalising
judge has to fix.

Earlier runs of the previous weights (run 1: everything but speed; run 2: ``--no-kfold``):
Climate-FEVER 5-fold 0.490, pairs 0.496, FEVER-Symmetric test S-vs-R 0.670 (the single-head
weights before them 0.664), 3-way 0.622; speed 0.88x raw encode (37.7 claims/s vs 43.0
texts/s). Run 1 measured 0.46x with all heads in one (d, 5*128) product: on the busy host
that product started multi-threaded BLAS and took 1-18 ms; one product per head takes ~0.5 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import train_factcheck_cross as trc
import train_factcheck_judge as tr

from knowledge.embedcache import CachedEmbedder
from knowledge.types import SearchHit
from plugins.factcheck.aggregate import PairJudge, decisive_evidence
from plugins.factcheck.builtin import DEFAULT_WEIGHTS, BuiltinJudge
from plugins.factcheck.checker import FactChecker
from plugins.factcheck.cross import DEFAULT_WEIGHTS as CROSS_WEIGHTS
from plugins.factcheck.cross import CrossJudge
from plugins.factcheck.memory import InMemoryRetriever, Passage
from plugins.factcheck.types import LABELS

SHORT = {"SUPPORTED": "S", "REFUTED": "R", "NOT_ENOUGH_INFO": "N"}


def metrics(gold: list[str], pred: list[str], labels: tuple[str, ...] = LABELS) -> dict:
    gold_a, pred_a = np.array(gold), np.array(pred)
    conf = np.array([[int(np.sum((gold_a == g) & (pred_a == p))) for p in LABELS] for g in labels])
    f1s, recalls = [], {}
    for g in labels:
        tp = np.sum((gold_a == g) & (pred_a == g))
        prec = tp / max(1, np.sum(pred_a == g))
        rec = tp / max(1, np.sum(gold_a == g))
        recalls[g] = float(rec)
        f1s.append(0.0 if tp == 0 else 2 * prec * rec / (prec + rec))
    return {
        "n": len(gold),
        "accuracy": float(np.mean(gold_a == pred_a)),
        "macro_f1": float(np.mean(f1s)),
        "recall": recalls,
        "confusion": conf,
    }


def show(title: str, m: dict, labels: tuple[str, ...] = LABELS) -> None:
    rec = " ".join(f"{SHORT[k]}={v:.3f}" for k, v in m["recall"].items())
    print(f"{title}: n={m['n']} acc={m['accuracy']:.3f} macro-F1={m['macro_f1']:.3f} recall[{rec}]")
    print("    confusion (rows gold " + "/".join(SHORT[g] for g in labels) + ", cols pred S/R/N):")
    for g, row in zip(labels, m["confusion"], strict=True):
        print(f"      {SHORT[g]}: {row.tolist()}")


def climate_claims(quick: bool) -> tuple[list[dict], list[Passage]]:
    data = tr.load_climate()
    passages = {
        e["evidence_id"]: Passage(e["evidence_id"], e["evidence"], e["article"])
        for c in data
        for e in c["evidences"]
    }
    claims = [c for c in data if c["claim_label"] != "DISPUTED"]
    if quick:
        claims = claims[:120]
    return claims, list(passages.values())


def gold_label(raw: str) -> str:
    return LABELS[tr.LABEL_IDS[raw]]


def timed_checks(
    checker: FactChecker, claims: list[str]
) -> tuple[list[str], list[float], list[list[SearchHit]]]:
    preds, lat, hits = [], [], []
    for claim in claims:
        t0 = time.perf_counter()
        report = checker.check_claims([claim], top_k=3)
        lat.append(time.perf_counter() - t0)
        preds.append(report.claims[0].verdict)
        hits.append(report.claims[0].evidence)
    return preds, lat, hits


def pair_labels(judge, claims: list[dict]) -> tuple[list[str], list[str]]:
    """(gold, predicted) labels of every claim/evidence pair of ``claims``."""
    pc = [c["claim"] for c in claims for _ in c["evidences"]]
    pe = [e["evidence"] for c in claims for e in c["evidences"]]
    gold = [gold_label(e["evidence_label"]) for c in claims for e in c["evidences"]]
    return gold, [LABELS[i] for i in judge.pair_probs(pc, pe).argmax(axis=1)]


def warm_retriever(raw, passages: list[Passage], vectors: dict) -> tuple:
    """(encoder, retriever) with a fresh cache that holds only the KB passages' vectors
    (computed earlier in this run, same encoder): every claim is encoded for real, as in a
    real knowledge base whose passages were indexed beforehand."""
    warm = CachedEmbedder(raw)
    for p in passages:
        if p.text in vectors:
            warm._cache[p.text] = vectors[p.text]
    retriever = InMemoryRetriever(warm)
    retriever.add(passages)
    return warm, retriever


def interleaved_times(texts: list[str], calls: list) -> list[list[float]]:
    """Seconds per call of each of ``calls`` (each takes one text), the calls taking turns on
    every text so that all see the same machine load."""
    times: list[list[float]] = [[] for _ in calls]
    for text in texts:
        for bucket, call in zip(times, calls, strict=True):
            t0 = time.perf_counter()
            call(text)
            bucket.append(time.perf_counter() - t0)
    return times


def rate_line(name: str, times: list[float], raw_rate: float) -> str:
    rate = len(times) / sum(times)
    return (
        f"  {name}: {rate:.1f} claims/s = {rate / raw_rate:.2f} x raw; latency p50 "
        f"{1000 * np.percentile(times, 50):.1f} ms, p95 {1000 * np.percentile(times, 95):.1f} ms"
    )


def speed(
    raw, passages: list[Passage], texts: list[str], vectors: dict, cross_weights: Path
) -> None:
    """Claims/s and latency per request (one claim each), interleaved with the raw encode of
    the same claim; fresh caches (:func:`warm_retriever`)."""
    warm, retriever = warm_retriever(raw, passages, vectors)
    shared = FactChecker(retriever, BuiltinJudge(warm), top_k=3)
    cold = FactChecker(retriever, BuiltinJudge(raw), top_k=3)  # judge re-encodes evidence
    cross = FactChecker(retriever, CrossJudge(warm, weights=cross_weights), top_k=3)
    cross.check_claims(["warm-up claim"], top_k=3)  # loads the torch model
    t_raw, t_shared, t_cold, t_cross = interleaved_times(
        texts,
        [
            lambda t: raw.embed([t]),
            lambda t: shared.check_claims([t], top_k=3),
            lambda t: cold.check_claims([t], top_k=3),
            lambda t: cross.check_claims([t], top_k=3),
        ],
    )
    raw_rate = len(t_raw) / sum(t_raw)
    print(
        f"\n== Speed ({len(texts)} requests of one claim, top-3 of {len(passages)} passages, "
        "interleaved) =="
    )
    print(
        f"  raw MiniLM encode of the same claims, 1 text/call: {raw_rate:.1f} texts/s, "
        f"p50 {1000 * np.percentile(t_raw, 50):.1f} ms"
    )
    for name, ts in (
        ("builtin, end-to-end, judge shares the KB's embedding cache", t_shared),
        (("builtin, end-to-end, own cache (evidence encoded on first sight)"), t_cold),
        ("cross, end-to-end, judge shares the KB's embedding cache", t_cross),
    ):
        print(rate_line(name, ts, raw_rate))


def fever_sym_report(name: str, judge, claims: list[str], evidences: list[str], gold: list[str]):
    """``judge`` on FEVER-Symmetric test pairs: 3-way (NEI counted wrong) and S-vs-R only."""
    probs = judge.pair_probs(claims, evidences)  # one passage per claim: judge_many == these
    three = [decisive_evidence(row[None], min_decisive=judge.min_decisive).label for row in probs]
    binary = ["SUPPORTED" if p[0] >= p[1] else "REFUTED" for p in probs]
    two = ("SUPPORTED", "REFUTED")
    show(f"  {name}, 3-way (NEI counts as wrong)", metrics(gold, three, two), two)
    show(f"  {name}, S-vs-R only", metrics(gold, binary, two), two)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small subsets, one fold")
    parser.add_argument("--folds", type=int, default=tr.FOLDS)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/factforge_fc_vectors.npz"))
    parser.add_argument("--no-kfold", action="store_true", help="skip the builtin k-fold part")
    parser.add_argument("--cross-weights", type=Path, default=CROSS_WEIGHTS)
    parser.add_argument(
        "--cross-pairs", action="store_true", help="also score the cross judge per pair (slow)"
    )
    parser.add_argument("--speed-n", type=int, default=400, help="claims in the speed test")
    parser.add_argument(
        "--old-weights",
        type=Path,
        default=None,
        help="earlier builtin weights to score on FEVER-Symmetric test beside the shipped ones",
    )
    parser.add_argument(
        "--nli-model",
        action="append",
        default=[],
        metavar="ID_OR_PATH",
        help="also measure the nli judge with this CrossEncoder NLI model (repeatable; for "
        "GPU deployments; a hub id needs the hub, a local path does not)",
    )
    parser.add_argument("--nli-device", default=None, help="torch device for --nli-model")
    parser.add_argument(
        "--no-transfer", action="store_true", help="skip the judge trained without Climate-FEVER"
    )
    args = parser.parse_args(argv)
    from knowledge.embeddings import Embedder

    raw = Embedder()
    raw.embed(["warm-up"])
    claims, passages = climate_claims(args.quick)
    print(
        f"Climate-FEVER: {len(claims)} claims (DISPUTED dropped), KB of {len(passages)} "
        "evidence sentences, top-3 retrieval"
    )

    folds = [] if args.no_kfold else [0] if args.quick else list(range(args.folds))
    gold, pred, pred_dec, base_cos, base_major, fold_of = [], [], [], [], [], []
    pair_gold, pair_pred = [], []
    tmp = Path(tempfile.mkdtemp(prefix="fc-eval-"))
    shared = CachedEmbedder(raw)
    # KB passage vectors may come from the training cache (same encoder); claims never do,
    # so every request below really encodes its claim.
    passage_texts = {p.text for p in passages}
    cached = tr.embed_texts([], raw, args.cache) if args.cache.exists() else {}
    for text, vec in cached.items():
        if text in passage_texts:
            shared._cache[text] = vec
    retriever = InMemoryRetriever(shared)
    retriever.add(passages)
    for fold in folds:
        t0 = time.perf_counter()
        arrays, meta = tr.train(fold, raw, cache=args.cache)
        tr.save(arrays, meta, tmp / f"fold{fold}.npz")
        judge = BuiltinJudge(shared, weights=tmp / f"fold{fold}.npz")
        print(f"  fold {fold}: trained on {meta['pairs']} pairs in {time.perf_counter() - t0:.0f}s")
        held = [c for c in claims if tr.climate_fold(c["claim_id"], args.folds) == fold]
        train_claims = [c for c in claims if tr.climate_fold(c["claim_id"], args.folds) != fold]
        checker = FactChecker(retriever, judge, top_k=3)
        p, _, hits = timed_checks(checker, [c["claim"] for c in held])
        pred += p
        # the same pair model with the fixed decisive-passage rule instead of the learned one
        pred_dec += [j.label for j in PairJudge.judge_many(judge, [c["claim"] for c in held], hits)]
        gold += [gold_label(c["claim_label"]) for c in held]
        fold_of += [fold] * len(held)
        # baselines fitted on the training folds only
        labels_tr = [gold_label(c["claim_label"]) for c in train_claims]
        major = max(set(labels_tr), key=labels_tr.count)
        base_major += [major] * len(held)
        tr_top = [
            h[0].score for h in retriever.search_many([c["claim"] for c in train_claims], top_k=1)
        ]
        best_t = max(
            np.unique(np.round(tr_top, 3)),
            key=lambda t: metrics(
                labels_tr, ["SUPPORTED" if s >= t else "NOT_ENOUGH_INFO" for s in tr_top]
            )["macro_f1"],
        )
        base_cos += ["SUPPORTED" if h[0].score >= best_t else "NOT_ENOUGH_INFO" for h in hits]
        # pairs of the held-out claims
        fold_gold, fold_pred = pair_labels(judge, held)
        pair_gold += fold_gold
        pair_pred += fold_pred

    if folds:
        print(f"\n== Climate-FEVER claim level, {len(folds)}-fold (judge never saw the fold) ==")
        show("  majority baseline", metrics(gold, base_major))
        show("  cosine-threshold baseline", metrics(gold, base_cos))
        show("  builtin judge, decisive-passage rule", metrics(gold, pred_dec))
        show("  builtin judge (shipped design: learned aggregation)", metrics(gold, pred))
    if len(folds) > 1:
        keep = [i for i, f in enumerate(fold_of) if f != 0]

        def pick(xs: list) -> list:
            return [xs[i] for i in keep]

        print("  (fold 0 served for design choices; folds 1.. were never looked at before:)")
        show("  majority baseline, folds 1..", metrics(pick(gold), pick(base_major)))
        show("  cosine-threshold baseline, folds 1..", metrics(pick(gold), pick(base_cos)))
        show("  builtin judge, folds 1..", metrics(pick(gold), pick(pred)))
    if folds:
        print("\n== Climate-FEVER claim/evidence pairs, held-out folds ==")
        show("  builtin judge (pairs)", metrics(pair_gold, pair_pred))

    if not args.no_transfer:
        transfer_eval(raw, shared, retriever, claims, args.cache, tmp)

    heldout_compare(raw, shared, retriever, claims, args.cross_weights, tmp, args.cross_pairs)

    # --- FEVER-Symmetric test with the shipped weights ------------------------------------------
    test = tr.load_fever_sym("test")
    if args.quick:
        test = test[:200]
    fc, fe = (
        [tr.clean_fever(x["claim"]) for x in test],
        [tr.clean_fever(x["evidence"]) for x in test],
    )
    fgold = [gold_label(x["label"]) for x in test]
    print("\n== FEVER-Symmetric TEST (shipped weights; never trained or tuned on) ==")
    judges = [("builtin", BuiltinJudge(shared, weights=DEFAULT_WEIGHTS))]
    if args.old_weights is not None:
        judges.append(("builtin OLD weights", BuiltinJudge(shared, weights=args.old_weights)))
    judges.append(("cross", CrossJudge(shared, weights=args.cross_weights)))
    for name, judge in judges:
        fever_sym_report(f"{name} judge", judge, fc, fe, fgold)

    for model in args.nli_model:
        nli_eval(model, args.nli_device, raw, passages, dict(shared._cache), claims, fc, fe, fgold)

    # --- speed ---------------------------------------------------------------------------------
    speed(
        raw,
        passages,
        [c["claim"] for c in claims][: 100 if args.quick else args.speed_n],
        dict(shared._cache),
        args.cross_weights,
    )
    return 0


def transfer_eval(raw, shared, retriever, claims: list[dict], cache: Path, tmp: Path) -> None:
    """The pair recipe trained with no Climate-FEVER data at all (FEVER-Symmetric dev, WiCE and
    pairs synthesised from them): how the judge does on a fact-check set it never saw. No
    claim gate (it is fitted on Climate-FEVER), so the decisive-passage rule decides."""
    t0 = time.perf_counter()
    arrays, meta = tr.train(None, raw, cache=cache, climate=False)
    tr.save(arrays, meta, tmp / "no_climate.npz")
    judge = BuiltinJudge(shared, weights=tmp / "no_climate.npz")
    print(
        f"\n== Transfer: judge trained WITHOUT Climate-FEVER ({meta['pairs']} pairs, "
        f"{time.perf_counter() - t0:.0f}s), all {len(claims)} claims =="
    )
    gold = [gold_label(c["claim_label"]) for c in claims]
    major = max(set(gold), key=gold.count)
    show("  majority class (of the evaluated set itself)", metrics(gold, [major] * len(gold)))
    pred, _, _ = timed_checks(FactChecker(retriever, judge, top_k=3), [c["claim"] for c in claims])
    show("  builtin recipe, no Climate-FEVER (claim level)", metrics(gold, pred))
    show("  builtin recipe, no Climate-FEVER (pairs)", metrics(*pair_labels(judge, claims)))


def nli_eval(
    model: str,
    device: str | None,
    raw,
    passages: list[Passage],
    vectors: dict,
    claims: list[dict],
    fc: list[str],
    fe: list[str],
    fgold: list[str],
) -> None:
    """An ``nli`` judge (an NLI cross-encoder that never saw these sets, so every claim counts):
    its speed against the raw MiniLM encode of the same claims (interleaved, each claim
    encoded for real: the retriever's cache starts with the KB passages only), then
    Climate-FEVER claim level through the same retriever and FEVER-Symmetric test."""
    from plugins.factcheck.nli import NLIJudge

    print(f"\n== nli judge {model} (device {device or 'auto'}; never trained on these sets) ==")
    _, retriever = warm_retriever(raw, passages, vectors)
    judge = NLIJudge(model, device=device)
    checker = FactChecker(retriever, judge, top_k=3)
    checker.check_claims(["warm-up claim"], top_k=3)  # loads the model
    texts = [c["claim"] for c in claims]
    t_raw, t_nli = interleaved_times(
        texts[:200], [lambda t: raw.embed([t]), lambda t: checker.check_claims([t], top_k=3)]
    )
    raw_rate = len(t_raw) / sum(t_raw)
    print(f"  raw MiniLM encode of the same claims, 1 text/call: {raw_rate:.1f} texts/s")
    print(rate_line(f"speed, {len(t_nli)} requests of one claim", t_nli, raw_rate))
    pred, _, _ = timed_checks(checker, texts)
    climate_gold = [gold_label(c["claim_label"]) for c in claims]
    show("  Climate-FEVER claim level, all claims", metrics(climate_gold, pred))
    fever_sym_report("FEVER-Symmetric test", judge, fc, fe, fgold)


def heldout_compare(
    raw, shared, retriever, claims: list[dict], cross_weights: Path, tmp: Path, pair_level: bool
):
    """Both judges on the cross judge's fixed 30 % held-out claims (same retrieval, same
    claims). The builtin judge is retrained here on exactly the cross judge's training pairs
    (its shipped weights saw every Climate-FEVER claim)."""
    held = [c for c in claims if trc.heldout(c["claim_id"])]
    train_claims = [c for c in claims if not trc.heldout(c["claim_id"])]
    t0 = time.perf_counter()
    pairs = trc.build_pairs()
    assert not any(
        p.group.startswith("climate:") and trc.heldout(p.group.split(":")[1]) for p in pairs
    )
    vectors = tr.embed_texts([t for p in pairs for t in (p.claim, p.evidence)], raw, trc.CACHE)
    arrays = tr.train_mlp(tr.featurize(pairs, vectors), np.array([p.label for p in pairs]))
    tr.save(arrays, {"lexical": list(tr.CUE_NAMES)}, tmp / "builtin_same_split.npz")
    print(
        f"\n== Climate-FEVER claim level, fixed 30 % HELD-OUT claim split ({len(held)} claims; "
        "not the full-set k-fold) =="
    )
    print(
        f"  builtin retrained on the cross judge's {len(pairs)} pairs in "
        f"{time.perf_counter() - t0:.0f}s"
    )
    texts = [c["claim"] for c in held]
    hits = retriever.search_many(texts, top_k=3)
    gold = [gold_label(c["claim_label"]) for c in held]
    labels_tr = [gold_label(c["claim_label"]) for c in train_claims]
    major = max(set(labels_tr), key=labels_tr.count)
    show("  majority baseline (from train claims)", metrics(gold, [major] * len(held)))
    for name, judge in (
        ("builtin (same split)", BuiltinJudge(shared, weights=tmp / "builtin_same_split.npz")),
        ("cross (shipped)", CrossJudge(shared, weights=cross_weights)),
    ):
        t1 = time.perf_counter()
        pred = [j.label for j in judge.judge_many(texts, hits)]
        show(f"  {name} [{time.perf_counter() - t1:.0f}s]", metrics(gold, pred))
        if name.startswith("cross") and not pair_level:
            continue
        show(f"  {name}, claim/evidence pairs", metrics(*pair_labels(judge, held)))


if __name__ == "__main__":
    raise SystemExit(main())
