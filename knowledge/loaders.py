"""Load files into :class:`Document` s: .txt .md .rst .html/.htm and .jsonl."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

from knowledge.chunking import markdown_title
from knowledge.documents import Document
from knowledge.errors import LoaderError

__all__ = ["SUPPORTED_SUFFIXES", "html_to_text", "iter_files", "load_file", "load_paths"]

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".rst", ".html", ".htm", ".jsonl"})

_RST_UNDERLINE_RE = re.compile(r"^([^\n]+)\n([=\-~^\"'`#*+]{3,})\s*$", re.MULTILINE)


class _TextExtractor(HTMLParser):
    _SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head"})
    _BLOCK = frozenset(
        {
            "p",
            "div",
            "br",
            "li",
            "ul",
            "ol",
            "tr",
            "table",
            "section",
            "article",
            "pre",
            "blockquote",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "dt",
            "dd",
            "hr",
            "header",
            "footer",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self.heading = ""
        self._skip_depth = 0
        self._in_title = False
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self._SKIP:
            self._skip_depth += 1
        if tag == "h1":
            self._in_h1 = True
        if tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._SKIP and self._skip_depth:
            self._skip_depth -= 1
        if tag == "h1":
            self._in_h1 = False
        if tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip_depth:
            self.parts.append(data)
            if self._in_h1:
                self.heading += data


def html_to_text(html: str) -> tuple[str, str]:
    """Strip tags (and script/style content); return ``(text, title)``."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r"\s*\n\s*\n\s*", "\n\n", text).strip()
    title = " ".join((parser.title or parser.heading).split())
    return text, title


def _title_of(suffix: str, stem: str, text: str) -> str:
    heading = markdown_title(text) if suffix in (".md", ".markdown") else ""
    if heading:
        return heading
    if suffix == ".rst":
        for match in _RST_UNDERLINE_RE.finditer(text):
            line, underline = match.group(1).strip(), match.group(2)
            if line and len(underline) >= len(line) and line[0] not in "=-~^\"'`#*+":
                return line
    return stem


def _load_jsonl(path: Path, source: str) -> Iterator[Document]:
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LoaderError(f"{path}:{lineno}: invalid JSON: {exc.msg}") from exc
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise LoaderError(f"{path}:{lineno}: expected an object with a string 'text'")
            if not record["text"].strip():
                log.warning("%s:%d: empty text, skipped", path, lineno)
                continue
            doc_id = record.get("id")
            doc_id = None if doc_id is None else str(doc_id)
            default_source = f"{source}#{doc_id}" if doc_id else f"{source}:{lineno}"
            yield Document(
                text=record["text"],
                source=str(record.get("source") or default_source),
                title=str(record.get("title") or ""),
                id=doc_id,
            )


def load_file(path: Path) -> list[Document]:
    """Load one supported file. The source of plain files is their resolved path."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoaderError(f"{path}: unsupported file type {suffix or '(none)'}")
    source = str(path.resolve())
    try:
        if suffix == ".jsonl":
            return list(_load_jsonl(path, source))
        raw = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise LoaderError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if suffix in (".html", ".htm"):
        text, title = html_to_text(raw)
        title = title or path.stem
    else:
        text, title = raw, _title_of(suffix, path.stem, raw)
    if not text.strip():
        return []
    return [Document(text=text, source=source, title=title)]


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Supported files under ``paths`` (recursively; hidden entries skipped), sorted."""
    for path in paths:
        if not path.exists():
            raise LoaderError(f"{path}: no such file or directory")
        if path.is_file():
            yield path
            continue
        for child in sorted(path.rglob("*")):
            relative = child.relative_to(path)
            if any(part.startswith(".") for part in relative.parts):
                continue
            if child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES:
                yield child


def load_paths(paths: Iterable[Path]) -> list[Document]:
    """Load every supported file under ``paths``; a missing path raises :class:`LoaderError`."""
    paths = list(paths)
    for path in paths:  # fail before reading anything
        if not path.exists():
            raise LoaderError(f"{path}: no such file or directory")
    documents: list[Document] = []
    for file in iter_files(paths):
        documents.extend(load_file(file))
    return documents
