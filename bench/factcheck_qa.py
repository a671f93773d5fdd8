"""Question-and-answer shaped evidence for training the reader judge.

Fact-checks are often given as question/answer evidence ("Q: Did the council ban plastic bags?
A: No, the proposal was rejected."): the question restates part of the claim and the answer
carries the fact. Training pairs are recast in that shape: the claim becomes a question (a
yes/no question by moving its auxiliary, or "Is it true that ...?", or the claim with one name
or number asked for), the premise its answer, the label unchanged; a supported claim's yes/no
question also gets a bare "Yes." (SUPPORTED) or "No." (REFUTED), and the claim's negation the
opposite label.
"""

from __future__ import annotations

import random
import re

from factcheck_contrast import AUXILIARIES, VERB_S, negate, verb_base

_AUX = re.compile(rf"\b({AUXILIARIES})\b" r"(?!\s+not\b|n't)", re.IGNORECASE)
_NAME_OR_NUMBER = re.compile(
    r"(?<!^)(?<![/\w])(\d[\d,.]*\d|\d|[A-Z][\w'-]+"
    r"(?:\s+(?:(?:of|the|von|van|de|da|del|der|la|le)\s+)*[A-Z][\w'-]+)*)(?![\w/])"
)
_YEAR = re.compile(r"1\d{3}|20\d{2}")
_LOWER_FIRST = frozenset({"the", "a", "an", "this", "that", "these", "those", "some", "many",
                          "most", "all", "it", "there", "its", "their", "his", "her", "one"})  # fmt: skip
_NOT_VERBS = frozenset({"is", "was", "has", "does", "this", "its", "his", "us", "as", "thus",
                        "always", "less", "across", "series", "species", "news", "status"})  # fmt: skip
_FORMATS = ("Q: {q} A: {a}", "Question: {q} Answer: {a}", "{q} {a}")


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if first.lower() in _LOWER_FIRST else text


def _body(claim: str) -> str:
    return claim.strip().rstrip(".!")


def _subject(text: str) -> bool:
    """Whether ``text`` (what precedes the verb) can be a claim's subject: a few words, one
    phrase (a verb deep in a long sentence belongs to a clause, not the claim)."""
    words = text.split()
    return 0 < len(words) <= 7 and not re.search(r"[,;:\"()]", text)


def polar_question(claim: str) -> str | None:
    """A yes/no question that asks whether ``claim`` holds, or None for a negated claim."""
    body = _body(claim)
    if not body or re.search(r"\b(?:not|never|no)\b|n't\b", body, re.I):
        return None
    m = _AUX.search(body)
    if m is not None and _subject(body[: m.start()]):
        subject = body[: m.start()].strip()
        rest = body[m.end() :].strip()
        return f"{m.group(1).capitalize()} {_lower_first(subject)} {rest}?".replace(" ?", "?")
    for v in VERB_S.finditer(body):
        word = v.group(0)
        if word in _NOT_VERBS or word.endswith(("ss", "ous")):
            continue
        subject = body[: v.start()].strip()
        if not _subject(subject):
            break
        return f"Does {_lower_first(subject)} {verb_base(v)}{body[v.end() :]}?"
    return f"Is it true that {_lower_first(body)}?"


def asking_question(claim: str, rng: random.Random) -> str | None:
    """``claim`` with one of its names or numbers asked for ("Merge sort was invented by
    whom?"-like: "... by what?"), or None when it has none."""
    body = _body(claim)
    spans = list(_NAME_OR_NUMBER.finditer(body))
    if not spans:
        return None
    m = rng.choice(spans)
    text = m.group(1)
    word = "what year" if _YEAR.fullmatch(text) else "how many" if text[0].isdigit() else "what"
    return f"{body[: m.start()]}{word}{body[m.end() :]}?"


def qa_premise(question: str, answer: str, rng: random.Random) -> str:
    return rng.choice(_FORMATS).format(q=question, a=answer)


def qa_pairs(
    premise: str, claim: str, target: int, rng: random.Random, *, supported: int, refuted: int
) -> list[tuple[str, str, int]]:
    """(premise, claim, target) triples: the pair with its premise as the answer to a question
    built from the claim; for a supported pair also a bare yes/no answer, both ways round."""
    question = polar_question(claim) if rng.random() < 0.6 else asking_question(claim, rng)
    question = question or polar_question(claim)
    if question is None:
        return []
    out = [(qa_premise(question, premise, rng), claim, target)]
    polar = polar_question(claim)
    if target == supported and polar is not None and rng.random() < 0.5:
        yes = rng.random() < 0.5
        answer = ("Yes." if yes else "No.") + (f" {premise}" if yes and rng.random() < 0.5 else "")
        out.append((qa_premise(polar, answer, rng), claim, supported if yes else refuted))
        denied = negate(claim)
        if denied is not None and rng.random() < 0.5:
            out.append((qa_premise(polar, answer, rng), denied, refuted if yes else supported))
    return out
