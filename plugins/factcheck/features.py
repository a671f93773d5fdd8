"""Features of a (claim, evidence) pair for the built-in judge.

The sentence embeddings of both sides combined as ``[u, v, |u-v|, u*v]`` (frozen MiniLM
vectors), a short vector of lexical contradiction cues (negation, numbers, antonyms, names,
overlap) that embeddings are known to miss (:func:`pair_features`, also used by the ``cross``
judge), and for the built-in judge also word-alignment cues (:func:`judge_features`:
:mod:`plugins.factcheck.align`, static MiniLM token vectors, no extra forward pass; the cue
columns are :data:`CUE_NAMES`). The same functions serve training
(``bench/train_factcheck_judge.py``) and inference, so the two cannot drift apart.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np

from plugins.factcheck.align import ALIGN_NAMES, StaticWordVectors, alignment_features
from plugins.factcheck.lexicon import FUNCTION_WORDS

__all__ = ["CUE_NAMES", "LEXICAL_NAMES", "judge_features", "lexical_features", "pair_features"]

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d+(?:[.,]\d+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "cannot",
        "can't",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "won't",
        "wouldn't",
        "hasn't",
        "haven't",
        "hadn't",
        "shouldn't",
        "couldn't",
        "without",
        "unable",
        "incapable",
        "fails",
        "failed",
        "lacks",
    ]
)
_EXCLUSIVE = frozenset(["only", "solely", "exclusively", "always", "every", "all", "entirely"])
_STOP = FUNCTION_WORDS | {"after", "before", "between", "during"}
_ANTONYM_TEXT = (
    "increase:decrease increases:decreases increased:decreased increasing:decreasing rise:fall "
    "rising:falling rose:fell more:less more:fewer higher:lower high:low warming:cooling "
    "warmer:cooler warm:cold hot:cold gain:loss gaining:losing growing:shrinking grow:shrink "
    "positive:negative true:false largest:smallest large:small biggest:smallest big:small "
    "before:after first:last major:minor accelerating:slowing expanding:shrinking "
    "thicker:thinner above:below north:south east:west male:female living:dead alive:dead "
    "born:died win:lose won:lost fiction:nonfiction fictional:real ancient:modern "
    "public:private natural:artificial natural:human safe:dangerous strong:weak stable:unstable "
    "legal:illegal possible:impossible likely:unlikely harmful:harmless success:failure "
    "accept:reject support:oppose agree:disagree include:exclude minimum:maximum older:younger "
    "early:late earlier:later synchronous:asynchronous mutable:immutable sorted:unsorted "
    "ascending:descending inclusive:exclusive odd:even"
)
_ANTONYM_PAIRS: tuple[tuple[str, str], ...] = tuple(
    (a, b) for a, b in (pair.split(":") for pair in _ANTONYM_TEXT.split())
)
_ANTONYMS: dict[str, frozenset[str]] = {}
for _a, _b in _ANTONYM_PAIRS:
    _ANTONYMS[_a] = _ANTONYMS.get(_a, frozenset()) | {_b}
    _ANTONYMS[_b] = _ANTONYMS.get(_b, frozenset()) | {_a}

LEXICAL_NAMES: tuple[str, ...] = (
    "claim_coverage",  # share of the claim's content words found in the evidence
    "evidence_coverage",  # share of the evidence's content words found in the claim
    "claim_negations",
    "evidence_negations",
    "negation_mismatch",  # parity of negations differs
    "claim_exclusive",  # only / always / all ... in the claim, not in the evidence
    "claim_has_number",
    "number_missing",  # the claim has a number the evidence lacks (and the evidence has some)
    "number_match",  # some claim number appears in the evidence
    "number_conflict",  # a claim number and a different evidence number share a neighbour word
    "names_missing",  # share of the claim's capitalised words absent from the evidence
    "antonym",  # a claim word whose antonym is in the evidence, itself absent
    "length_ratio",
    "claim_missing",  # how many claim content words the evidence lacks (capped at 5, /5)
    "bigram_coverage",  # share of the claim's word bigrams found in the evidence
    "on_topic_conflict",  # number conflict x claim coverage (a conflict on the same subject)
    "on_topic_negation",  # negation mismatch x claim coverage
    "on_topic_antonym",  # antonym x claim coverage
    "cosine",
)
CUE_NAMES: tuple[str, ...] = LEXICAL_NAMES + ALIGN_NAMES


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _content(tokens: Sequence[str]) -> set[str]:
    return {t.lower() for t in tokens if t.lower() not in _STOP and len(t) > 1}


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def _close(a: str, b: str) -> bool:
    """Same number up to rounding: 27 ~ 27.3, 1.5 ~ 1.50; whole numbers (years) must match."""
    try:
        x, y = float(a), float(b)
    except ValueError:
        return a == b
    if x == y:
        return True
    if "." not in a and "." not in b:
        return False
    return abs(x - y) <= 0.05 * max(abs(x), abs(y))


def _unmatched(claim_numbers: set[str], evidence_numbers: set[str]) -> set[str]:
    return {n for n in claim_numbers if not any(_close(n, e) for e in evidence_numbers)}


def _number_conflict(ct: Sequence[str], et: Sequence[str]) -> float:
    """1.0 when the claim says "40 degrees" / "in 1925" where the evidence says "100 degrees" /
    "in 1889": a number the evidence lacks, next to a word the evidence has next to another."""

    def contexts(tokens: Sequence[str]) -> dict[str, set[tuple[int, str]]]:
        low = [t.lower() for t in tokens]
        out: dict[str, set[tuple[int, str]]] = {}
        for i, t in enumerate(low):
            if _NUMBER.fullmatch(t):
                ctx = out.setdefault(t.replace(",", ""), set())
                if i > 0:
                    ctx.add((-1, low[i - 1]))
                if i + 1 < len(low):
                    ctx.add((1, low[i + 1]))
        return out

    claim, evidence = contexts(ct), contexts(et)
    for number, ctx in claim.items():
        if not _unmatched({number}, set(evidence)):
            continue
        if any(ctx & ectx for ectx in evidence.values()):
            return 1.0
    return 0.0


def _negations(tokens: Sequence[str]) -> int:
    lowered = [t.lower() for t in tokens]
    count = sum(t in _NEGATIONS or t.endswith("n't") for t in lowered)
    count += sum(1 for a, b in itertools.pairwise(lowered) if (a, b) == ("yet", "to"))
    return count


def _names(tokens: Sequence[str]) -> set[str]:
    return {t.lower() for i, t in enumerate(tokens) if i > 0 and t[:1].isupper()}


def lexical_features(claim: str, evidence: str, cosine: float) -> np.ndarray:
    """The lexical cue vector of one pair, in the order of :data:`LEXICAL_NAMES`."""
    ct, et = _tokens(claim), _tokens(evidence)
    cw, ew = _content(ct), _content(et)
    ew_all = {t.lower() for t in et}
    coverage = len(cw & ew) / len(cw) if cw else 0.0
    back = len(cw & ew) / len(ew) if ew else 0.0
    cn, en = _negations(ct), _negations(et)
    exclusive = float(
        any(t.lower() in _EXCLUSIVE for t in ct) and not any(t.lower() in _EXCLUSIVE for t in et)
    )
    cnum, enum = _numbers(claim), _numbers(evidence)
    number_missing = float(bool(_unmatched(cnum, enum)) and bool(enum))
    number_match = float(len(_unmatched(cnum, enum)) < len(cnum))
    conflict = _number_conflict(ct, et)
    names = _names(ct)
    names_missing = len(names - ew_all) / len(names) if names else 0.0
    antonym = float(any(w in _ANTONYMS and w not in ew_all and (_ANTONYMS[w] & ew_all) for w in cw))
    ratio = min(len(ct), 1 + len(et)) / (1 + len(et))
    missing = min(len(cw - ew_all), 5) / 5
    cl, el = [t.lower() for t in ct], [t.lower() for t in et]
    cb, eb = set(itertools.pairwise(cl)), set(itertools.pairwise(el))
    bigrams = len(cb & eb) / len(cb) if cb else 0.0
    return np.array(
        [
            coverage,
            back,
            min(cn, 3) / 3,
            min(en, 3) / 3,
            float(cn % 2 != en % 2),
            exclusive,
            float(bool(cnum)),
            number_missing,
            number_match,
            conflict,
            names_missing,
            antonym,
            ratio,
            missing,
            bigrams,
            conflict * coverage,
            float(cn % 2 != en % 2) * coverage,
            antonym * coverage,
            cosine,
        ],
        dtype=np.float32,
    )


def pair_features(
    claim_vecs: np.ndarray,
    evidence_vecs: np.ndarray,
    claims: Sequence[str],
    evidences: Sequence[str],
) -> np.ndarray:
    """Feature rows ``[u, v, |u-v|, u*v, lexical...]`` for aligned claim/evidence pairs."""
    u = np.asarray(claim_vecs, dtype=np.float32)
    v = np.asarray(evidence_vecs, dtype=np.float32)
    cos = np.sum(u * v, axis=1)
    lex = (
        np.stack(
            [
                lexical_features(c, e, float(s))
                for c, e, s in zip(claims, evidences, cos, strict=True)
            ]
        )
        if len(cos)
        else np.zeros((0, len(LEXICAL_NAMES)), dtype=np.float32)
    )
    return np.concatenate([u, v, np.abs(u - v), u * v, lex], axis=1).astype(np.float32)


def judge_features(
    claim_vecs: np.ndarray,
    evidence_vecs: np.ndarray,
    claims: Sequence[str],
    evidences: Sequence[str],
    words: StaticWordVectors | None = None,
) -> np.ndarray:
    """The built-in judge's rows: :func:`pair_features` followed by the alignment cues, so the
    last ``len(CUE_NAMES)`` columns are the cues; ``words`` defaults to the bundled MiniLM
    token table."""
    base = pair_features(claim_vecs, evidence_vecs, claims, evidences)
    words = words if words is not None else StaticWordVectors.bundled()
    align = (
        np.stack([alignment_features(c, e, words) for c, e in zip(claims, evidences, strict=True)])
        if len(base)
        else np.zeros((0, len(ALIGN_NAMES)), dtype=np.float32)
    )
    return np.concatenate([base, align], axis=1).astype(np.float32)
