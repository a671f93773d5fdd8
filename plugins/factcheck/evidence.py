"""Evidence at the grain a judge reads: sentences and short windows of retrieved chunks.

Retrieval returns chunks of several sentences; a claim is usually settled by one of them (or by
two neighbours, when the second says "It ..."). :func:`select_evidence` splits each retrieved
chunk into sentences with their character spans, scores every sentence and every pair of
neighbouring sentences by how much of the claim's content (IDF-weighted, over the candidates
of this claim) they cover, and keeps the best few windows. Each window keeps its chunk id,
source and span, so a caller can show exactly which text was judged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.chunking import is_heading
from knowledge.lexical import tokenize
from knowledge.types import SearchHit

__all__ = ["EvidenceWindow", "select_evidence", "sentence_spans"]

# A sentence ends at . ! ? (plus closing quotes/brackets) before whitespace and something that
# can start a sentence (a list item's "- " too: chunks stored before items kept their own line
# read "... 9:30 pm. - Each class ..."); a blank line or a list item always ends one.
_BOUNDARY = re.compile(
    r"(?<=[.!?])[\"')\]]*\s+(?=(?:[-*+•]\s+)?[\"'(\[`*#-]?[A-Z0-9])"
    r"|\n\s*\n|\n(?=\s*(?:[-*+•]|\d{1,3}[.)]|#+)\s)"
)
_ABBREV_END = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|vs|cf|Dr|Mr|Mrs|Ms|Prof|St|Jr|Sr|No|Fig|approx|U\.S|U\.K|Inc|Ltd)"
    r"|\b[A-Z])\.[\"')\]]*$",
    re.IGNORECASE,
)
_PAIR_PENALTY = 0.05  # a pair must cover more of the claim than its better sentence to win
_MIN_SHARE = 0.34  # windows covering less than this share of the best window's coverage drop


@dataclass(frozen=True, slots=True)
class EvidenceWindow:
    """One or two neighbouring sentences of a retrieved chunk: ``text == chunk[start:end]``."""

    chunk_id: str
    source: str
    text: str
    start: int
    end: int
    retrieval_score: float
    relevance: float
    title: str = ""  # the title of the chunk's document, where the knowledge base has one

    def as_hit(self) -> SearchHit:
        return SearchHit(
            self.chunk_id,
            self.source,
            self.text,
            self.retrieval_score,
            {"span": (self.start, self.end), "relevance": self.relevance, "title": self.title},
        )


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, whitespace trimmed, in order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if (
            _ABBREV_END.search(text[max(start, m.start() - 12) : m.start()])
            and "\n" not in m.group()
        ):
            continue  # "e.g. Foo", "J. Smith": not a sentence end
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    out: list[tuple[int, int]] = []
    for s, e in _split_headings(text, spans):
        piece = text[s:e]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        if e - trail <= s + lead:
            continue
        s, e = s + lead, e - trail
        if out and text[out[-1][1] - 1] == "?" and not is_heading(text[s:e]):
            out[-1] = (out[-1][0], e)  # a question and its answer ("Q: ...? A: ...") are one
        else:
            out.append((s, e))
    return out


def _split_headings(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A Markdown heading line ends at its line break (it has no full stop)."""
    out = []
    for s, e in spans:
        piece = text[s:e]
        body = piece.lstrip()
        newline = piece.find("\n", len(piece) - len(body))
        if is_heading(body) and newline != -1:
            out += [(s, s + newline), (s + newline + 1, e)]
        else:
            out.append((s, e))
    return out


def _coverage(claim_terms: dict[str, float], terms: set[str], total: float) -> float:
    return sum(w for t, w in claim_terms.items() if t in terms) / total if total else 0.0


def select_evidence(
    claim: str, hits: Sequence[SearchHit], *, max_windows: int = 3
) -> list[EvidenceWindow]:
    """The ``max_windows`` sentences or neighbour pairs of ``hits`` that best cover ``claim``.

    Ties (and windows that cover nothing) go to the better-ranked chunk. Windows repeated
    verbatim in overlapping chunks count once; two chosen windows never share a sentence.
    Windows that cover far less of the claim than the best one are left out (they could only
    add noise); when nothing covers any of the claim's content, there is no evidence (the
    judge then answers NOT_ENOUGH_INFO rather than guess from unrelated text).
    """
    if max_windows < 1 or not hits:
        return []
    sentences: list[tuple[int, int, int, set[str]]] = []  # hit index, start, end, terms
    section_starts: set[int] = set()  # sentences right after a heading pair with nothing before
    for h, hit in enumerate(hits):
        for s, e in sentence_spans(hit.text):
            if is_heading(hit.text[s:e]):  # a title labels evidence; it is not evidence
                section_starts.add(len(sentences))
            else:
                sentences.append((h, s, e, set(tokenize(hit.text[s:e]))))
    if not sentences:
        return []
    n = len(sentences)
    claim_tokens = tokenize(claim)
    df: dict[str, int] = {}
    for *_, terms in sentences:
        for t in terms:
            df[t] = df.get(t, 0) + 1
    claim_terms = {t: math.log(1 + (n + 1) / (df.get(t, 0) + 0.5)) for t in set(claim_tokens)}
    total = sum(claim_terms.values())

    candidates: list[tuple[float, int, int, int, int]] = []  # -score, hit, first, last sentence
    for i, (h, _, _, terms) in enumerate(sentences):
        single = _coverage(claim_terms, terms, total)
        candidates.append((-single, h, i, i, 0))
        if i + 1 < n and sentences[i + 1][0] == h and i + 1 not in section_starts:
            pair = _coverage(claim_terms, terms | sentences[i + 1][3], total) - _PAIR_PENALTY
            candidates.append((-pair, h, i, i + 1, 1))
    candidates.sort()
    if candidates[0][0] >= 0:  # no window shares any content word with the claim
        return []
    floor = -candidates[0][0] * _MIN_SHARE

    chosen: list[EvidenceWindow] = []
    used: set[int] = set()
    seen_text: set[str] = set()
    for neg, h, first, last, _ in candidates:
        if -neg < floor:
            break
        if used.intersection(range(first, last + 1)):
            continue
        hit = hits[h]
        start, end = sentences[first][1], sentences[last][2]
        text = hit.text[start:end]
        key = " ".join(text.lower().split())
        if key in seen_text:
            continue
        seen_text.add(key)
        used.update(range(first, last + 1))
        title = str((hit.metadata or {}).get("title") or "")
        chosen.append(
            EvidenceWindow(
                hit.id, hit.source, text, start, end, float(hit.score), max(0.0, -neg), title
            )
        )
        if len(chosen) == max_windows:
            break
    return chosen
