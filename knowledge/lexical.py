"""BM25 over a collection's stored chunks (bm25s), and reciprocal rank fusion."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Bm25Index", "reciprocal_rank_fusion", "stem", "tokenize"]

_TOKEN_RE = re.compile(r"[a-z0-9_]+")
# A short English stopword list; identifiers and numbers are kept.
_STOPWORDS = frozenset(
    (
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "so",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "this",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    )
)


def stem(word: str) -> str:
    """A light English suffix stripper (plurals, -ing, -ed, final -e); words only."""
    if not word.isalpha() or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "zes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lower-cased, lightly stemmed word tokens without stopwords; ``snake_case`` identifiers
    are kept whole and also yield their parts (``dotted.names`` split into words anyway)."""
    tokens: list[str] = []
    for token in _TOKEN_RE.findall(text.lower()):
        if token in _STOPWORDS:
            continue
        tokens.append(stem(token))
        if "_" in token:
            tokens.extend(stem(p) for p in token.split("_") if p and p not in _STOPWORDS)
    return tokens


@dataclass(frozen=True)
class Bm25Index:
    """A BM25 index over ``texts``; ``ids[i]`` names ``texts[i]``."""

    ids: tuple[str, ...]
    texts: tuple[str, ...]
    _model: object

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> Bm25Index:
        import bm25s

        model = bm25s.BM25()
        corpus = [tokenize(text) or [""] for text in texts]
        model.index(corpus, show_progress=False)
        return cls(tuple(ids), tuple(texts), model)

    def top(self, query: str, k: int) -> list[tuple[int, float]]:
        """``(position, score)`` of the ``k`` best documents with a positive score."""
        model = self._model
        vocab = model.vocab_dict  # type: ignore[attr-defined]
        token_ids = [vocab[t] for t in tokenize(query) if t in vocab]
        if not token_ids or not self.ids:
            return []
        scores = np.asarray(model.get_scores_from_ids(token_ids))  # type: ignore[attr-defined]
        k = min(k, len(scores))
        order = np.argsort(-scores, kind="stable")[:k]
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], *, k: int = 60
) -> list[tuple[str, float]]:
    """Fuse ranked id lists; scores are normalised to 0..1 (1 = first in every list)."""
    if not rankings:
        return []
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc_id in enumerate(ranking, start=1):
            fused[doc_id] = fused.get(doc_id, 0.0) + 1.0 / (k + rank)
    best = len(rankings) / (k + 1)
    ordered = sorted(fused.items(), key=lambda item: (-item[1], item[0]))
    return [(doc_id, min(1.0, score / best)) for doc_id, score in ordered]
