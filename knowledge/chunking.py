"""Sentence-aware chunking with overlap, and content-hash chunk ids."""

from __future__ import annotations

import hashlib
import re

__all__ = ["chunk_id", "chunk_text", "is_heading", "markdown_title", "split_sentences"]

_PARAGRAPH_RE = re.compile(r"\n\s*\n")
# A sentence ends at . ! ? (optionally followed by a closing quote/bracket), then whitespace,
# then something that can start a sentence (a capital, digit, quote or bracket).
_SENTENCE_END_RE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\]]))\s+(?=[A-Z0-9\"'(\[`*#-])")
_SPACE_RE = re.compile(r"\s+")
_HEADING_RE = re.compile(r"\s{0,3}#{1,6}\s+\S")
# a Markdown list item: "- ...", "* ...", "+ ...", "• ...", "1. ...", "2) ..."
_LIST_ITEM_RE = re.compile(r"\s{0,3}(?:[-*+•]|\d{1,3}[.)])\s+\S")


def _blocks(text: str) -> list[str]:
    """Paragraphs, with each Markdown heading line a block of its own and each list item (with
    its wrapped continuation lines) another: an item ends there, full stop or not."""
    blocks: list[str] = []
    for paragraph in _PARAGRAPH_RE.split(text):
        lines: list[str] = []
        for line in paragraph.split("\n"):
            if _HEADING_RE.match(line):
                blocks.append(" ".join(lines))
                blocks.append(line)
                lines = []
            elif _LIST_ITEM_RE.match(line):
                blocks.append(" ".join(lines))
                lines = [line]
            else:
                lines.append(line)
        blocks.append(" ".join(lines))
    return blocks


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences; paragraph breaks always end a sentence and a Markdown
    heading line is a sentence of its own (it has no full stop to end it)."""
    sentences: list[str] = []
    for block in _blocks(text):
        block = _SPACE_RE.sub(" ", block).strip()
        if not block:
            continue
        # a list item's marker is no sentence of its own ("1. Call us" is not "1." + "Call us")
        marker = _LIST_ITEM_RE.match(block)
        prefix = block[: marker.end() - 1] if marker else ""
        pieces = [p.strip() for p in _SENTENCE_END_RE.split(block[len(prefix) :])]
        pieces = [p for p in pieces if p]
        if prefix and pieces:
            pieces[0] = prefix + pieces[0]
        sentences.extend(pieces)
    return sentences


def is_heading(sentence: str) -> bool:
    """A Markdown heading (``# Title``): a label for what follows, not a statement."""
    return _HEADING_RE.match(sentence) is not None


_TITLE_RE = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def markdown_title(text: str) -> str:
    """The text of the first Markdown heading of ``text`` ("" without one)."""
    match = _TITLE_RE.search(text)
    return match.group(1).strip() if match else ""


def _join(units: list[str]) -> str:
    """Sentences of a chunk: a space between them, a heading or a list item on a line of its
    own (so the item still ends where it ended in the document)."""
    out = units[0]
    for before, unit in zip(units, units[1:], strict=False):
        own_line = is_heading(before) or is_heading(unit) or _LIST_ITEM_RE.match(unit)
        out += ("\n" if own_line else " ") + unit
    return out


def _hard_split(sentence: str, size: int) -> list[str]:
    """Split an over-long sentence at whitespace (or hard, if it has none) into <= size."""
    pieces: list[str] = []
    rest = sentence
    while len(rest) > size:
        cut = rest.rfind(" ", 0, size + 1)
        if cut <= 0:
            cut = size
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def chunk_text(text: str, *, size: int = 800, overlap: int = 120) -> list[str]:
    """Pack whole sentences into chunks of at most ``size`` characters.

    Consecutive chunks share trailing sentences of up to ``overlap`` characters, so a fact
    that straddles a boundary is whole in at least one chunk. Sentences longer than
    ``size`` are split at whitespace.
    """
    if size < 1 or not 0 <= overlap < size:
        raise ValueError(f"need size >= 1 and 0 <= overlap < size, got {size}, {overlap}")
    units: list[str] = []
    for sentence in split_sentences(text):
        units.extend(_hard_split(sentence, size) if len(sentence) > size else [sentence])

    chunks: list[str] = []
    current: list[str] = []
    length = 0  # length of " ".join(current)
    for unit in units:
        added = len(unit) + (1 if current else 0)
        if current and length + added > size:
            chunks.append(_join(current))
            carried: list[str] = []
            carried_len = 0
            for previous in reversed(current):
                extra = len(previous) + (1 if carried else 0)
                if carried_len + extra > overlap:
                    break
                carried.insert(0, previous)
                carried_len += extra
            # keep the overlap only if the next unit still fits after it
            if carried and carried_len + 1 + len(unit) > size:
                carried, carried_len = [], 0
            current, length = carried, carried_len
            added = len(unit) + (1 if current else 0)
        current.append(unit)
        length += added
    if current:
        chunks.append(_join(current))
    return chunks


def chunk_id(collection: str, source: str, text: str) -> str:
    """The content-hash id of a chunk: sha256 of collection, source and text."""
    digest = hashlib.sha256()
    for part in (collection, source, text):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()
