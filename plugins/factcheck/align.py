"""Word alignment of a claim to its evidence (an ESIM-like cue without an extra forward pass).

Every content word of the claim is aligned to its most similar evidence word. Similarity is 1
for the same word (or the same crude stem) and otherwise the cosine of MiniLM's *static input
token embeddings* (the model's embedding table, a lookup: a word is the mean of its
word-piece rows), so "film" ~ "movie" align while "metal" ~ "dancehall" do not. The cues
summarise the alignment: how much of the claim is aligned, its weakest word, and whether
everything but one content slot is aligned, the usual shape of a claim that swaps one entity
or attribute of its evidence ("associated with death metal" vs "... dancehall music").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from plugins.factcheck.errors import JudgeLoadError
from plugins.factcheck.lexicon import FUNCTION_WORDS

__all__ = ["ALIGN_NAMES", "STOPWORDS", "StaticWordVectors", "alignment_features"]

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d+(?:[.,]\d+)*")
STOPWORDS = FUNCTION_WORDS | {"s"}
_SUFFIXES = ("ing", "ed", "es", "s", "ly")
_ALIGNED = 0.55  # static-embedding cosine from which two different words count as aligned

ALIGN_NAMES: tuple[str, ...] = (
    "align_mean",  # mean best alignment of the claim's content words
    "align_min",  # the weakest claim word's best alignment
    "align_second_min",  # the second weakest (1.0 with fewer than two words)
    "align_frac",  # share of claim content words aligned (exact, stem or cosine >= 0.55)
    "align_exact_frac",  # share matched exactly or by stem
    "align_unaligned",  # unaligned claim content words, capped at 4, /4
    "align_one_slot",  # exactly one content word unaligned and >= 2 aligned: a swapped slot
    "align_all",  # every content word aligned
    "align_unaligned_name",  # an unaligned capitalised word or number (entity swap)
    "align_near_miss",  # best non-exact similarity of a not-exactly-matched word (0.3..0.9)
    "align_subject",  # mean alignment of the claim's first two content words
    "align_rest_min",  # weakest alignment among the remaining words
)


def _stem(word: str) -> str:
    """Crude stem: temperatures ~ temperature, increased ~ increases."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word.rstrip("e") if len(word) > 4 else word


class StaticWordVectors:
    """Unit-length static word vectors from a BERT-style model directory (tokenizer.json and
    model.safetensors with ``embeddings.word_embeddings.weight``), memoised per word."""

    def __init__(self, model_dir: str | Path, *, max_words: int = 200_000) -> None:
        model_dir = Path(model_dir)
        try:
            from safetensors import safe_open
            from tokenizers import Tokenizer

            self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
            self._tokenizer.no_padding()
            self._tokenizer.no_truncation()
            with safe_open(str(model_dir / "model.safetensors"), "np") as fh:
                key = next(k for k in fh.keys() if k.endswith("word_embeddings.weight"))  # noqa: SIM118
                table = fh.get_tensor(key).astype(np.float32)
        except Exception as exc:  # missing file, bad JSON, no such tensor: all a load error
            raise JudgeLoadError(
                f"cannot load static word vectors from {model_dir}: {exc}"
            ) from exc
        self._table = table
        self.dimension = int(table.shape[1])
        self._max_words = max_words
        self._memo: dict[str, np.ndarray] = {}

    @classmethod
    @functools.cache
    def bundled(cls) -> StaticWordVectors:
        """The table of the bundled all-MiniLM-L6-v2 (loaded once per process)."""
        from knowledge.embeddings import resolve_model_path

        return cls(resolve_model_path("all-MiniLM-L6-v2"))

    def vectors(self, words: Sequence[str]) -> np.ndarray:
        """``(len(words), dimension)`` unit rows; lower-cased words. Thread-safe: the memo is
        replaced, never cleared in place, when it grows past ``max_words``."""
        memo = self._memo
        todo = [w for w in dict.fromkeys(words) if w not in memo]
        fresh: dict[str, np.ndarray] = {}
        if todo:
            for word, enc in zip(
                todo, self._tokenizer.encode_batch(todo, add_special_tokens=False), strict=True
            ):
                vec = self._table[enc.ids or [0]].mean(axis=0)
                fresh[word] = vec / (np.linalg.norm(vec) + 1e-8)
            if len(memo) + len(fresh) > self._max_words:
                self._memo = {}
            self._memo.update(fresh)
        if not words:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([fresh[w] if w in fresh else memo[w] for w in words])


def _content(text: str) -> list[tuple[str, bool]]:
    """(lower-cased content word, is a name or number) in order, without repeats."""
    out: dict[str, bool] = {}
    for i, tok in enumerate(_WORD.findall(text)):
        low = tok.lower()
        if low in STOPWORDS or len(low) < 2 or low in out:
            continue
        out[low] = tok[0].isdigit() or (i > 0 and tok[0].isupper())
    return list(out.items())


def alignment_features(claim: str, evidence: str, words: StaticWordVectors) -> np.ndarray:
    """The alignment cue vector of one pair, in the order of :data:`ALIGN_NAMES`."""
    cw = _content(claim)
    ew = [w for w, _ in _content(evidence)]
    if not cw or not ew:
        return np.zeros(len(ALIGN_NAMES), dtype=np.float32)
    cwords = [w for w, _ in cw]
    sims = words.vectors(cwords) @ words.vectors(ew).T
    estems = {_stem(w) for w in ew}
    exact = np.array([w in ew or _stem(w) in estems for w in cwords])
    best = np.where(exact, 1.0, np.clip(sims.max(axis=1), 0.0, 1.0))
    aligned = best >= _ALIGNED
    n_un = int((~aligned).sum())
    names = np.array([is_name for _, is_name in cw])
    order = np.sort(best)
    near = best[~exact]
    near = near[(near >= 0.3) & (near < 0.9)]
    rest = best[2:]
    return np.array(
        [
            best.mean(),
            order[0],
            order[1] if len(order) > 1 else 1.0,
            aligned.mean(),
            exact.mean(),
            min(n_un, 4) / 4,
            float(n_un == 1 and aligned.sum() >= 2),
            float(n_un == 0),
            float(bool((names & ~exact).any())),
            float(near.max()) if len(near) else 0.0,
            best[:2].mean(),
            rest.min() if len(rest) else 1.0,
        ],
        dtype=np.float32,
    )
