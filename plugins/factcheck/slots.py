"""Slot conflicts: a claim that puts a different number or name in a slot its evidence fills.

"Harbor listens on port 9090" against "Harbor listens on port 8080 by default", or "Quicksort
was developed by John von Neumann" against "Quicksort was developed by Tony Hoare": the claim
and the evidence sentence say the same thing about the same subject except for one value. A
pair model reads such pairs as near-paraphrases and tends to call them SUPPORTED; this module
finds them explicitly.

A conflict needs all of: a value of the claim (a number, or a capitalised name that does not
start the sentence) that the evidence sentence does not contain; the same *slot* in the
sentence — the word before the value (function words like "the" skipped) followed there by a
value of the same kind — and the slot's context: the content word before the claim's value
appears shortly before the sentence's value, or the word after both values is the same unit
("50 MB" / "10 MB"); and the rest of the claim (its content words, the value aside) mostly
appears in the sentence's window, and so does every other name of the claim (its subject too),
so both speak of the same thing. Every conflict names both values, so a caller can say why a
claim was refuted.

An *agent* conflict is a passive claim ("The club was founded by Piet Anvers") against a
sentence that gives the same participle of the same subject another agent ("... was founded in
1987 by Tomas Reyd"), even where the claim's agent is named elsewhere in another role.

An *antonym* conflict is the same shape with a word instead of a value: the claim says
"max-heap", "mutable" or "optional" where the sentence says "min-heap", "immutable" or
"required" (a curated list of opposites, plus un-/in-/im-/il-/ir-/non- prefixes), neither text
also has the other word, the claim is not negated and neither is the clause of the sentence
that holds the opposite ("not unstable" is stable), and the sentence does not state the same
relation from its other side ("X before Y" / "Y after X").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from plugins.factcheck.evidence import sentence_spans
from plugins.factcheck.lexicon import FUNCTION_WORDS, common_words
from plugins.factcheck.types import Judgement

__all__ = [
    "SLOT_CONFIDENCE",
    "SUPPORT_CONFIDENCE",
    "apply_slot_rules",
    "SlotConflict",
    "confirm_by_evidence",
    "find_slot_conflict",
    "find_support",
    "refute_slot_conflict",
]

# Confidence of a REFUTED from a conflict, per kind of value: the share of firings on pairs
# that are not SUPPORTED in the training/dev pairs (bench/factcheck_slots.py), rounded down.
SLOT_CONFIDENCE = {
    "number": 0.9, "name": 0.85, "origin": 0.85, "antonym": 0.85, "negation": 0.85,
    "answer": 0.85, "swap": 0.85, "subject": 0.85, "agent": 0.85, "contrast": 0.85,
    "slot": 0.75,
}
# Confidence of a SUPPORTED from a rule: a yes/no answer to the claim's own question, or the
# claim stated word for word (bench/factcheck_slots.py: every firing on training/dev pairs was
# on a SUPPORTED pair; rounded down as for conflicts)
SUPPORT_CONFIDENCE = {"answer": 0.85, "stated": 0.9}

_OPPOSITES = """min max|minimum maximum|minimal maximal|increase decrease|increases decreases|
increased decreased|increasing decreasing|stable unstable|mutable immutable|positive negative|
ascending descending|sorted unsorted|synchronous asynchronous|allowed forbidden|accepts rejects|
accepted rejected|enabled disabled|required optional|mandatory optional|public private|
deterministic nondeterministic|lightweight heavyweight|efficient inefficient|north south|east west|
alive dead|finite infinite|true false|possible impossible|safe unsafe|legal illegal|
visible invisible|reversible irreversible|inside outside|above below|warming cooling|rises falls|
rose fell|gains loses|wins loses|strengthens weakens|supports opposes|includes excludes|
always never|before after|cheaper costlier|internal external|static dynamic|statically dynamically|
compiled interpreted|ordered unordered|thread-safe thread-unsafe|blocking non-blocking|
lossless lossy|encrypted unencrypted|signed unsigned|inclusive exclusive|upper lower|
quickly slowly|common rare|easy difficult|open closed|present absent|cold warm|best worst|
better worse|success failure|succeeded failed|herbivore carnivore|herbivores carnivores|
herbivorous carnivorous|increased reduced|increases reduces|increase reduce|rising falling|
growth decline|majority minority|many few|more fewer|most fewest|simple complex|full empty|
first last|winner loser|won lost|entered left|often rarely|usually rarely|frequently rarely|
reusable disposable|rigid flexible|continue stop|continues stops|manually automatically|
manual automatic|strict lenient|sooner later|front back|stricter looser|stricter relaxed|gain loss|
gains losses|profit loss|surplus deficit|approved rejected|approve reject|passed failed|
permanent temporary|indoor outdoor|indoors outdoors|full-time part-time|raised lowered|raise lower|
expanded shrank|added removed|adds removes|allow forbid|allows forbids|allowed banned|
cheapest dearest|cheaper dearer|underestimated overestimated|undervalued overvalued|inflow outflow|
minimise maximise|minimize maximize|attack defence|offensive defensive|acquitted convicted|
guilty innocent|legal unlawful|lawful unlawful|win defeat|victory defeat|ally enemy|
dominant recessive|native invasive|native introduced|nocturnal diurnal|male female|urban rural|
inland coastal|northern southern|eastern western|northward southward|eastward westward|
opening closing|opens closes|opened closed|postponed advanced|postpone advance|delayed advanced|
survived decayed|preserved decayed|intact decayed|rose dropped|rise drop|rises drops|
rising dropping|improved worsened|improve worsen|improves worsens|improving worsening|grew shrank|
grow shrink|grows shrinks|widened narrowed|lengthened shortened|extended shortened|
accelerated slowed|doubled halved|strengthened weakened|gained lost|
left right|more less|most least"""
# plain adjectives whose degrees are opposites too: "quicker" / "slower", "most expensive" /
# "cheapest" (the claim's "expensive" after "most" meets the other's superlative)
_GRADED = """quick slow|fast slow|cheap expensive|steep gentle|noisy quiet|loud quiet|warm cool|
hot cold|wet dry|early late|high low|large small|big small|long short|strong weak|easy hard|
deep shallow|thick thin|wide narrow|heavy light|safe dangerous|busy quiet|near far|rich poor|
young old|new old"""


def _degree(word: str, suffix: str) -> str:
    """``word`` + "er" / "est", spelt as English does ("big" -> "bigger", "easy" -> "easier")."""
    if word.endswith("e"):
        return word + suffix[1:]
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "i" + suffix
    short = len(word) <= 4 and word[-3] not in "aeiou" and word[-2] in "aeiou"
    if short and word[-1] not in "aeiouwy":
        return word + word[-1] + suffix  # one short syllable: the consonant doubles
    return word + suffix


_OPPOSITE: dict[str, frozenset[str]] = {}
_graded = [p.split() for p in _GRADED.replace("\n", "").split("|")]
_graded_pairs = [
    (x, y)
    for a, b in _graded
    for x, y in ((_degree(a, "er"), _degree(b, "er")), (_degree(a, "est"), _degree(b, "est")),
                 (a, _degree(b, "er")), (a, _degree(b, "est")),
                 (_degree(a, "er"), b), (_degree(a, "est"), b))
] + [(a, b) for a, b in _graded]  # fmt: skip
for _a, _b in [p.split() for p in _OPPOSITES.replace("\n", "").split("|")] + _graded_pairs:
    _OPPOSITE[_a] = _OPPOSITE.get(_a, frozenset()) | {_b}
    _OPPOSITE[_b] = _OPPOSITE.get(_b, frozenset()) | {_a}
_NEGATIVE_PREFIXES = ("non-", "non", "un", "in", "im", "il", "ir")
_NEGATIONS = frozenset({"not", "no", "never", "neither", "nor", "cannot", "without", "n't"})

_TOKEN = re.compile(r"\d+(?:[.,:]\d+)*%?|[^\W\d_][\w'\-/+#]*")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*%?")
_DAY = re.compile(r"[0-9]{1,2}")
_ORDINAL = re.compile(r"\b([0-9]+)(?:st|nd|rd|th)\b")
_NAME_LINK = frozenset(
    {"von", "van", "de", "der", "da", "di", "del", "la", "le", "du", "bin", "of"}
)
# nationality and language adjectives ("American", "Danish", "Chinese") are their own kind of
# value: "an American film" conflicts with "a British film", not with "by Lars von Trier"
_DEMONYM = re.compile(r"[A-Z][a-z]+(?:an|ish|ese|ic|i)")
_SKIP = frozenset({"the", "a", "an", "its", "their", "his", "her", "about", "around", "over",
                   "under", "nearly", "almost", "approximately", "roughly", "some"})  # fmt: skip
_CONTEXT_SPAN = 6  # the claim's context word must occur this many tokens before the value
_MIN_REST = 0.6  # share of the claim's other content words the sentence must contain


@dataclass(frozen=True, slots=True)
class SlotConflict:
    """The claim says ``claim_value`` where the evidence sentence says ``evidence_value``."""

    kind: str  # "number", "name", "origin" (a nationality or language adjective), ... (SLOT_CONFIDENCE)
    claim_value: str
    evidence_value: str
    sentence: str

    def reason(self) -> str:
        """The conflict in words, for the response."""
        return (
            f'the claim says "{self.claim_value}" where the evidence says '
            f'"{self.evidence_value}" ({self.kind}): {" ".join(self.sentence.split())}'
        )


@dataclass(frozen=True, slots=True)
class _Value:
    kind: str
    text: str
    start: int  # token index of the first token
    end: int  # token index after the last token


_MONTHS = frozenset({"january", "february", "march", "april", "may", "june", "july", "august",
                     "september", "october", "november", "december"})  # fmt: skip
_CALENDAR = _MONTHS | {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}


def _tokens(text: str) -> list[str]:
    """Words and numbers; an ordinal is its number ("12th" -> "12")."""
    return _TOKEN.findall(_ORDINAL.sub(r"\1", text))


def _stem(word: str) -> str:
    w = word.lower().removesuffix("'s")  # a possessive is its word: "Stowaway's"
    for suffix in ("ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    if len(w) == 4 and w.endswith("s") and w[2] not in "sui" and w not in _FOUR_LETTER_S:
        return w[:3]  # a short verb or plural: "runs" / "run", "sets", "pets"
    return w


_FOUR_LETTER_S = frozenset({"news", "lens", "plus", "thus", "bias"})


def _name_end(tokens: Sequence[str], i: int) -> int:
    """The token index after the capitalised name starting at ``i``."""
    j = i + 1
    while j < len(tokens) and (
        (tokens[j][0].isupper() and not _NUMBER.fullmatch(tokens[j]) and not _day_month(tokens, j))
        or (tokens[j] in _NAME_LINK and j + 1 < len(tokens) and tokens[j + 1][0].isupper())
    ):
        j += 1
    return j


def _day_month(tokens: Sequence[str], i: int) -> tuple[int, str] | None:
    """``(day, month)`` of a date written from token ``i`` as "12 June" or "June 12"."""
    if i + 1 >= len(tokens):
        return None
    a, b = tokens[i], tokens[i + 1]
    day, month = (a, b) if _DAY.fullmatch(a) else (b, a)
    if _DAY.fullmatch(day) and 1 <= int(day) <= 31 and month.lower() in _MONTHS:
        return int(day), month.lower()
    return None


def _date_of(value: _Value) -> tuple[int, str] | None:
    """``(day, month)`` of a date value ("12 June"), None for any other value."""
    return _day_month(value.text.split(), 0) if value.kind == "number" else None


def _own_tokens(value: _Value) -> range:
    """The token indices of the value itself; of a date only its day (its month is context)."""
    if _date_of(value) is not None:
        day = value.start if _DAY.fullmatch(value.text.split()[0]) else value.start + 1
        return range(day, day + 1)
    return range(value.start, value.end)


def _dates(tokens: Sequence[str]) -> set[tuple[int, str]]:
    return {d for i in range(len(tokens)) if (d := _day_month(tokens, i)) is not None}


def _values(tokens: Sequence[str]) -> list[_Value]:
    """Numbers, dates ("12 June": one value, so that "12 May" elsewhere does not account for
    it) and capitalised names with their token spans; the name the sentence starts with
    (its subject, or just a capitalised first word) and all-capital runs (headings) are not
    values."""
    out: list[_Value] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if _day_month(tokens, i) is not None:
            out.append(_Value("number", f"{tok} {tokens[i + 1]}", i, i + 2))
            month = i if tok[0].isupper() else i + 1  # still a name of its own: "on August"
            if month > 0:
                out.append(_Value("name", tokens[month], month, month + 1))
            i += 2
        elif _NUMBER.fullmatch(tok):
            out.append(_Value("number", tok, i, i + 1))
            i += 1
        elif tok[0].isupper() and tok.lower() not in FUNCTION_WORDS:
            j = _name_end(tokens, i)
            words = tokens[i:j]
            shouting = len(words) > 1 and sum(w.isupper() and len(w) > 1 for w in words) > 1
            kind = "origin" if len(words) == 1 and _DEMONYM.fullmatch(tok) else "name"
            if i > 0 and not shouting:
                out.append(_Value(kind, " ".join(words), i, j))
            i = j
        else:
            i += 1
    return out


def _same_number(a: str, b: str) -> bool:
    """3 == 3.0, 2,000 == 2000, and a year written short: 2008 ~ 08."""
    a, b = a.replace(",", "").rstrip("%"), b.replace(",", "").rstrip("%")
    try:
        x, y = float(a), float(b)
    except ValueError:
        pass
    else:  # equal, or one the other rounded: 27 ~ 27.3
        if x == y or ("." not in a and x in (round(y), int(y))):
            return True
        if "." not in b and y in (round(x), int(x)):
            return True
    return a == b or (len(b) >= 2 and a.endswith(b)) or (len(a) >= 2 and b.endswith(a))


_APPROX = frozenset({"over", "about", "around", "nearly", "almost", "approximately", "roughly",
                     "under", "than", "least", "most", "to", "some", "circa", "~"})  # fmt: skip


def _approximate(tokens: Sequence[str], value: _Value) -> bool:
    """A bound or an estimate ("over 500,000", "more than 70%", "about every 27"), not a value
    to compare."""
    return any(t.lower() in _APPROX for t in tokens[max(0, value.start - 2) : value.start])


_UPPER_BOUNDS = ("up to", "within", "at most", "no more than", "not more than", "as many as",
                 "maximum of", "limited to", "no later than", "no longer than", "as high as",
                 "as much as")  # fmt: skip
_LOWER_BOUNDS = ("at least", "no less than", "not less than", "no fewer than", "minimum of",
                 "no earlier than", "as low as")  # fmt: skip


def _bound(tokens: Sequence[str], value: _Value) -> str | None:
    """"upper" for a limit from above ("up to 60 days", "within 30 days"), "lower" for one
    from below ("at least five days"), None for a value or an estimate."""
    before = " ".join(t.lower() for t in tokens[max(0, value.start - 3) : value.start])
    if before.endswith(_UPPER_BOUNDS):
        return "upper"
    if before.endswith(_LOWER_BOUNDS):
        return "lower"
    return None


def _same_bound(
    claim_tokens: Sequence[str],
    value: _Value,
    bound: str,
    tokens: Sequence[str],
    values: Sequence[_Value],
) -> _Value | None:
    """The sentence's other limit of the same kind and unit as the claim's ("up to 60 days" /
    "within 30 days"; a claim's limit with no unit, "can be set as high as 64", against any
    "at most 32"), if it has exactly one."""
    # the unit: the word after the number, or the one after that ("128 connected devices")
    units = {
        t.lower()
        for t in claim_tokens[value.end : value.end + 2]
        if t.isalpha() and t.lower() not in FUNCTION_WORDS
    }
    if value.end < len(claim_tokens) and claim_tokens[value.end].lower() in FUNCTION_WORDS:
        units = set()  # "as high as 64 in ...": no unit
    same = [
        w
        for w in values
        if w.kind == "number"
        and (not units or (w.end < len(tokens) and tokens[w.end].lower() in units))
        and _bound(tokens, w) == bound
    ]
    return same[0] if len(same) == 1 and not _same_number(same[0].text, value.text) else None


def _is_year(text: str) -> bool:
    return text.isdigit() and len(text) == 4 and 1000 <= int(text) <= 2100


def _alnum(text: str) -> str:
    return re.sub(r"[\W_]", "", text.lower())


def _same_word(a: str, b: str) -> bool:
    """Equal, or one a form of the other: Europe ~ European, China ~ Chinese, ICU ~ ICU's."""
    a, b = a.removesuffix("'s"), b.removesuffix("'s")
    if a == b:
        return True
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n >= 4 and n >= 0.7 * min(len(a), len(b))


_GENERIC_NAME_WORDS = frozenset({
    "ocean", "sea", "river", "lake", "mountain", "mountains", "mount", "island", "islands",
    "bay", "gulf", "desert", "valley", "city", "county", "state", "states", "province",
    "street", "road", "park", "university", "college", "school", "company", "inc", "group",
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
    "new", "great", "upper", "lower", "national", "royal", "saint", "st",
})  # fmt: skip


def _present(value: _Value, sentence_tokens: Sequence[str], sentence_lower: set[str]) -> bool:
    """Whether the sentence mentions the value: the number, or any word of the name (also as
    a derived form, an abbreviation of it or its initial)."""
    if value.kind == "number":
        date = _date_of(value)
        if date is not None:
            return date in _dates(sentence_tokens)
        return any(_NUMBER.fullmatch(t) and _same_number(t, value.text) for t in sentence_tokens)
    all_words = [w for w in value.text.split() if w not in _NAME_LINK]
    # "Pacific Ocean" is not mentioned by "Atlantic Ocean", nor "South Pacific" by "North
    # Atlantic": a generic word of a name says nothing of which one
    words = [w for w in all_words if w.lower() not in _GENERIC_NAME_WORDS] or all_words
    key = _alnum(" ".join(words))
    initials = "".join(w[0].lower() for w in all_words)
    for raw in sentence_tokens:
        t, a = raw.lower(), _alnum(raw)
        if not a:
            continue
        if a == key or (len(a) == 1 and key.startswith(a)):
            return True
        if raw[0].isupper() and min(len(a), len(key)) >= 2 and (a in key or key in a):
            return True  # TV / MTV
        if len(all_words) > 1 and a == initials:  # "United Kingdom" / "UK"
            return True
        if any(_same_word(w.lower(), t) for w in words):
            return True
    # the name abbreviated in the sentence ("UK" in the claim, "United Kingdom" there)
    return value.text.isupper() and key in _initials_of(sentence_tokens)


def _named_in(name: _Value, lower_tokens: set[str]) -> bool:
    """Whether every word of ``name`` is among ``lower_tokens`` (in any form): the evidence
    speaks of the claim's "Erie Canal", not just of some canal."""
    words = [w.lower() for w in name.text.split() if w not in _NAME_LINK]
    return all(any(_same_word(w, t) for t in lower_tokens) for w in words)


def _initials_of(tokens: Sequence[str]) -> set[str]:
    out, i = set(), 0
    while i < len(tokens):
        if tokens[i][0].isupper():
            j = _name_end(tokens, i)
            out.add("".join(t[0].lower() for t in tokens[i:j] if t not in _NAME_LINK))
            i = j
        else:
            i += 1
    return out


def _anchor(tokens: Sequence[str], start: int) -> int | None:
    """Index of the word before ``start`` that defines the slot (skipping "the", "about"...)."""
    i = start - 1
    while i >= 0 and tokens[i].lower() in _SKIP:
        i -= 1
    return i if i >= 0 else None


def _content(tokens: Sequence[str]) -> list[str]:
    return [
        _stem(t) for t in tokens if t.lower() not in FUNCTION_WORDS and not _NUMBER.fullmatch(t)
    ]


# words of a bound a sentence may start with, no name: "Up to 12 students ...", "Nearly all"
_NOT_SUBJECTS = frozenset({"up", "nearly", "almost", "roughly", "approximately", "around",
                           "more", "fewer", "less", "only", "just"})  # fmt: skip


def _subject(tokens: Sequence[str]) -> _Value | None:
    """The capitalised run a sentence starts with ("Python", "Merge", "Tony Hoare")."""
    if not tokens or not tokens[0][0].isupper():
        return None
    if tokens[0].lower() in FUNCTION_WORDS or tokens[0].lower() in _NOT_SUBJECTS:
        return None
    end = _name_end(tokens, 0)
    first = tokens[0].lower()
    if end > 1 and first.endswith("ing") and first in common_words():
        return _Value("name", " ".join(tokens[1:end]), 1, end)  # "Taking Velocar ..."
    return _Value("name", " ".join(tokens[:end]), 0, end)


def _conflict_in(
    claim_tokens: list[str],
    values: list[_Value],
    sentence: str,
    scope: str,
    by_unit: bool = False,
) -> SlotConflict | None:
    """A conflict of the claim with ``sentence``; every other name of the claim (its subject
    included) must appear in ``scope``, the evidence window around the sentence. With
    ``by_unit``, a number's slot may also be its unit alone (see below)."""
    stoks = _tokens(sentence)
    if not stoks:
        return None
    slower = {t.lower() for t in stoks}
    svalues = _values(stoks)
    scope_tokens = _tokens(scope)
    scope_lower = {t.lower() for t in scope_tokens}
    scope_stems = {_stem(t) for t in scope_tokens}
    subject = _subject(claim_tokens)
    names = [n for n in values if n.kind != "number"] + ([subject] if subject else [])
    labelled = _label_slot(sentence)
    claim_stems = {_stem(t) for t in claim_tokens}
    for v in values:
        others = [n for n in names if n is not v]
        if not all(_named_in(n, scope_lower) for n in others):
            continue
        if _present(v, stoks, slower):
            continue
        bound = _bound(claim_tokens, v) if v.kind == "number" else None
        if v.kind == "number" and bound is None and _approximate(claim_tokens, v):
            continue
        if v.kind == "number" and labelled is not None and labelled[1] <= claim_stems:
            # a form's line whose label the claim names ("Lab reports: 30%"): the label is the
            # slot, the line says no more
            w = next((w for w in svalues if w.start == labelled[0] and w.kind == "number"), None)
            if w is not None and w.text.endswith("%") == v.text.endswith("%"):
                return SlotConflict(v.kind, v.text, w.text, sentence)
        skip = 3 if bound is not None else 0  # the limit's own words ("up to") are no content
        own = _own_tokens(v)
        rest = _content(
            [
                t
                for i, t in enumerate(claim_tokens)
                if i not in own and not v.start - skip <= i < v.start
            ]
        )
        if not rest or sum(r in scope_stems for r in rest) / len(rest) < _MIN_REST:
            continue
        if bound is not None:  # a limit is compared only with a limit of the same unit
            other = _same_bound(claim_tokens, v, bound, stoks, svalues)
            if other is not None:
                return SlotConflict(v.kind, v.text, other.text, sentence)
            continue
        if by_unit and v.kind == "number":
            other = _unit_of(claim_tokens, v, stoks, svalues)
            if other is not None:
                return SlotConflict(v.kind, v.text, other.text, sentence)
        a = _anchor(claim_tokens, v.start)
        if a is None or not claim_tokens[a].isalpha():
            continue
        anchor = claim_tokens[a].lower()
        context = next(
            (_stem(t) for t in reversed(claim_tokens[: a + 1]) if t.lower() not in FUNCTION_WORDS),
            None,
        )
        after = claim_tokens[v.end].lower() if v.end < len(claim_tokens) else None
        for w in svalues:
            if w.kind != v.kind or len(_alnum(w.text)) < 2:
                continue
            if w.kind == "number" and _is_year(w.text) != _is_year(v.text):
                continue
            same_unit = (
                after is not None
                and after not in FUNCTION_WORDS
                and w.end < len(stoks)
                and stoks[w.end].lower() == after
            )
            sa = _anchor(stoks, w.start)
            v_date, w_date = _date_of(v), _date_of(w)
            dates = v_date is not None and w_date is not None  # "born on March 24" / "( March 28"
            if not dates and (sa is None or stoks[sa].lower() != anchor):
                # a number of the same unit in other words ("revenue came to 12.4 million"
                # / "Revenue was 14.2 million"): the slot is the unit, if no other number of
                # the sentence has it
                if not (
                    by_unit
                    and same_unit
                    and w.kind == "number"
                    and after is not None
                    and after.isalpha()
                    and len(after) > 1
                    and stoks[w.end].islower()
                    and _only_one_with_unit(svalues, stoks, after)
                ):
                    continue
            before = {_stem(t) for t in stoks[max(0, w.start - _CONTEXT_SPAN) : w.start]}
            same_month = dates and v_date[1] == w_date[1]  # type: ignore[index]
            if (context is not None and context in before) or same_unit or same_month:
                return SlotConflict(v.kind, v.text, w.text, sentence)
    return None


_LABEL_LINE = re.compile(r"\s*(?:[-*]\s*)?([A-Za-z][\w'-]*(?: [\w'-]+){0,3}):\s*\S")


def _label_slot(sentence: str) -> tuple[int, set[str]] | None:
    """``(token index of the value, the label's content stems)`` of a form's line ("- Lab
    reports: 30% (four reports)", "Deposit: £100"): its label names the slot of the value
    right after the colon."""
    match = _LABEL_LINE.match(sentence)
    if match is None:
        return None
    label = _tokens(match.group(1))
    stems = set(_content(label))
    return (len(label), stems) if stems else None


def _unit_of(
    claim_tokens: Sequence[str], value: _Value, tokens: Sequence[str], values: Sequence[_Value]
) -> _Value | None:
    """The sentence's one number of the claim's unit written the other way round ("a £150
    deposit" / "a deposit of £100"), if it has exactly one."""
    if value.end >= len(claim_tokens):
        return None
    unit = claim_tokens[value.end]
    if not (unit.isalpha() and unit.islower() and len(unit) > 1) or unit in FUNCTION_WORDS:
        return None
    same = [
        w
        for w in values
        if w.kind == "number"
        and w.start >= 2
        and tokens[w.start - 1].lower() == "of"
        and tokens[w.start - 2].lower() == unit
        and _is_year(w.text) == _is_year(value.text)
    ]
    return same[0] if len(same) == 1 and not _same_number(same[0].text, value.text) else None


def _only_one_with_unit(values: Sequence[_Value], tokens: Sequence[str], unit: str | None) -> bool:
    return sum(
        w.kind == "number" and w.end < len(tokens) and tokens[w.end].lower() == unit
        for w in values
    ) == 1


# a phrasal verb of direction read as its one word ("went up" -> "rose")
_PHRASAL = {
    (verb, particle): word
    for particle, forms in (
        ("up", ("rose", "rise", "rises", "risen", "rising")),
        ("down", ("fell", "fall", "falls", "fallen", "falling")),
    )
    for verb, word in zip(("went", "go", "goes", "gone", "going"), forms, strict=True)
} | {("brought", "forward"): "advanced", ("bring", "forward"): "advance"}


def _words(text: str) -> list[str]:
    """The words written in lower case, hyphenated compounds also split ("max-heap" -> max-heap,
    max, heap), a phrasal verb of direction also as its one word ("went up" -> rose)."""
    out = []
    for t in _tokens(text.replace("n't", " n't")):
        if t[0].isupper():  # a name's word ("West Virginia") is not an attribute
            continue
        low = t.lower()
        if out and (out[-1], low) in _PHRASAL:
            out.append(_PHRASAL[(out[-1], low)])
        out.append(low)
        if "-" in low:
            out.extend(p for p in low.split("-") if p)
    return out + (["n't"] if "n't" in text else [])


def _opposites(word: str) -> set[str]:
    out = set(_OPPOSITE.get(word, ()))
    for prefix in _NEGATIVE_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            out.add(word[len(prefix) :])
        if len(word) >= 4:
            out.add(prefix + word)
    return out


def _names_in(
    claim_tokens: Sequence[str], scope_tokens: Sequence[str], *, everyday_subject: bool = False
) -> bool:
    """Whether every name of the claim, its subject included, is in the scope (the window
    speaks of what the claim speaks of). With ``everyday_subject`` a one-word subject that is
    an everyday word ("Staff must phone ...", "Light levels are ...") need not be there."""
    subject = _subject(claim_tokens)
    if everyday_subject and subject and subject.end == 1 and subject.text.lower() in common_words():
        subject = None
    names = [n for n in _values(claim_tokens) if n.kind != "number"] + (
        [subject] if subject else []
    )
    scope_lower = {t.lower() for t in scope_tokens}
    return all(_named_in(n, scope_lower) for n in names)


def _names_around(
    claim_tokens: Sequence[str], scope: str, everywhere: set[str], *, everyday_subject: bool = False
) -> bool:
    """:func:`_names_in`, or a window that names nothing but parts of the claim's names, its
    sentences' subjects included ("The Trust did not open any new offices", "The team did not
    measure electrical properties"), while the rest of the evidence (``everywhere``: its words
    in lower case) names them all: the window goes on about what the claim names."""
    scope_tokens = _tokens(scope)
    if _names_in(claim_tokens, scope_tokens, everyday_subject=everyday_subject):
        return True
    if not _names_in(claim_tokens, [*everywhere], everyday_subject=everyday_subject):
        return False
    claim_lower = {t.lower() for t in claim_tokens}
    for a, b in sentence_spans(scope):
        tokens = _tokens(scope[a:b])
        subject = _subject(tokens)  # "Quicksort is not a stable sort": another subject
        for v in _values(tokens) + ([subject] if subject else []):
            if v.kind == "number":
                continue
            if not all(w.lower() in claim_lower for w in v.text.split()):
                return False
    return True


_COMPARATIVE = frozenset({"more", "less", "most", "least"})  # "more relaxed": one word's degree


def _antonym_in(
    claim: str, sentence: str, scope: str, everywhere: set[str], every_lower: set[str]
) -> SlotConflict | None:
    """The sentence says the opposite word of one of the claim ("max-heap" / "min-heap"), in
    a clause of its own that is not negated, about what the claim names (:func:`_names_around`
    the window or the sentence, with ``every_lower``, the evidence's tokens in lower case; a
    one-word everyday subject aside); the claim's word is nowhere in the evidence
    (``everywhere``: its words), the claim is not negated, and the sentence does not state the
    same relation from its other side (:func:`_converse`)."""
    cwords, swords = _words(claim), _words(sentence)
    if _NEGATIONS & set(cwords):
        return None
    cset, sset = set(cwords), set(swords)
    claim_tokens = _tokens(claim)
    if not any(
        _names_around(claim_tokens, where, every_lower, everyday_subject=True)
        for where in (scope, sentence)
    ):
        return None
    scope_stems = {_stem(t) for t in _tokens(scope)}
    for word in cset - everywhere:
        if word in FUNCTION_WORDS:
            continue
        # the words of a phrasal verb the word stands for ("went up" for "rose") are the word
        phrasal = {part for pair, one in _PHRASAL.items() if one == word
                   and " ".join(pair) in claim.lower() for part in pair}  # fmt: skip
        for other in _opposites(word) & sset:
            if other in cset or _negated_clause(sentence, other):
                continue
            if _converse(claim_tokens, word, _tokens(sentence), other):
                continue
            rest = [
                _stem(w) for w in (t.lower() for t in claim_tokens)
                if w not in FUNCTION_WORDS and w != word and not _NUMBER.fullmatch(w)
                and not (word.startswith(w) or word.endswith(w)) and w not in phrasal
                and not (w in _COMPARATIVE and f"{w} {word}" in claim.lower())
            ]  # fmt: skip
            if rest and sum(r in scope_stems for r in rest) / len(rest) >= _MIN_REST:
                return SlotConflict("antonym", word, other, sentence)
    return None


def _converse(
    claim_tokens: Sequence[str], word: str, sentence_tokens: Sequence[str], other: str
) -> bool:
    """Whether the sentence states the claim's relation from its other side: what the claim
    compares with (after its ``than``, else after ``word``) comes mostly before the sentence's
    ``other``, and some of what the claim puts before ``word`` comes after it ("Biology is
    examined before chemistry" / "the chemistry paper is two days after the biology paper";
    "juveniles left later than the adults" / "the adults left earlier than the juveniles")."""
    lower = [t.lower() for t in claim_tokens]
    slower = [t.lower() for t in sentence_tokens]
    if word not in lower:
        return False
    i = lower.index(word)
    than = lower.index("than", i) if "than" in lower[i:] else i

    def roots(tokens: Sequence[str]) -> set[str]:
        return {_root(t) for t in tokens if t.lower() not in FUNCTION_WORDS}

    subject, compared = roots(claim_tokens[:i]), roots(claim_tokens[than + 1 :])
    for j in (k for k, t in enumerate(slower) if t == other):
        s_before, s_after = roots(sentence_tokens[:j]), roots(sentence_tokens[j + 1 :])
        if len(compared & s_before) > len(compared & s_after) and (subject - compared) & s_after:
            return True
    return False


# clauses a negation does not reach across ("reduced; no extra charges apply", "fast, but not
# stable"); unlike _CLAUSE_SPLIT below, ", and" / ", with" keep a clause whole
_CONTRAST_SPLIT = re.compile(r"[;:]|,\s*(?:but|while|whereas|although|though)\b|\bbut\b")


# "... or newer and has no dependencies", "... a shorter season, so the figures are not
# comparable": a second predicate of the same subject, or a consequence, is a clause of its own
_SECOND_PREDICATE = re.compile(
    r"\band\s+(?=(?:has|have|had|is|are|was|were|does|do|did|can|could|will|would|must|may)\b)"
    r"|,\s*(?:and\s+)?so\b"
)


def _negated_clause(sentence: str, word: str) -> bool:
    """Whether a clause of ``sentence`` that holds ``word`` is negated ("not unstable")."""
    for part in _CONTRAST_SPLIT.split(sentence):
        for clause in _SECOND_PREDICATE.split(part):
            words = set(_words(clause))
            if word in words and _NEGATIONS & words:
                return True
    return False


_NAME_WORD = re.compile(r"[A-Z][a-z]+(?:['-][A-Za-z]+)*")
_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "prof", "professor", "sir", "dame", "chef"})
_CLAUSE_SPLIT = re.compile(r";|,\s*(?:and|but|while|whereas|with|who|which)\s+|\bwhile\b")
# a form's line that labels a person with a role: "Renter: Paulina Ostrova", "- Contact: Dr. Ines Vallory"
_ROLE_LABEL = re.compile(
    r"\s*(?:[-*]\s*)?[A-Z][\w ]{0,30}:\s*(?:(?:Dr|Mr|Mrs|Ms)\.?\s+)?[A-Z][\w'-]+(?: [A-Z][\w'-]+)+\W*$"
)
_MIN_ROLE = 0.6  # share of the claim's predicate a clause must hold to be about the same role


def _person(name: _Value | None) -> bool:
    """A person-like name: two capitalised words or more, or a title and a name."""
    if name is None or name.kind != "name":
        return False
    words = name.text.split()
    if not all(_NAME_WORD.fullmatch(w) or w in _NAME_LINK for w in words):
        return False  # "LSB-", "UN", "4K": not a person's name
    if any(w.lower() in _GENERIC_NAME_WORDS for w in words):
        return False  # "Brennock River", "Harbour Street": a place or a body
    return len(words) >= 2 or (len(words) == 1 and words[0].lower() in _TITLES)


# pronouns that speak of someone; a reflexive ("leads every session herself") is the clause's
# own person, so it is not among them
_PERSONAL_PRONOUNS = frozenset(
    {"he", "she", "they", "him", "her", "them", "his", "hers", "their", "theirs"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _RoleClaim:
    """The claim side of :func:`_subject_swap_in`: its person, its other names, its predicate."""

    subject: _Value
    names: list[_Value]
    predicate: list[str]


def _role_claim(claim: str, claim_tokens: list[str]) -> _RoleClaim | None:
    """A claim whose subject is a person, not negated, with a definite role ("the head tutor",
    "Greyhollow's breeding programme"; "X starred with an American actress" is another kind of
    claim) of two content words or more outside its names; None for any other claim."""
    subject = _subject(claim_tokens)
    if subject is None or not _person(subject) or _NEGATIONS & set(_words(claim)):
        return None
    lower = [t.lower() for t in claim_tokens]
    if "a" in lower or "an" in lower or not ("the" in lower or any("'" in t for t in lower)):
        return None
    names = [n for n in _values(claim_tokens) if n.kind == "name"]
    in_names = {i for n in names for i in range(n.start, n.end)}
    predicate = _content([t for i, t in enumerate(claim_tokens[subject.end :], subject.end)
                          if i not in in_names])  # fmt: skip
    return _RoleClaim(subject, names, predicate) if len(predicate) >= 2 else None


def _subject_swap_in(
    role: _RoleClaim, sentence: str, scope: str, everywhere: tuple[list[str], set[str]]
) -> SlotConflict | None:
    """A claim (:func:`_role_claim`) whose person the sentence does not name for the claim's
    role, where another person fills that role: "Tomasz Reiner is the head tutor" against "Our
    head tutor, Chef Odile Marsaud, trained in Lyon", "Ravi Sandhu coordinates the breeding
    programme" against "... led by Ravi Sandhu, and the breeding programme is coordinated by
    Dr Helen Marsh". The role is the clause of the sentence (split at ";", ", and", ", with"
    ...) that holds most of the claim's predicate; the claim's other names must be in
    ``scope``, the evidence window, or (a window that names no body but people: "Grace Adeyemi
    has been chief executive") elsewhere in the evidence; the sentence may not be negated. The
    claim's person must be named somewhere in the evidence (``everywhere``: its tokens, and
    them in lower case), in another role, and the role's clause must not speak of someone by
    pronoun ("she directed ..."): the claim may put the right person there under another
    name. A contrasted tail (", not your line manager") does not negate the sentence."""
    core = _CONTRASTED_TAIL.split(sentence, maxsplit=1)[0]
    if _NEGATIONS & set(_words(core)):
        return None
    scope_tokens = _tokens(scope)
    scope_lower = {t.lower() for t in scope_tokens}
    if not all(_named_in(n, scope_lower) for n in role.names) and (
        not all(_named_in(n, everywhere[1]) for n in role.names)
        or any(v.kind == "name" and not _person(v) for v in _values(scope_tokens))
    ):
        return None  # the window speaks of another body, or of none the claim names
    best: tuple[float, str] | None = None
    scope_stems = {_stem(t) for t in scope_tokens}
    for clause in _CLAUSE_SPLIT.split(core):
        stems = {_stem(t) for t in _tokens(clause)}
        share = sum(p in stems for p in role.predicate) / len(role.predicate)
        if share < _MIN_ROLE and _ROLE_LABEL.match(clause) and share > 0:
            # a form's label ("Renter: Paulina Ostrova") names the role; the window the rest
            share = sum(p in scope_stems for p in role.predicate) / len(role.predicate)
        if share >= _MIN_ROLE and (best is None or share > best[0]):
            best = (share, clause)
    if best is None:
        return None
    ctoks = _tokens(best[1])
    if _present(role.subject, ctoks, {t.lower() for t in ctoks}):
        return None
    if _PERSONAL_PRONOUNS & {t.lower() for t in ctoks}:
        return None
    if not _present(role.subject, *everywhere):
        return None
    people = []
    # "On 5 October, Greta Olsund" and "Renter: Paulina Ostrova" are two names, not one
    for piece in re.split(r"[,:]", best[1]):
        ptoks = _tokens(piece)
        people += [v for v in _values(ptoks) + [_subject(ptoks)] if _person(v)]
    others = set()
    for v in people:
        vtoks = _tokens(v.text)
        if not any(_present(n, vtoks, {t.lower() for t in vtoks}) for n in role.names):
            others.add(v.text)
    if len(others) != 1:
        return None
    return SlotConflict("subject", role.subject.text, others.pop(), sentence)


_BE = frozenset({"is", "are", "was", "were", "be", "been", "being"})
_IRREGULAR_PARTICIPLES = frozenset({"led", "run", "held", "made", "built", "written", "won",
                                    "drawn", "given", "taken", "sung", "shot", "set", "kept",
                                    "paid", "sold", "taught", "bought", "brought", "found"})  # fmt: skip
_SUBJECT_PRONOUNS = frozenset({"it", "they", "he", "she"})
_RELATIVE = _SUBJECT_PRONOUNS | {"which", "who", "that"}
_AGENT_GAP = 4  # tokens allowed between a participle and its "by" ("founded in 1987 by")
_AGENT_TITLE = 3  # lower-case words allowed between "by" and the agent ("by the film critic")


def _participle(word: str) -> bool:
    w = word.lower()
    if not w.isalpha():
        return False
    return w in _IRREGULAR_PARTICIPLES or (len(w) >= 4 and w.endswith(("ed", "en")))


@dataclass(frozen=True, slots=True)
class _AgentClaim:
    """A passive claim "<subject> was <participle> by <agent>": the subject's last content word
    (its head), all its content words, the participle's stem and the agent."""

    head: str
    subject: list[str]
    verb: str
    agent: _Value


def _agent_claim(claim: str, claim_tokens: list[str]) -> _AgentClaim | None:
    """The claim as :class:`_AgentClaim`, or None: not negated, its participle right after a
    form of "to be" and right before "by", its agent a name."""
    if _NEGATIONS & set(_words(claim)):
        return None
    lower = [t.lower() for t in claim_tokens]
    for i in range(2, len(lower) - 1):
        if lower[i] != "by" or not _participle(lower[i - 1]) or lower[i - 2] not in _BE:
            continue
        agent = _agent_after(claim_tokens, i)
        subject = _content(claim_tokens[: i - 2])
        if agent is None or not subject:
            return None
        return _AgentClaim(subject[-1], subject, _stem(lower[i - 1]), agent)
    return None


_FIRST_TO = ("was", "the", "first", "to")  # "X was the first to describe Y"


def _active_agent_claim(claim: str, claim_tokens: list[str]) -> _AgentClaim | None:
    """An active claim whose person did something to an object, read as its passive: "Dr Helen
    Marsh described the amberfoot glider" / "... was the first to describe the amberfoot
    glider" as "the amberfoot glider was described by Dr Helen Marsh" (:class:`_AgentClaim`);
    None for any other claim (negated, another verb form, no object)."""
    if _NEGATIONS & set(_words(claim)):
        return None
    subject = _subject(claim_tokens)
    if not _person(subject):
        return None
    i = subject.end
    lower = [t.lower() for t in claim_tokens]
    if tuple(lower[i : i + 4]) == _FIRST_TO:
        i += 4
        if i >= len(lower) or not lower[i].isalpha():
            return None
        verb = lower[i] + ("d" if lower[i].endswith("e") else "ed")
    elif i < len(lower) and lower[i].endswith("ed") and len(lower[i]) >= 5:
        verb = lower[i]
    else:
        return None
    obj = _content(claim_tokens[i + 1 :])
    if not obj:
        return None
    return _AgentClaim(obj[-1], obj, _stem(verb), subject)


def _agent_after(tokens: Sequence[str], by: int) -> _Value | None:
    """The name after ``tokens[by]`` ("by Tony Hoare", "by the naturalist Ines Calloway"); not
    a description ("by a Chilean filmmaker", "by Pixar employee ...")."""
    i = by + 1
    while i < len(tokens) and i - by <= _AGENT_TITLE and tokens[i].islower():
        if tokens[i] in ("a", "an"):
            return None
        i += 1
    if i >= len(tokens) or not tokens[i][0].isupper() or _NUMBER.fullmatch(tokens[i]):
        return None
    end = _name_end(tokens, i)
    if end < len(tokens) and tokens[end].lower() not in FUNCTION_WORDS:
        return None
    return _Value("name", " ".join(tokens[i:end]), i, end)


def _agent_swap_in(
    agent: _AgentClaim, sentence: str, scope: str, everywhere: set[str]
) -> SlotConflict | None:
    """The sentence names another agent for the claim's subject and participle: "Brightwave is
    owned by Gullwing Games" against "Brightwave, which is owned by Kestrel Telecom", "The
    festival was founded by Aurelio Santi" against "It was founded in 2009 by the film critic
    Mara Quillon". The subject's head must stand just before the participle (or a pronoun
    there, the head in ``scope``), every other content word of the subject in the evidence
    (``everywhere``: its word stems); the sentence may not be negated nor name the claim's
    agent anywhere."""
    if _NEGATIONS & set(_words(sentence)):
        return None
    stoks = _tokens(sentence)
    if _present(agent.agent, stoks, {t.lower() for t in stoks}):
        return None
    if agent.head not in {_stem(t) for t in _tokens(scope)}:
        return None
    if not all(w in everywhere for w in agent.subject):
        return None
    for j, tok in enumerate(stoks):
        if not _participle(tok) or _stem(tok) != agent.verb:
            continue
        before = [t.lower() for t in stoks[max(0, j - 4) : j] if t.lower() not in _BE]
        if agent.head not in {_stem(t) for t in before} and not _RELATIVE & set(before):
            continue
        by = next((k for k in range(j + 1, min(len(stoks), j + 2 + _AGENT_GAP))
                   if stoks[k].lower() == "by"), None)  # fmt: skip
        other = _agent_after(stoks, by) if by is not None else None
        if other is not None and _person_or_body(other):
            return SlotConflict("agent", agent.agent.text, other.text, sentence)
    return None


def _person_or_body(name: _Value) -> bool:
    """A name that can be an agent: not a month or a weekday, two letters or more."""
    first = name.text.split()[0].lower()
    return first not in _CALENDAR and len(_alnum(name.text)) >= 2


_FRAME = 2  # tokens on one side of a swapped word that must read the same in both texts


def _framed_swaps(claim: Sequence[str], sentence: Sequence[str]) -> list[tuple[int, int]]:
    """``(i, j)``: the claim's word ``i`` and the sentence's word ``j`` differ and stand in the
    same frame: the same word (or the text's start) before both, the same word (or the text's
    end) after both, and a content word among the (up to) two words on either side that agree;
    lower-case word tokens in, indices out."""
    out = []
    claim_stems, sentence_stems = [_stem(t) for t in claim], [_stem(t) for t in sentence]
    for i, x in enumerate(claim):
        for j, y in enumerate(sentence):
            if x == y or claim_stems[i] == sentence_stems[j]:
                continue
            before = (i == 0 and j == 0) or (i > 0 and j > 0 and claim[i - 1] == sentence[j - 1])
            last_c, last_s = i == len(claim) - 1, j == len(sentence) - 1
            after = (last_c and last_s) or (
                not last_c and not last_s and claim[i + 1] == sentence[j + 1]
            )
            if not (before and after):
                continue
            same = _agreeing(claim, sentence, i, j)
            if any(t not in FUNCTION_WORDS for t in same):
                out.append((i, j))
    return out


def _agreeing(claim: Sequence[str], sentence: Sequence[str], i: int, j: int) -> list[str]:
    """The words within ``_FRAME`` of positions ``i`` / ``j`` that read the same in both."""
    out = []
    for d in range(1, _FRAME + 1):
        if i - d < 0 or j - d < 0 or claim[i - d] != sentence[j - d]:
            break
        out.append(claim[i - d])
    for d in range(1, _FRAME + 1):
        if i + d >= len(claim) or j + d >= len(sentence) or claim[i + d] != sentence[j + d]:
            break
        out.append(claim[i + d])
    return out


# the word before a noun's slot: "uses a stack", "stored in memory", "at most"; a verb's slot
# ("logs are kept" / "are retained") takes synonyms too freely to be read as a swap
_NOUN_SLOT = frozenset({"a", "an", "the", "of", "in", "on", "with", "by", "for", "to", "from",
                        "at", "as", "into", "onto", "via", "per"})  # fmt: skip


def _swap_in(
    claim: str, sentence: str, stemmed: Sequence[tuple[str, set[str]]]
) -> SlotConflict | None:
    """The sentence says in the claim's frame another word than the claim, and the claim's
    word is one another sentence of the evidence uses for something else ("Depth-first search
    uses a queue" against "Depth-first search uses a stack", the queue being breadth-first
    search's): a filler taken from a neighbouring fact. ``stemmed``: every evidence sentence
    with its word stems. The swapped word is never the claim's subject
    (another subject with the same property says nothing of the claim's) and fills a noun's
    slot (after an article or a preposition). Not when some evidence sentence has every content
    word of the claim (it may say exactly what the claim says), nor under a negation."""
    cwords, swords = _words(claim), _words(sentence)
    if _NEGATIONS & set(cwords) or _NEGATIONS & set(swords):
        return None
    ctoks = [t.lower() for t in _tokens(claim)]
    stoks = [t.lower() for t in _tokens(sentence)]
    content = [t for t in ctoks if t not in FUNCTION_WORDS and not _NUMBER.fullmatch(t)]
    if len(content) < 2:
        return None
    sstems = {_stem(t) for t in stoks}
    other_stems = [stems for other, stems in stemmed if other != sentence]
    if any(all(_stem(t) in stems for t in content) for stems in other_stems):
        return None
    subject = content[0]  # the sentence must say the other word of the claim's subject
    claim_stems = {_stem(t) for t in ctoks}
    content_stems = [(t, _stem(t)) for t in content]
    for i, j in _framed_swaps(ctoks, stoks):
        x, y = ctoks[i], stoks[j]
        if x == subject or subject not in stoks[:j] or ctoks[i - 1] not in _NOUN_SLOT:
            continue
        if (x in FUNCTION_WORDS or y in FUNCTION_WORDS or not x.isalpha() or not y.isalpha()
                or len(x) < 3 or len(y) < 3 or _stem(y) in claim_stems):  # fmt: skip
            continue
        if not all(r in sstems for t, r in content_stems if t != x):
            continue
        if _stem(x) not in sstems and any(_stem(x) in stems for stems in other_stems):
            return SlotConflict("swap", x, y, sentence)
    return None


# prepositions that open a name's slot: "signed out with Hal Breuner", "run by Marrowbit Ltd"
_SLOT_PREPOSITIONS = frozenset({"to", "with", "by", "from", "for", "at"})
_MIN_SLOT_REST = 0.75  # share of the claim's other content words the sentence must hold


def _slot_names(tokens: Sequence[str]) -> list[tuple[str, _Value]]:
    """``(preposition, name)`` of each name after one of :data:`_SLOT_PREPOSITIONS` (articles
    and other :data:`_SKIP` words between them allowed); no month or weekday."""
    out = []
    for v in _values(tokens):
        if v.kind != "name" or not _person_or_body(v):
            continue
        a = _anchor(tokens, v.start)
        if a is not None and tokens[a].lower() in _SLOT_PREPOSITIONS:
            out.append((tokens[a].lower(), v))
    return out


@dataclass(frozen=True, slots=True)
class _SlotClaim:
    """The claim side of :func:`_name_slot_in`: the preposition and name of its one name slot,
    its other content words and names, and its words in lower case."""

    preposition: str
    name: _Value
    rest: list[str]
    others: list[_Value]
    lower: set[str]


def _slot_claim(claim: str) -> _SlotClaim | None:
    """The claim as :class:`_SlotClaim` (an appositive after the name, ", the site secretary",
    describes it and is left out), or None: negated, not exactly one name slot, or fewer than
    two other content words."""
    if _NEGATIONS & set(_words(claim)):
        return None
    head = re.split(r",\s+(?:the|a|an|our|its|their)\s", claim, maxsplit=1)[0]
    claim_tokens = _tokens(head)
    slots = _slot_names(claim_tokens)
    if len(slots) != 1:
        return None
    preposition, name = slots[0]
    rest = _content([t for i, t in enumerate(claim_tokens)
                     if not name.start <= i < name.end and not t[0].isupper()])  # fmt: skip
    if len(rest) < 2:
        return None
    others = [v for v in _values(claim_tokens) + [_subject(claim_tokens)]
              if v is not None and v.kind == "name" and v.text != name.text]  # fmt: skip
    return _SlotClaim(preposition, name, rest, others, {t.lower() for t in claim_tokens})


def _name_slot_in(
    slot: _SlotClaim, sentence: str, scope: str, everywhere: tuple[list[str], set[str]]
) -> SlotConflict | None:
    """The sentence puts another name in the claim's name slot (:func:`_slot_claim`): "Shared
    tools must be signed out with Hal Breuner" against "Shared tools ... must be signed out with
    Saoirse", "The plugin registry is run by the Hollin Collective" against "... the plugin
    registry run separately by Marrowbit Ltd". The slot is a preposition and the name after it,
    in both texts; the sentence holds most of the claim's other content words and none of the
    claim's name, which the evidence (``everywhere``) names elsewhere (a neighbouring fact's
    name put in this one's place); the claim's other names are in ``scope``; the sentence is not
    negated."""
    if _NEGATIONS & set(_words(sentence)):
        return None
    stoks = _tokens(sentence)
    if _present(slot.name, stoks, {t.lower() for t in stoks}):
        return None
    if not _present(slot.name, *everywhere):
        return None
    sstems = {_stem(t) for t in stoks}
    if sum(r in sstems for r in slot.rest) / len(slot.rest) < _MIN_SLOT_REST:
        return None
    scope_lower = {t.lower() for t in _tokens(scope)}
    if not all(_named_in(v, scope_lower) for v in slot.others):
        return None
    fillers = [v for p, v in _slot_names(stoks)
               if p == slot.preposition and not _named_in(v, slot.lower)]  # fmt: skip
    if len(fillers) != 1:
        return None
    return SlotConflict("slot", slot.name.text, fillers[0].text, sentence)


# "not only", "not always", "not necessarily": a hedge or a contrast, not a denial
_HEDGES = frozenset({"only", "just", "always", "necessarily", "all", "every", "merely",
                     "entirely", "completely", "quite", "exactly", "much", "even", "yet"})
_CLAUSE_END = re.compile(r"[,;:.!?()]|\b(?:but|and|while|whereas|although|though|or)\b")
_SCOPE_WORDS = 2  # content words after a negator that say what is denied
_SCOPE_SPAN = 5  # ... found within this many tokens of it


def _root(word: str) -> str:
    """A looser stem for the negation rule: "supplies" / "supply" / "supplied" -> "supply";
    a few verbs that say the same of what is denied share one ("supplied" / "provided")."""
    root = _stem(word).rstrip("e")
    root = root[:-1] + "y" if root.endswith("i") and len(root) > 3 else root
    return _SAME_ROOT.get(root, root)


_SAME_ROOT = {"supply": "provid", "permitt": "allow", "permit": "allow"}


# "has yet to enter service", "failed to reach": a denial in other words
_NEGATOR = re.compile(
    r"\b(?:not|no|never|cannot|neither|nor|none|nothing|yet to|failed to|fails to)\b|n't\b", re.I
)


# words in a denial's scope that say nothing of what is denied ("has not opened yet", "did not
# replace any", "not to travel")
_DENIAL_FILLERS = frozenset({"any", "yet", "still", "ever", "not"})


def _denials(text: str, hedges: frozenset[str] = _HEDGES) -> list[tuple[str, list[str]]]:
    """Each negator of ``text`` with the first content words of its clause after it
    ("did not reduce the number of falls" -> ("not", ["reduce", "number"])); one followed by
    one of ``hedges`` ("not only") denies nothing."""
    out = []
    for m in re.finditer(_NEGATOR, text):
        clause = _CLAUSE_END.split(text[m.end() :], maxsplit=1)[0]
        head = _CONDITION.split(clause, maxsplit=1)[0]  # "not cancelled when ...": "cancelled"
        clause = head if _tokens(head) else clause  # "not because of the dam": all of it
        tokens = _tokens(clause)[:_SCOPE_SPAN]
        if tokens and tokens[0].lower() in hedges:
            continue
        negator = m.group().lower()
        if tokens and negator == "no" and tokens[0].lower() == "longer":
            tokens, negator = tokens[1:], "no longer"  # the denial is of what follows
        words = [t for t in tokens if t.lower() not in FUNCTION_WORDS
                 and t.lower() not in _DENIAL_FILLERS and not _NUMBER.fullmatch(t)
                 ][:_SCOPE_WORDS]  # fmt: skip
        if words:
            out.append((negator, words))
    return out


_UNIVERSAL = frozenset({"never", "cannot"})
_CONDITION = re.compile(r"\b(?:when|whenever|if|once|unless|because|as soon as)\b", re.I)


def _negation_in(claim: str, sentence: str, scope: str, everywhere: set[str]) -> SlotConflict | None:
    """The sentence denies what the claim asserts ("The programme did not reduce falls" /
    "The programme reduced falls"), or asserts what the claim denies (where both deny
    something, in a clause of its own: "..., although it could not show why"): the denied words are
    in the other text, most of the claim is in the sentence and no name of the claim is
    missing from the window (:func:`_names_around`; ``everywhere``: the evidence's words in
    lower case)."""
    if "?" in sentence:  # a question asserts nothing; its answer may (and _answer_in)
        qa = _QA.fullmatch(sentence)
        found = _negation_in(claim, qa["a"], scope, everywhere) if qa and "?" not in qa["a"] else None
        return replace(found, sentence=sentence) if found is not None else None
    claim_denials, sentence_denials = _denials(claim), _denials(sentence)
    if claim_denials and sentence_denials:  # one clause may assert what the claim denies
        clauses = [c for c in _CONTRAST_SPLIT.split(sentence) if c.strip()]
        claim_lower = {t.lower() for t in _tokens(claim)}
        for clause in clauses if len(clauses) > 1 else ():
            ctoks = _tokens(clause)
            named = [v for v in [*_values(ctoks), _subject(ctoks)] if v and v.kind != "number"]
            if not all(_named_in(v, claim_lower) for v in named):
                continue  # "Terminal A has a sensory room; Terminal B does not": another subject
            found = _negation_in(claim, clause, scope, everywhere)
            if found is not None:
                return replace(found, sentence=sentence)
        return None
    if not claim_denials and not sentence_denials:
        return None
    if not sentence_denials and _denials(sentence, _HEDGES - {"yet"}):
        return None  # "has not yet decided" denies for now what the claim denies
    claim_tokens = _tokens(claim)
    sentence_roots = {_root(t) for t in _tokens(sentence)}
    # "never" / "cannot" deny every circumstance: a claim that asserts it under a condition
    # ("overflow when they exceed 64 bits") is measured by its main clause
    universal = any(negator in _UNIVERSAL for negator, _ in sentence_denials)
    main = _CONDITION.split(claim, maxsplit=1)[0] if universal else claim
    rest = [_root(t) for t in _tokens(main)  # the claim's content, its own "not" aside
            if t.lower() not in FUNCTION_WORDS and t.lower() not in ("not", "yet")
            and not _NUMBER.fullmatch(t)]  # fmt: skip
    if not rest or sum(r in sentence_roots for r in rest) / len(rest) < _MIN_REST:
        return None
    if not _names_around(claim_tokens, scope, everywhere):
        return None
    if sentence_denials:  # the sentence denies words the claim asserts
        claim_roots = set(rest)
        for negator, words in sentence_denials:
            if negator == "no longer" and not _still_true(claim, rest[0], sentence):
                continue
            if all(_root(w) in claim_roots for w in words):
                said = " ".join(words)
                return SlotConflict("negation", said, f"{negator} {said}", sentence)
        return None
    for negator, words in claim_denials:  # the claim denies what the sentence asserts
        if all(_root(w) in sentence_roots for w in words):
            said = " ".join(words)
            return SlotConflict("negation", f"{negator} {said}", said, sentence)
    return None


_PAST = frozenset({"was", "were", "had", "used", "formerly", "previously", "once", "did"})
_NO_LONGER_SUBJECTS = _SUBJECT_PRONOUNS | {"this", "these"}


def _still_true(claim: str, subject_root: str, sentence: str) -> bool:
    """Whether a "no longer" of ``sentence`` denies ``claim``: the claim speaks of the present
    ("Yugoslavia was part of the group" is what "is no longer part" implies), and the claim's
    subject (or a pronoun) is just before the "no longer" ("Kenya ... joined, whereas
    Yugoslavia is no longer part" is of Yugoslavia)."""
    if _PAST & {w.lower() for w in _tokens(claim)}:
        return False
    tokens = _tokens(sentence)
    lower = [t.lower() for t in tokens]
    for i in range(len(lower) - 1):
        if lower[i] == "no" and lower[i + 1] == "longer":
            before = tokens[max(0, i - 4) : i]
            if any(_root(t) == subject_root or t.lower() in _NO_LONGER_SUBJECTS for t in before):
                return True
    return False


_QA = re.compile(
    r"\s*(?:Q|Question)\s*[:.]\s*(?P<q>[^?]+\?)\s*(?:A|Answer)\s*[:.]\s*(?P<a>\S.*)",
    re.S | re.I,
)
_YES_NO = frozenset({"is", "are", "was", "were", "do", "does", "did", "has", "have", "had",
                     "can", "could", "will", "would", "should", "may"})  # fmt: skip
_WH = frozenset({"what", "which", "who", "whom", "whose", "when", "where", "how", "why"})


_RANKING = re.compile(r"(?:\w{2,}est|first|last|most|least|only|main|best|worst)", re.I)


def _same_question(asked: list[str], claim_roots: set[str]) -> bool:
    """Whether the claim restates the question whose content words are ``asked``: all of
    them, or all but one in four ("by area" left out), never without a word that ranks
    ("largest", "first", "most"): "the deepest lake" answers another question than "the
    largest lake"."""
    missing = [t for t in asked if _root(t) not in claim_roots]
    return len(missing) <= (len(asked) - 1) // 3 and not any(
        _RANKING.fullmatch(t) for t in missing
    )


_BARE_YES_NO = re.compile(r"\s*(yes|no)\s*(?:[.,;:!\u2013\u2014-]|$)", re.I)
_SHORT_ANSWER = 5  # tokens: an answer's first clause this short names the answer itself
_ANSWER_CLAUSE = re.compile(r"[,;.()]|\s[\u2013\u2014-]\s")


def _yes_no(answer: str) -> str | None:
    """"yes" / "no" for an answer that starts with a bare Yes or No ("No. It was ...", "Yes,
    in 2019"), None otherwise ("No answer could be found" is no "No")."""
    m = _BARE_YES_NO.match(answer)
    return m.group(1).lower() if m else None


_CONTRASTED_TAIL = re.compile(r",\s*(?:but\s+)?not\b", re.I)
_NON_ANSWERS = frozenset({"no", "none", "nobody", "nothing", "unknown", "unclear"})


def _answer_in(claim: str, sentence: str) -> SlotConflict | None:
    """A question-and-answer sentence ("Q: Which lake is the largest in Africa? A: Lake
    Victoria.") whose question the claim restates: the claim conflicts when it names another
    answer ("Lake Tanganyika is the largest lake in Africa"), or asserts what a "No" denies
    (or denies what a "Yes" confirms). Only a short answer ("Lake Victoria, which ...") is
    the value asked for; a sentence-long one ("Most of the money came from ...") is not."""
    m = _QA.fullmatch(sentence)
    if m is None:
        return None
    q_tokens, a_tokens, c_tokens = _tokens(m["q"]), _tokens(m["a"]), _tokens(claim)
    if not q_tokens or not a_tokens:
        return None
    claim_roots = {_root(t) for t in c_tokens}
    asked = [t for t in q_tokens if t.lower() not in FUNCTION_WORDS
             and t.lower() not in _WH and not _NUMBER.fullmatch(t)]  # fmt: skip
    if not asked or not _same_question(asked, claim_roots):
        return None
    if q_tokens[0].lower() in _YES_NO:
        said = _yes_no(m["a"])
        # "evacuated because of flooding, not because of the dam" asserts the evacuation
        main = _CONTRASTED_TAIL.split(claim, maxsplit=1)[0]
        if said is None or (said == "no") == bool(_denials(main)):
            return None
        return SlotConflict("answer", "no" if said == "yes" else "yes", said, sentence)
    if len(_tokens(_ANSWER_CLAUSE.split(m["a"], maxsplit=1)[0])) > _SHORT_ANSWER:
        return None
    if a_tokens[0].lower() in _NON_ANSWERS:  # "No answer could be found": nothing is named
        return None
    answers = _values(["-", *a_tokens])  # "-": the answer's first word may be its value
    if not answers:
        return None
    answer = answers[0]
    claim_lower = {t.lower() for t in c_tokens}
    if _named_in(answer, claim_lower) if answer.kind == "name" else _present(
        answer, c_tokens, claim_lower
    ):
        return None
    said_words = {t.lower() for t in q_tokens} | {t.lower() for t in a_tokens}
    for v in _values(["-", *c_tokens]):  # a name or number the claim gives for the answer
        if v.kind == answer.kind and not _named_in(v, said_words):
            return SlotConflict("answer", v.text, answer.text, sentence)
    return None


# function words, and the words that only set a yes/no question's or a claim's polarity
_POLARITY_FREE = FUNCTION_WORDS | _NEGATIONS | {"ever", "any"}


# words that make what follows them not an assertion of the text ("It is a myth that ...",
# "Critics claim ...", "... whether ...") or deny it
_NOT_ASSERTED = re.compile(
    r"\b(?:not|no|never|nor|n't|false|untrue|myth|claims?|claimed|believed?|thinks?|whether|"
    r"if|unless|rumou?rs?|said|says?|reported|alleged(?:ly)?|could|might|may|would|should|"
    r"once|wrongly|mistakenly|misconception)\b",
    re.I,
)
_CLAUSE_START = re.compile(r"(?:[,;:(\u2013\u2014]|\bthat)\s*$", re.I)
_CLAUSE_STOP = re.compile(r"\s*(?:$|[.;:,!)\u2013\u2014]|-\s)")


def _stated_in(claim: str, sentence: str) -> bool:
    """Whether ``sentence`` asserts ``claim`` word for word: the claim's words (three or
    more) run as a clause of the sentence — at its start or after a clause break or "that",
    and up to a clause break or its end — with no denial, hedge or report before them ("It is
    a myth that ...", "Critics claim ...") nor right after them."""
    words = [re.escape(t) for t in _tokens(claim)]
    if len(words) < 3:
        return False
    m = re.search(r"(?<!\w)" + r"\W+".join(words) + r"(?!\w)", sentence, re.I)
    if m is None:
        return False
    before, after = sentence[: m.start()], sentence[m.end() :]
    if _NOT_ASSERTED.search(before) or _NOT_ASSERTED.search(after[:40]):
        return False
    if before.strip() and not _CLAUSE_START.search(before):
        return False
    return _CLAUSE_STOP.match(after) is not None


def _agreeing_answer(claim: str, sentence: str) -> bool:
    """Whether the sentence is a yes/no question that the claim restates word for word (all
    of the question's content words in the claim and all of the claim's in the question, a
    negation aside) answered by a bare Yes or No that agrees with the claim's polarity:
    "Has the senator ever voted for a tax increase? No." / "The senator has never voted for a
    tax increase." The answer settles the claim as asked."""
    m = _QA.fullmatch(sentence)
    if m is None:
        return False
    q_tokens, c_tokens = _tokens(m["q"]), _tokens(claim)
    if not q_tokens or q_tokens[0].lower() not in _YES_NO:
        return False
    said = _yes_no(m["a"])
    if said is None or (said == "no") != bool(_denials(claim)):
        return False
    asked = {_root(t) for t in q_tokens if t.lower() not in _POLARITY_FREE}
    claimed = {_root(t) for t in c_tokens if t.lower() not in _POLARITY_FREE}
    return bool(asked) and asked == claimed


def _unaccounted_values(
    claim_tokens: list[str], everywhere: tuple[list[str], set[str]], sentences: Sequence[str]
) -> list[_Value]:
    """The claim's values the evidence does not account for. A number (or word) the claim
    shares with any of the evidence is not in conflict: another sentence may fill the same slot
    for something else ("kept for 14 days" beside "7 years"). A name the evidence has only in
    the claim's slot of sentences about something else is not accounted for: "The Salt Orchard
    was directed by Ilse Varga" against "Night Ferry, directed by Ilse Varga" and "The Salt
    Orchard, directed by Jonas Brek". ``everywhere``: the evidence's tokens, and them in lower
    case."""
    values = _values(claim_tokens)
    subject = _subject(claim_tokens)
    names = [n for n in values if n.kind != "number"] + ([subject] if subject else [])
    tokenised = [(toks, {t.lower() for t in toks}) for toks in map(_tokens, sentences)]
    out = []
    for v in values:
        if not _present(v, *everywhere):
            out.append(v)
        elif v.kind != "number" and _only_elsewhere(
            v, claim_tokens, [n for n in names if n is not v], tokenised
        ):
            out.append(v)
    return out


def _only_elsewhere(
    value: _Value,
    claim_tokens: Sequence[str],
    others: Sequence[_Value],
    sentences: Sequence[tuple[list[str], set[str]]],
) -> bool:
    """Whether every sentence that mentions ``value`` has it after the claim's slot word
    ("directed by ...") and lacks one of the claim's other names: the evidence uses the value
    for the same role of something else."""
    a = _anchor(claim_tokens, value.start)
    if not others or a is None:
        return False
    anchor = claim_tokens[a].lower()
    seen = False
    for toks, lower in sentences:
        if not _present(value, toks, lower):
            continue
        if all(_named_in(n, lower) for n in others):
            return False
        slots = [
            _anchor(toks, w.start)
            for w in _values(toks)
            if w.kind == value.kind and _present(value, toks[w.start : w.end], lower)
        ]
        if not slots or any(sa is None or toks[sa].lower() != anchor for sa in slots):
            return False  # the subject of its sentence, or in another role
        seen = True
    return seen


_CONTRAST = re.compile(r"\b(?:rather than|instead of)\b", re.I)
_CONTRAST_GAP = 2  # function words allowed between "rather than" and the name it rules out


@dataclass(frozen=True, slots=True)
class _ContrastClaim:
    """The claim side of :func:`_contrast_in`: the name it picks, the one it rules out, and
    the stems of the rest of it."""

    picked: _Value
    ruled_out: _Value
    rest: list[str]


def _contrast_claim(claim: str) -> _ContrastClaim | None:
    """A claim that picks one of two names: "led by Lotte Brink rather than Priya Castellane",
    "triaged by Juno Pakarinen instead of Adaeze Okoro"; the picked name ends just before the
    marker, the ruled-out one follows it (a function word or two between). None otherwise."""
    m = _CONTRAST.search(claim)
    if m is None or _NEGATIONS & set(_words(claim)):
        return None
    left, right = _tokens(claim[: m.start()]), _tokens(claim[m.end() :])
    picked = [v for v in _values(left) if v.kind != "number" and v.end == len(left)]
    ruled = [v for v in _values(["x", *right]) if v.kind != "number"]  # "x": not a first word
    if not picked or not ruled:
        return None
    gap = right[: ruled[0].start - 1]
    if len(gap) > _CONTRAST_GAP or any(t.lower() not in FUNCTION_WORDS for t in gap):
        return None
    in_names = set(range(picked[0].start, picked[0].end))
    rest = _content([t for i, t in enumerate(left) if i not in in_names])
    rest += _content(right[ruled[0].end - 1 :])
    return _ContrastClaim(picked[0], ruled[0], rest) if rest else None


def _contrast_in(contrast: _ContrastClaim, sentence: str, scope: str) -> SlotConflict | None:
    """The sentence names what the claim rules out, is not negated, and most of the rest of
    the claim is in its window, where no sentence that names what the claim picks also holds
    most of that rest ("Ellery has moved to the Harrow Lane depot, which he now runs"): the
    evidence made the other choice."""
    if _NEGATIONS & set(_words(sentence)):
        return None
    if not _named_in(contrast.ruled_out, {t.lower() for t in _tokens(sentence)}):
        return None

    def holds_rest(text: str) -> bool:
        stems = {_stem(t) for t in _tokens(text)}
        return sum(r in stems for r in contrast.rest) / len(contrast.rest) >= _MIN_REST

    if not holds_rest(scope):
        return None
    for a, b in sentence_spans(scope):
        other = scope[a:b]
        if _named_in(contrast.picked, {t.lower() for t in _tokens(other)}) and holds_rest(other):
            return None
    return SlotConflict("contrast", contrast.picked.text, contrast.ruled_out.text, sentence)


# a claim about a claim ("The claim that crime rose 40% came from a leaflet", "The video said
# to show the dam"): its embedded words are not asserted, so no opposite or answer refutes them
_REPORTED = re.compile(
    r"\b(?:claims?|rumou?rs?|allegations?|stor(?:y|ies)|reports?) that\b|\bsaid to\b", re.I
)


def find_slot_conflict(
    claim: str, evidence: Sequence[str], titles: Sequence[str | None] | None = None
) -> SlotConflict | None:
    """The first slot conflict between ``claim`` and a sentence of one of the ``evidence``
    texts (each a window of one or a few sentences). ``titles``, one per text (None or ""
    where there is none), are their documents' titles: a title names what its window speaks
    of (a window of a page titled "Nimbra H6 router" that says "The router ..." speaks of the
    Nimbra H6), so it joins the window wherever the rules look for the claim's names and
    content, but it asserts nothing: no rule fires on a title."""
    claim_tokens = _tokens(claim)
    heads = list(titles) if titles is not None else [None] * len(evidence)
    scopes = [
        f"{title.strip().rstrip('.:')}.\n{text}" if title and title.strip() else text
        for text, title in zip(evidence, heads, strict=True)
    ]
    every_words = set(_words(" ".join(scopes)))
    sentences = [
        (scope, text[a:b])
        for text, scope in zip(evidence, scopes, strict=True)
        for a, b in sentence_spans(text)
    ]
    everything = _tokens(" ".join(scopes))
    everywhere = (everything, {t.lower() for t in everything})
    values = _unaccounted_values(claim_tokens, everywhere, [s for _, s in sentences])
    role = _role_claim(claim, claim_tokens)
    agent = _agent_claim(claim, claim_tokens) or _active_agent_claim(claim, claim_tokens)
    contrast = _contrast_claim(claim)
    reported = _REPORTED.search(claim) is not None
    slot = None if reported else _slot_claim(claim)
    every_stems: set[str] | None = None
    stemmed: list[tuple[str, set[str]]] | None = None
    for text, sentence in sentences:
        found = _conflict_in(claim_tokens, values, sentence, text) if values else None
        if found is None and not reported:
            found = _antonym_in(claim, sentence, text, every_words, everywhere[1])
        if found is None:
            found = _negation_in(claim, sentence, text, everywhere[1])
        if found is None and not reported:
            found = _answer_in(claim, sentence)
        if found is None:
            if stemmed is None:  # once per claim, not per sentence
                stemmed = [(s, {_stem(w.lower()) for w in _tokens(s)}) for _, s in sentences]
            found = _swap_in(claim, sentence, stemmed)
        if found is None and role is not None:
            found = _subject_swap_in(role, sentence, text, everywhere)
        if found is None and agent is not None:
            if every_stems is None:
                every_stems = {_stem(t) for t in everything}
            found = _agent_swap_in(agent, sentence, text, every_stems)
        if found is None and contrast is not None:
            found = _contrast_in(contrast, sentence, text)
        if found is None and slot is not None:
            for clause in [sentence, *_CLAUSE_SPLIT.split(sentence)[1:]]:
                found = _name_slot_in(slot, clause, text, everywhere)
                if found is not None:
                    found = replace(found, sentence=sentence)
                    break
        if found is not None:
            return found
    if any(v.kind == "number" for v in values):  # the loosest rule last
        for text, sentence in sentences:
            found = _conflict_in(claim_tokens, values, sentence, text, by_unit=True)
            if found is not None:
                return found
    return None


def find_support(claim: str, evidence: Sequence[str]) -> tuple[str, str] | None:
    """``(kind, sentence)`` of the first sentence of ``evidence`` that settles ``claim`` as
    written: ``"answer"``, a yes/no question that asks exactly what the claim says, answered by
    a bare Yes or No that agrees with it (:func:`_agreeing_answer`); ``"stated"``, the claim
    stated word for word as a clause of the sentence (:func:`_stated_in`)."""
    for text in evidence:
        for a, b in sentence_spans(text):
            if _agreeing_answer(claim, text[a:b]):
                return "answer", text[a:b]
            if _stated_in(claim, text[a:b]):
                return "stated", text[a:b]
    return None


_SUPPORT_REASON = {
    "answer": "the evidence answers the claim's own question",
    "stated": "the evidence states the claim word for word",
}


def confirm_by_evidence(claim: str, evidence: Sequence[str], judgement: Judgement) -> Judgement:
    """``judgement`` unless a sentence of ``evidence`` settles ``claim`` as written
    (:func:`find_support`): then SUPPORTED, with the sentence as its reason. A judgement a
    rule already made (it has a reason) is kept."""
    if judgement.reason is not None:
        return judgement
    found = find_support(claim, evidence)
    if found is None:
        return judgement
    kind, sentence = found
    return Judgement(
        "SUPPORTED", SUPPORT_CONFIDENCE[kind], judgement.evidence_scores,
        f"{_SUPPORT_REASON[kind]}: {' '.join(sentence.split())}",
    )  # fmt: skip


def refute_slot_conflict(
    claim: str,
    evidence: Sequence[str],
    judgement: Judgement,
    titles: Sequence[str | None] | None = None,
) -> Judgement:
    """``judgement`` unless a sentence of ``evidence`` fills a slot of ``claim`` with another
    value (:func:`find_slot_conflict`, with the documents' ``titles``): then REFUTED, with the
    conflict as its reason (a judge that already said REFUTED keeps its confidence and gains
    the reason)."""
    conflict = find_slot_conflict(claim, evidence, titles)
    if conflict is None:
        return judgement
    if judgement.label == "REFUTED":
        return replace(judgement, reason=conflict.reason())
    return Judgement(
        "REFUTED", SLOT_CONFIDENCE[conflict.kind], judgement.evidence_scores, conflict.reason()
    )


def apply_slot_rules(
    claim: str,
    evidence: Sequence[str],
    judgement: Judgement,
    titles: Sequence[str | None] | None = None,
) -> Judgement:
    """The checker's rules over a judge's ``judgement``: a slot conflict refutes
    (:func:`refute_slot_conflict`); otherwise a yes/no answer to the claim's own question, or
    the claim stated word for word, supports it (:func:`confirm_by_evidence`). ``titles``: the
    titles of the evidence texts' documents, one per text (:func:`find_slot_conflict`)."""
    refuted = refute_slot_conflict(claim, evidence, judgement, titles)
    return confirm_by_evidence(claim, evidence, refuted)
