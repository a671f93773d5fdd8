"""Train the built-in fact-check judge (plugins/factcheck/builtin_judge.npz) on CPU.

Training pairs (claim, evidence, label in SUPPORTED/REFUTED/NOT_ENOUGH_INFO):
- WiCE claim dev: supported claims with their supporting sentences (SUPPORTED); lexically close
  non-supporting sentences and random sentences (NOT_ENOUGH_INFO);
- FEVER-Symmetric *dev* (pairs whose claim or evidence also occur in the test split are dropped:
  the test split is only ever used for reporting);
- Climate-FEVER claim/evidence pairs of the claims in the training folds (``--holdout-fold``
  leaves one fold out; the evaluation reports on that fold only);
- synthetic REFUTED pairs made from SUPPORTED ones (negation toggled, a number changed, an
  antonym swapped) and NOT_ENOUGH_INFO pairs with a random passage of another claim.

Features: frozen all-MiniLM-L6-v2 vectors ``[u, v, |u-v|, u*v]`` plus lexical cues
(plugins/factcheck/features.py). Model: one hidden layer (128, ReLU, dropout) plus a linear path from the lexical cues
straight to the logits, 15 epochs, class-balanced
cross-entropy, AdamW; hyper-parameters fixed up front, not tuned on any reported split.

    nice -n 10 python bench/train_factcheck_judge.py            # ships the weights
    nice -n 10 python bench/train_factcheck_judge.py --out /tmp/j.npz --holdout-fold 0
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plugins.factcheck.features import LEXICAL_NAMES, pair_features

DATA = Path("/work/shared/data/factcheck")
for _cand in (
    ROOT / "shared" / "data" / "factcheck",
    ROOT.parent / "shared" / "data" / "factcheck",
):
    if _cand.exists():
        DATA = _cand
        break
DEFAULT_OUT = ROOT / "plugins" / "factcheck" / "builtin_judge.npz"
LABEL_IDS = {
    "SUPPORTS": 0,
    "SUPPORTED": 0,
    "REFUTES": 1,
    "REFUTED": 1,
    "NOT_ENOUGH_INFO": 2,
    "NOT ENOUGH INFO": 2,
}
FOLDS = 5


@dataclass(frozen=True, slots=True)
class Pair:
    claim: str
    evidence: str
    label: int
    group: str  # dataset:claim-id


# --- data -----------------------------------------------------------------------------------


def load_climate(data: Path = DATA) -> list[dict]:
    with gzip.open(data / "climate-fever.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def climate_fold(claim_id: str, folds: int = FOLDS) -> int:
    """Deterministic fold of a Climate-FEVER claim (hash of its id)."""
    return int(hashlib.sha1(claim_id.encode()).hexdigest(), 16) % folds


def load_fever_sym(split: str, data: Path = DATA) -> list[dict]:
    with open(data / f"fever_symmetric_{split}.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def load_wice(data: Path = DATA) -> list[dict]:
    with gzip.open(data / "wice_claim_dev.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def clean_fever(text: str) -> str:
    """Undo FEVER's tokenisation (-LRB- ... , ``) so it reads like ordinary text."""
    text = (
        text.replace("-LRB-", "(")
        .replace("-RRB-", ")")
        .replace("-LSB-", "[")
        .replace("-RSB-", "]")
        .replace("``", '"')
        .replace("''", '"')
    )
    text = re.sub(r"\s+([,.;:)\]!?'])", r"\1", text)
    text = re.sub(r"([(\[])\s+", r"\1", text)
    text = re.sub(r"\s+(n't|'s)\b", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


# --- synthetic pairs ------------------------------------------------------------------------

_AUX = re.compile(r"\b(is|are|was|were|has|have|had|can|will|does|did|could|should|would)\b")
_NOT = re.compile(r"\b(is|are|was|were|has|have|had|can|will|does|did|could|should|would) not\b")
_NUM = re.compile(r"\b\d+(?:\.\d+)?\b")
_SWAPS = {
    "increase": "decrease",
    "decrease": "increase",
    "increased": "decreased",
    "decreased": "increased",
    "increasing": "decreasing",
    "decreasing": "increasing",
    "more": "less",
    "less": "more",
    "higher": "lower",
    "lower": "higher",
    "warming": "cooling",
    "cooling": "warming",
    "rise": "fall",
    "rising": "falling",
    "largest": "smallest",
    "smallest": "largest",
    "before": "after",
    "after": "before",
    "first": "last",
    "last": "first",
    "north": "south",
    "south": "north",
    "male": "female",
    "female": "male",
    "won": "lost",
    "lost": "won",
}


def perturb(claim: str, rng: random.Random) -> list[str]:
    """Up to two claims that the evidence of ``claim`` refutes (none when no rule applies)."""
    options = []
    if _NOT.search(claim):
        options.append(_NOT.sub(lambda m: m.group(1), claim, count=1))
    elif _AUX.search(claim):
        options.append(_AUX.sub(lambda m: m.group(1) + " not", claim, count=1))
    nums = _NUM.findall(claim)
    if nums:
        n = rng.choice(nums)
        value = float(n)
        new = value + rng.choice([-1, 1]) * max(1, round(abs(value) * rng.uniform(0.1, 0.5)))
        new_s = str(int(new)) if "." not in n else f"{new:.{len(n.split('.')[1])}f}"
        options.append(re.sub(rf"\b{re.escape(n)}\b", new_s, claim, count=1))
    words = [w for w in re.findall(r"[A-Za-z]+", claim) if w.lower() in _SWAPS]
    if words:
        w = rng.choice(words)
        options.append(re.sub(rf"\b{w}\b", _SWAPS[w.lower()], claim, count=1))
    options = [o for o in options if o != claim]
    rng.shuffle(options)
    return options[:2]


def _overlap(a: str, b: str) -> float:
    ta, tb = set(a.lower().split()), set(b.lower().split())
    return len(ta & tb) / (1 + len(ta))


# --- pair assembly --------------------------------------------------------------------------


def build_pairs(holdout_fold: int | None, seed: int = 0, data: Path = DATA) -> list[Pair]:
    rng = random.Random(seed)
    pairs: list[Pair] = []

    test = load_fever_sym("test", data)
    test_texts = {x["claim"] for x in test} | {x["evidence"] for x in test}
    fever = [
        x
        for x in load_fever_sym("dev", data)
        if x["claim"] not in test_texts and x["evidence"] not in test_texts
    ]
    for i, x in enumerate(fever):
        pairs.append(
            Pair(
                clean_fever(x["claim"]),
                clean_fever(x["evidence"]),
                LABEL_IDS[x["label"]],
                f"fever:{i}",
            )
        )

    for i, x in enumerate(load_wice(data)):
        sents = [s for s in x["evidence"] if len(s.split()) >= 4]
        support = {j for group in x["supporting_sentences"] for j in group}
        if x["label"] == "supported":
            for group in x["supporting_sentences"][:3]:
                text = " ".join(x["evidence"][j] for j in group if j < len(x["evidence"]))
                if text.strip():
                    pairs.append(Pair(x["claim"], text, 0, f"wice:{i}"))
        others = [s for j, s in enumerate(x["evidence"]) if j not in support and s in sents]
        others.sort(key=lambda s: -_overlap(x["claim"], s))
        for s in others[:2]:
            pairs.append(Pair(x["claim"], s, 2, f"wice:{i}"))

    for c in load_climate(data):
        if holdout_fold is not None and climate_fold(c["claim_id"]) == holdout_fold:
            continue
        for e in c["evidences"]:
            pairs.append(
                Pair(
                    c["claim"],
                    e["evidence"],
                    LABEL_IDS[e["evidence_label"]],
                    f"climate:{c['claim_id']}",
                )
            )

    supported = [p for p in pairs if p.label == 0]
    for p in supported:
        for new in perturb(p.claim, rng):
            pairs.append(Pair(new, p.evidence, 1, p.group + ":synthetic"))
    pool = [p.evidence for p in pairs]
    for p in rng.sample(supported, k=min(len(supported), 1500)):
        pairs.append(Pair(p.claim, rng.choice(pool), 2, p.group + ":random"))
    return pairs


# --- embeddings -----------------------------------------------------------------------------


def embed_texts(texts: list[str], encoder, cache: Path | None = None) -> dict[str, np.ndarray]:
    """Vectors of the unique ``texts``; an optional on-disk cache keyed by text."""
    stored: dict[str, np.ndarray] = {}
    if cache is not None and cache.exists():
        with np.load(cache, allow_pickle=False) as data:
            stored = dict(zip(json.loads(str(data["texts"])), data["vecs"], strict=True))
    todo = [t for t in dict.fromkeys(texts) if t not in stored]
    if todo:
        vecs = encoder.embed(todo)
        stored.update(zip(todo, vecs, strict=True))
        if cache is not None:
            keys = list(stored)
            np.savez(cache, texts=json.dumps(keys), vecs=np.stack([stored[k] for k in keys]))
    return stored


def featurize(pairs: list[Pair], vectors: dict[str, np.ndarray]) -> np.ndarray:
    u = np.stack([vectors[p.claim] for p in pairs])
    v = np.stack([vectors[p.evidence] for p in pairs])
    return pair_features(u, v, [p.claim for p in pairs], [p.evidence for p in pairs])


# --- model ----------------------------------------------------------------------------------


def train_mlp(
    x: np.ndarray, y: np.ndarray, *, hidden: int = 128, epochs: int = 15, seed: int = 0
) -> dict[str, np.ndarray]:
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    mean = x.mean(axis=0)
    std = x.std(axis=0) + 1e-6
    xt = torch.from_numpy((x - mean) / std).float()
    yt = torch.from_numpy(y).long()
    counts = np.bincount(y, minlength=3).astype(np.float64)
    weights = torch.tensor(counts.sum() / (3 * np.maximum(counts, 1)), dtype=torch.float32)
    n_lex = len(LEXICAL_NAMES)
    net = torch.nn.Sequential(
        torch.nn.Dropout(0.1),
        torch.nn.Linear(x.shape[1], hidden),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.3),
        torch.nn.Linear(hidden, 3),
    )
    wide = torch.nn.Linear(n_lex, 3, bias=False)  # lexical cues straight to the logits
    params = list(net.parameters()) + list(wide.parameters())
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.05)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        net.train()
        for idx in torch.randperm(len(yt), generator=gen).split(256):
            opt.zero_grad()
            batch = xt[idx]
            loss = loss_fn(net(batch) + wide(batch[:, -n_lex:]), yt[idx])
            loss.backward()
            opt.step()
    lin1, lin2 = net[1], net[4]
    return {
        "mean": mean.astype(np.float32),
        "std": std.astype(np.float32),
        "w1": lin1.weight.detach().numpy().T.astype(np.float16),
        "b1": lin1.bias.detach().numpy().astype(np.float32),
        "w2": lin2.weight.detach().numpy().T.astype(np.float32),
        "b2": lin2.bias.detach().numpy().astype(np.float32),
        "w_lex": wide.weight.detach().numpy().T.astype(np.float32),
    }


def train(
    holdout_fold: int | None, encoder, *, cache: Path | None = None, seed: int = 0
) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    pairs = build_pairs(holdout_fold, seed=seed)
    vectors = embed_texts([t for p in pairs for t in (p.claim, p.evidence)], encoder, cache)
    x = featurize(pairs, vectors)
    y = np.array([p.label for p in pairs])
    arrays = train_mlp(x, y, seed=seed)
    meta = {
        "lexical": list(LEXICAL_NAMES),
        "embedding_model": "all-MiniLM-L6-v2",
        "holdout_fold": holdout_fold,
        "folds": FOLDS,
        "pairs": len(pairs),
        "label_counts": np.bincount(y, minlength=3).tolist(),
        "seed": seed,
    }
    return arrays, meta


def save(arrays: dict[str, np.ndarray], meta: dict[str, object], out: Path) -> None:
    np.savez_compressed(out, meta=json.dumps(meta), **arrays)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--holdout-fold",
        type=int,
        default=None,
        help="leave this Climate-FEVER fold out (for k-fold evaluation)",
    )
    parser.add_argument("--cache", type=Path, default=Path("/tmp/factforge_fc_vectors.npz"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from knowledge.embeddings import Embedder

    start = time.perf_counter()
    arrays, meta = train(args.holdout_fold, Embedder(), cache=args.cache, seed=args.seed)
    save(arrays, meta, args.out)
    print(
        f"trained on {meta['pairs']} pairs {meta['label_counts']} (S/R/NEI) in "
        f"{time.perf_counter() - start:.1f}s -> {args.out} "
        f"({args.out.stat().st_size / 1e6:.2f} MB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
