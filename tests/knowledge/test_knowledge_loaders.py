from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.errors import LoaderError
from knowledge.loaders import html_to_text, iter_files, load_file, load_paths


def test_txt_uses_stem_as_title_and_resolved_path_as_source(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Plain text. Two sentences.", encoding="utf-8")
    [doc] = load_file(path)
    assert doc.text == "Plain text. Two sentences."
    assert doc.title == "notes"
    assert doc.source == str(path.resolve())


def test_markdown_title_is_first_heading(tmp_path: Path) -> None:
    path = tmp_path / "guide.md"
    path.write_text("Intro line\n\n## Install Guide ##\n\nRun pip install.\n", encoding="utf-8")
    [doc] = load_file(path)
    assert doc.title == "Install Guide"
    assert "Run pip install." in doc.text


def test_rst_title_is_underlined_line(tmp_path: Path) -> None:
    path = tmp_path / "api.rst"
    path.write_text("=====\n\nUsage Notes\n===========\n\nCall it twice.\n", encoding="utf-8")
    [doc] = load_file(path)
    assert doc.title == "Usage Notes"


def test_html_strips_tags_scripts_and_styles(tmp_path: Path) -> None:
    html = (
        "<html><head><title>My Page</title><style>p {color: red}</style></head>"
        "<body><h1>Header</h1><script>alert('x')</script><p>First &amp; <b>bold</b>.</p>"
        "<ul><li>one</li><li>two</li></ul></body></html>"
    )
    text, title = html_to_text(html)
    assert title == "My Page"
    assert "alert" not in text and "color" not in text and "<" not in text
    assert "First & bold." in text
    assert text.split("\n\n") == ["Header", "First & bold.", "one", "two"]
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    [doc] = load_file(path)
    assert doc.title == "My Page" and doc.text == text


def test_jsonl_fields_and_defaults(tmp_path: Path) -> None:
    path = tmp_path / "facts.jsonl"
    rows = [
        {"text": "Water boils at 100 C.", "id": "w1", "title": "Water"},
        {"text": "Iron is a metal.", "source": "chem-book"},
        {"text": "   "},
        {"text": "No id here."},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    docs = load_file(path)
    resolved = str(path.resolve())
    assert [d.source for d in docs] == [f"{resolved}#w1", "chem-book", f"{resolved}:4"]
    assert docs[0].id == "w1" and docs[0].title == "Water"
    assert docs[1].id is None


@pytest.mark.parametrize(
    ("line", "message"), [("{not json", "invalid JSON"), ('{"title": "x"}', "string 'text'")]
)
def test_jsonl_bad_lines_name_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(LoaderError, match=rf"bad.jsonl:2: .*{message}"):
        load_file(path)


def test_directories_are_walked_recursively_skipping_hidden_and_unknown(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / "a" / "one.md").write_text("# One\n\nText one.", encoding="utf-8")
    (tmp_path / "a" / "b" / "two.txt").write_text("Text two.", encoding="utf-8")
    (tmp_path / "a" / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / ".git" / "config.txt").write_text("secret", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("  ", encoding="utf-8")
    files = [p.relative_to(tmp_path).as_posix() for p in iter_files([tmp_path])]
    assert files == ["a/b/two.txt", "a/one.md", "empty.txt"]
    docs = load_paths([tmp_path])
    assert sorted(d.text for d in docs) == ["# One\n\nText one.", "Text two."]


def test_missing_path_and_unsupported_file(tmp_path: Path) -> None:
    with pytest.raises(LoaderError, match="no such file"):
        load_paths([tmp_path / "nope"])
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"%PDF")
    with pytest.raises(LoaderError, match="unsupported file type .pdf"):
        load_file(bad)
