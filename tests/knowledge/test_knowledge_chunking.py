from __future__ import annotations

import itertools

import pytest

from knowledge.chunking import chunk_id, chunk_text, split_sentences


def test_split_sentences_respects_punctuation_and_paragraphs() -> None:
    text = "First one. Second (quoted!) here? Third.\n\nHeading without stop\nmore text"
    assert split_sentences(text) == [
        "First one.",
        "Second (quoted!) here?",
        "Third.",
        "Heading without stop more text",
    ]


def test_chunks_hold_whole_sentences_within_size() -> None:
    sentences = [f"Sentence number {i} says something." for i in range(30)]
    chunks = chunk_text(" ".join(sentences), size=120, overlap=0)
    assert all(len(c) <= 120 for c in chunks)
    # no sentence is cut and none is lost or duplicated without overlap
    rejoined = " ".join(chunks)
    assert rejoined == " ".join(sentences)
    assert all(c.endswith(".") for c in chunks)


def test_overlap_repeats_the_tail_of_the_previous_chunk() -> None:
    sentences = [f"Fact {i} is true." for i in range(20)]
    chunks = chunk_text(" ".join(sentences), size=80, overlap=30)
    assert len(chunks) > 2
    for previous, current in itertools.pairwise(chunks):
        last_sentence = previous.split(". ")[-1]
        assert current.startswith(last_sentence.rstrip(".")), (previous, current)
        assert len(current) <= 80


def test_overlong_sentence_is_split_at_whitespace() -> None:
    words = " ".join(f"word{i}" for i in range(100))
    chunks = chunk_text(words, size=50, overlap=10)
    assert all(len(c) <= 50 for c in chunks)
    assert set(" ".join(chunks).split()) == set(words.split())
    assert chunks[0].startswith("word0 word1 ")


def test_empty_text_and_bad_sizes() -> None:
    assert chunk_text("  \n\n ") == []
    with pytest.raises(ValueError):
        chunk_text("x", size=10, overlap=10)


def test_chunk_id_is_a_content_hash_scoped_by_collection_and_source() -> None:
    a = chunk_id("col", "src", "text")
    assert a == chunk_id("col", "src", "text") and len(a) == 64
    assert (
        len(
            {
                a,
                chunk_id("col2", "src", "text"),
                chunk_id("col", "src2", "text"),
                chunk_id("col", "src", "text!"),
            }
        )
        == 4
    )
    # the separator keeps ("ab", "c") and ("a", "bc") apart
    assert chunk_id("ab", "c", "x") != chunk_id("a", "bc", "x")


def test_chunk_documents_metadata_and_dedup() -> None:
    from knowledge.documents import Document, chunk_documents
    from knowledge.errors import InvalidInputError

    alpha = " ".join(f"Alpha {i}." for i in range(30))
    docs = [
        Document(alpha, "a.md", "A", id="doc-a", metadata={"kind": "x", "bad": [1]}),
        Document(alpha, "a.md", "A", id="doc-a"),  # same content again: no new chunks
        Document("Beta.", "b.md"),
    ]
    count, chunks = chunk_documents("col", docs, size=60, overlap=10)
    assert count == 3
    a_chunks = [c for c in chunks if c.metadata["source"] == "a.md"]
    assert [c.metadata["chunk"] for c in a_chunks] == list(range(len(a_chunks)))
    assert {c.id for c in a_chunks} == {chunk_id("col", "a.md", c.text) for c in a_chunks}
    assert len(a_chunks) == len(chunk_text(alpha, size=60, overlap=10)) > 1
    assert len({c.id for c in chunks}) == len(chunks)
    assert a_chunks[0].metadata == {
        "kind": "x", "source": "a.md", "title": "A", "chunk": 0, "doc_id": "doc-a"
    }  # fmt: skip
    assert chunks[-1].metadata == {"source": "b.md", "title": "", "chunk": 0}
    with pytest.raises(InvalidInputError, match="non-empty source"):
        chunk_documents("col", [Document("x", " ")], size=60, overlap=10)


def test_a_markdown_heading_is_a_sentence_on_a_line_of_its_own() -> None:
    text = "# Brisk walking\n\n## Results\nOf 412 people, 371 finished. Falls did not change.\n"
    assert split_sentences(text) == [
        "# Brisk walking", "## Results", "Of 412 people, 371 finished.", "Falls did not change."]
    assert chunk_text(text) == [
        "# Brisk walking\n## Results\nOf 412 people, 371 finished. Falls did not change."]
    # a hash inside a line is no heading
    assert split_sentences("Use C# or F#. Issue #12 is open.") == [
        "Use C# or F#.", "Issue #12 is open."]


def test_a_list_item_ends_where_its_line_ends_full_stop_or_not() -> None:
    text = (
        "Not covered:\n\n- Theft from an unlocked shed\n- Bicycles, unless you buy\n"
        "  the Cycle Extension. Ask us.\n1. Call us first\n\nAfter the list."
    )
    assert split_sentences(text) == [
        "Not covered:", "- Theft from an unlocked shed", "- Bicycles, unless you buy the Cycle "
        "Extension.", "Ask us.", "1. Call us first", "After the list."]  # fmt: skip
    # in a chunk each item keeps a line of its own, so the item still ends there
    assert chunk_text(text) == [
        "Not covered:\n- Theft from an unlocked shed\n- Bicycles, unless you buy the Cycle "
        "Extension. Ask us.\n1. Call us first After the list."]  # fmt: skip


def test_a_document_without_a_title_takes_its_first_markdown_heading() -> None:
    from knowledge.chunking import markdown_title
    from knowledge.documents import Document, chunk_documents

    text = "Intro line.\n\n## Nimbra H6 router ##\nThe router has four ports.\n# Later"
    assert markdown_title(text) == "Nimbra H6 router"
    assert markdown_title("No heading here. #hashtag") == ""
    _, chunks = chunk_documents("col", [Document(text, "r.md")], size=500, overlap=0)
    assert {c.metadata["title"] for c in chunks} == {"Nimbra H6 router"}
    _, chunks = chunk_documents("col", [Document(text, "r.md", "Given")], size=500, overlap=0)
    assert {c.metadata["title"] for c in chunks} == {"Given"}
