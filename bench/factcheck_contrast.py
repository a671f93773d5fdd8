"""Contrastive claims: minimal edits that turn a supported claim into a refuted one.

Refuted claims in the wild are often one edit away from true ones (VitaminC, COVID-Fact): a
negation, a changed number, a swapped entity, an antonym, a quantifier. ``contrast(claim,
evidence, rng)`` makes such an edit of a claim that ``evidence`` supports, taking replacement
entities and numbers from the evidence itself where it can, and says which edit it made.
The opposite, edits that keep the meaning (``preserve``, ``double_negation``), are here too.
Training data only; nothing at run time imports this.
"""

from __future__ import annotations

import random
import re

__all__ = ["AUXILIARIES", "EDITS", "affirmative_twin", "contrast", "double_negation", "negate", "preserve"]

_ANTONYM_PAIRS = """
min max|minimum maximum|increase decrease|increases decreases|increased decreased|
increasing decreasing|more less|higher lower|larger smaller|bigger smaller|faster slower|
before after|first last|always never|true false|possible impossible|stable unstable|
mutable immutable|positive negative|better worse|best worst|ascending descending|
sorted unsorted|older younger|north south|east west|rise fall|rises falls|rose fell|won lost|
wins loses|male female|above below|inside outside|open closed|include exclude|
includes excludes|heavier lighter|hot cold|warmer cooler|warming cooling|early late|
earlier later|began ended|same different|synchronous asynchronous|legal illegal|
visible invisible|safe unsafe|allowed forbidden|accepts rejects|success failure|strong weak|
strengthens weakens|up down|enabled disabled|required optional|public private|local global|
deep shallow|wide narrow|rich poor|many few|most least|majority minority|gains losses|
agree disagree|supports opposes|supported opposed|lowest highest|minimal maximal|
shorter longer|cheaper dearer|easier harder|left right|internal external|input output|
start end|starts ends|created destroyed|ancient modern|underestimated overestimated|
reduces raises|reduced raised|expands shrinks|alive dead|won lost|entered left|
constant variable|finite infinite|even odd|upper lower|deterministic random
"""
ANTONYMS: dict[str, str] = {}
for _pair in _ANTONYM_PAIRS.replace("\n", "").split("|"):
    _a, _b = _pair.split()
    ANTONYMS.setdefault(_a, _b)
    ANTONYMS.setdefault(_b, _a)

_QUANTIFIERS = {
    "all": "no", "every": "no", "always": "never", "everyone": "no one", "none": "all",
    "no": "all", "never": "always", "nobody": "everybody", "some": "no", "only": "not only",
}  # fmt: skip
AUXILIARIES = r"is|are|was|were|has|have|had|can|could|will|would|should|does|do|did|must|may"
_AUX = re.compile(
    rf"\b({AUXILIARIES})"
    r"(\s+not\b|n't\b|\b)",  # a whole word: "Douglas", "cancer" and "down" are not verbs
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w.]?\d)")
_ENTITY = re.compile(
    r"(?<!^)(?<![.!?]\s)\b([A-Z][\w'-]+(?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\w'-]+)*)"
)
_WORD = re.compile(r"\b\w+\b")
VERB_S = re.compile(r"(?<=\w )([a-z]{3,}?)(ies|es|s)\b")  # a third-person verb: stem, suffix
_DETERMINERS = frozenset(
    {
        "the",
        "a",
        "an",
        "of",
        "and",
        "its",
        "their",
        "many",
        "some",
        "these",
        "those",
        "all",
        "two",
        "three",
        "several",
        "in",
        "on",
        "for",
        "with",
    }
)
_NOT_VERBS = frozenset(
    {"is", "was", "has", "this", "its", "as", "us", "his", "thus", "always", "less"}
)

EDITS = ("negation", "number", "entity", "antonym", "quantifier")


def verb_base(verb: re.Match[str]) -> str:
    """The base form of a third-person verb matched by ``VERB_S`` ("works" -> "work",
    "carries" -> "carry", "uses" -> "use", "reaches" -> "reach")."""
    stem, suffix = verb.group(1), verb.group(2)
    if suffix == "ies":
        return stem + "y"
    if suffix == "es" and not stem.endswith(("sh", "ch", "x", "ss", "o")):
        return stem + "e"
    return stem


def negate(claim: str) -> str | None:
    """``claim`` with its first auxiliary or verb negated (a negated one un-negated), or None."""
    m = _AUX.search(claim)
    if m is None:  # "X works" -> "X does not work"
        for v in VERB_S.finditer(claim):
            word = v.group(0)
            before = claim[: v.start()].split()
            if (
                word in _NOT_VERBS
                or word.endswith(("ss", "ous"))
                or (before and before[-1].lower() in _DETERMINERS)
            ):
                continue
            return claim[: v.start()] + "does not " + verb_base(v) + claim[v.end() :]
        return None
    if m.group(2):  # "is not" / "isn't" -> "is"
        return claim[: m.start()] + m.group(1) + claim[m.end() :]
    return claim[: m.end()] + " not" + claim[m.end() :]


def _new_number(text: str, rng: random.Random) -> str:
    plain = text.replace(",", "")
    if "." in plain:
        value = float(plain)
        return f"{value * rng.choice((0.5, 1.5, 2.0, 3.0)) + rng.choice((0.1, 1.3)):.{len(plain.split('.')[1])}f}"
    value = int(plain)
    if 1500 <= value <= 2100:  # a year
        return str(value + rng.choice((-1, 1)) * rng.randint(2, 30))
    choices = [value + d for d in (1, 2, 3, 5, 10)] + [value * 2, value * 10, max(0, value - 1)]
    choices = [c for c in choices if c != value]
    new = rng.choice(choices)
    return f"{new:,}" if "," in text else str(new)


def _change_number(claim: str, evidence: str, rng: random.Random) -> str | None:
    found = list(_NUMBER.finditer(claim))
    if not found:
        return None
    m = rng.choice(found)
    others = [n for n in _NUMBER.findall(evidence) if n != m.group(1) and n not in claim]
    new = rng.choice(others) if others and rng.random() < 0.5 else _new_number(m.group(1), rng)
    return claim[: m.start()] + new + claim[m.end() :]


def _swap_entity(claim: str, evidence: str, rng: random.Random) -> str | None:
    in_claim = [m for m in _ENTITY.finditer(claim)]
    candidates = [
        e for e in dict.fromkeys(m.group(1) for m in _ENTITY.finditer(evidence))
        if e.lower() not in claim.lower() and len(e) > 2
    ]  # fmt: skip
    if not in_claim or not candidates:
        return None
    m = rng.choice(in_claim)
    return claim[: m.start()] + rng.choice(candidates) + claim[m.end() :]


def _replace_word(claim: str, table: dict[str, str], rng: random.Random) -> str | None:
    hits = [m for m in _WORD.finditer(claim) if m.group(0).lower() in table]
    if not hits:
        return None
    m = rng.choice(hits)
    word = m.group(0)
    new = table[word.lower()]
    if word[0].isupper():
        new = new[0].upper() + new[1:]
    return claim[: m.start()] + new + claim[m.end() :]


def contrast(claim: str, evidence: str, rng: random.Random) -> tuple[str, str] | None:
    """A refuted variant of ``claim`` (supported by ``evidence``) and the edit's name, or None
    when no edit applies. Edits are tried in a random order; the first that applies wins."""
    order = list(EDITS)
    rng.shuffle(order)
    for edit in order:
        if edit == "negation":
            new = negate(claim)
        elif edit == "number":
            new = _change_number(claim, evidence, rng)
        elif edit == "entity":
            new = _swap_entity(claim, evidence, rng)
        elif edit == "antonym":
            new = _replace_word(claim, ANTONYMS, rng)
        else:
            new = _replace_word(claim, _QUANTIFIERS, rng)
        if new and new != claim:
            return new, edit
    return None


# opposite words whose negation does not follow from the other (an event that began may also
# have ended): never used for a restatement
_NOT_CONTRARY = frozenset(
    "began ended start end starts ends created destroyed entered left rise fall rises falls "
    "rose fell up down gains losses won lost wins loses local global right input output "
    "upper lower first last most least".split()
)
_CONTRARIES = {a: b for a, b in ANTONYMS.items() if a not in _NOT_CONTRARY}
_PAREN = re.compile(r"\s*\([^()]{1,120}\)")
_CUT = re.compile(r",\s+(?:which|who|where|while|and|but)\b|;\s+")


def double_negation(sentence: str, rng: random.Random) -> str | None:
    """The same statement with an opposite word in its predicate and the verb negated ("were
    excluded" -> "were not included", "is rare" -> "is not common"), or None."""
    aux = _AUX.search(sentence)
    if aux is None or aux.group(2):
        return None
    # the opposite word within the predicate's first words, not a later clause
    tail = sentence[aux.end() :]
    words = list(re.finditer(r"\S+", tail))
    cut = words[min(4, len(words) - 1)].end() if words else 0
    swapped = _replace_word(tail[:cut], _CONTRARIES, rng)
    return sentence[: aux.end()] + " not" + swapped + tail[cut:] if swapped else None


def preserve(claim: str, rng: random.Random) -> str | None:
    """A restatement of ``claim`` that its evidence still supports, or None: a double
    negation (:func:`double_negation`), a parenthesis dropped, or the sentence cut before a
    trailing clause. The judge must not read every difference from the evidence (a "not",
    fewer words) as a refutation."""
    order = ["double", "paren", "cut"]
    rng.shuffle(order)
    for kind in order:
        new: str | None = None
        if kind == "double":
            new = double_negation(claim, rng)
        elif kind == "paren":
            found = list(_PAREN.finditer(claim))
            if found:
                m = rng.choice(found)
                new = claim[: m.start()] + claim[m.end() :]
        else:
            m = _CUT.search(claim)
            if m and len(claim[: m.start()].split()) >= 6:
                new = claim[: m.start()].rstrip() + "."
        if new and new != claim:
            return new
    return None


_AFFIRM_AUX = AUXILIARIES + "|might"
_NEGATION_CUES = re.compile(
    r"\b(?:not|no|never|none|nothing|nobody|neither|nor|cannot|without)\b|n't\b", re.IGNORECASE
)
# (pattern, replacement) for the one negation; the first that matches is used
_AFFIRM_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\b({_AFFIRM_AUX})\s+not\b", re.IGNORECASE), r"\1"),  # "is not" -> "is"
    (re.compile(r"\bcannot\b", re.IGNORECASE), "can"),
    (re.compile(r"\bcan't\b", re.IGNORECASE), "can"),
    (re.compile(r"\bwon't\b", re.IGNORECASE), "will"),
    (re.compile(rf"\b({_AFFIRM_AUX})n't\b", re.IGNORECASE), r"\1"),  # "doesn't" -> "does"
    (re.compile(r"\bno longer\b", re.IGNORECASE), "still"),
    (re.compile(r"\s+never\b", re.IGNORECASE), ""),  # "has never voted" -> "has voted"
    (re.compile(r"\bwithout any\b", re.IGNORECASE), "with"),
    (re.compile(r"\bwithout\b", re.IGNORECASE), "with"),
    (re.compile(r"(?<=\w )no\s+(?=[a-z])"), ""),  # "contains no cobalt" -> "contains cobalt"
)


def affirmative_twin(claim: str) -> str | None:
    """The affirmative twin of a negated claim: ``claim`` with its single negation taken out
    ("is not" -> "is", "has never voted" -> "has voted", "contains no cobalt" -> "contains
    cobalt"), or None when it has none, several, or one this cannot take out cleanly (a
    negation that opens the sentence, "none", "neither")."""
    cues = _NEGATION_CUES.findall(claim)
    if len(cues) != 1:
        return None
    for pattern, replacement in _AFFIRM_RULES:
        twin, n = pattern.subn(replacement, claim, count=1)
        if n:
            twin = re.sub(r"\s{2,}", " ", twin).strip()
            return twin if not _NEGATION_CUES.search(twin) else None
    return None
