"""KnowledgeBase against real Chroma: embedded PersistentClient and a `chroma run` server."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from knowledge import (
    CollectionNotFound,
    Document,
    Embedder,
    InvalidInputError,
    KnowledgeBase,
    KnowledgeConfig,
    StoreError,
)
from knowledge.chroma_ef import EF_NAME

CORPUS = [
    Document(
        "The kill command sends a signal to a process given its PID. By default it sends "
        "SIGTERM, which asks the program to terminate.",
        "unix.md",
        "Processes",
    ),
    Document(
        "Error ERR_QUOTA_4471 is raised when a bucket exceeds its storage quota. Delete old "
        "objects or ask for a larger quota.",
        "errors.md",
        "Errors",
    ),
    Document("Python lists are mutable sequences, while tuples are immutable.", "python.md"),
    Document("The Eiffel Tower in Paris was completed in 1889 for the World's Fair.", "paris.md"),
    Document(
        "Photosynthesis lets plants turn sunlight, water and carbon dioxide into sugar.",
        "bio.md",
    ),
]


def test_ingest_is_idempotent_and_stores_metadata(kb: KnowledgeBase) -> None:
    first = kb.ingest(CORPUS, collection="facts")
    assert (first.documents, first.chunks, first.added, first.skipped) == (5, 5, 5, 0)
    again = kb.ingest(CORPUS, collection="facts")
    assert (again.added, again.skipped) == (0, 5)
    assert kb.stats("facts").count == 5
    hit = kb.search("kill signal", collection="facts", top_k=1)[0]
    assert hit.metadata["title"] == "Processes" and hit.metadata["chunk"] == 0
    assert hit.source == "unix.md" and len(hit.id) == 64


def test_long_documents_are_chunked_with_indices(kb: KnowledgeBase) -> None:
    text = " ".join(f"Statement {i} concerns topic {i}." for i in range(40))
    report = kb.ingest([Document(text, "long.txt", "Long")], collection="chunks")
    assert report.chunks == report.added > 3
    hits = kb.search("Statement 39 concerns topic 39", collection="chunks", top_k=report.chunks)
    assert sorted(h.metadata["chunk"] for h in hits) == list(range(report.chunks))
    assert all(len(h.text) <= kb.config.chunk_size for h in hits)
    assert "Statement 39 concerns topic 39." in hits[0].text


def test_ingest_paths_twice_adds_nothing_the_second_time(kb: KnowledgeBase, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "a.md").write_text("# Alpha\n\nAlpha particles are helium nuclei.", encoding="utf-8")
    (docs / "sub" / "b.html").write_text(
        "<title>Beta</title><p>Beta decay emits an electron.</p>", encoding="utf-8"
    )
    (docs / "c.jsonl").write_text('{"text": "Gamma rays are photons.", "id": "g"}\n', "utf-8")
    seen: list[tuple[int, int]] = []
    first = kb.ingest_paths([docs], collection="physics", progress=lambda d, t: seen.append((d, t)))
    assert (first.documents, first.added) == (3, 3)
    assert seen[-1] == (3, 3)
    assert kb.ingest_paths([docs], collection="physics").added == 0
    sources = kb.stats("physics").sources
    assert sources == {
        str((docs / "a.md").resolve()): 1,
        str((docs / "c.jsonl").resolve()) + "#g": 1,
        str((docs / "sub" / "b.html").resolve()): 1,
    }
    assert kb.search("electron emission", collection="physics")[0].metadata["title"] == "Beta"


def test_delete_by_source_and_stats(kb: KnowledgeBase) -> None:
    kb.ingest(CORPUS, collection="facts")
    assert kb.delete_source("paris.md", collection="facts") == 1
    assert kb.delete_source("paris.md", collection="facts") == 0
    stats = kb.stats("facts")
    assert stats.count == 4 and "paris.md" not in stats.sources
    assert all(h.source != "paris.md" for h in kb.search("Eiffel Tower", collection="facts"))
    # re-ingesting restores exactly the deleted chunk
    assert kb.ingest(CORPUS, collection="facts").added == 1


def test_collections_are_listed_and_unknown_ones_are_clear_errors(kb: KnowledgeBase) -> None:
    kb.ingest(CORPUS[:1], collection="one")
    kb.ingest(CORPUS[1:2], collection="two")
    assert kb.list_collections() == ["one", "two"]
    with pytest.raises(CollectionNotFound, match="'missing' does not exist"):
        kb.search("anything", collection="missing")
    with pytest.raises(CollectionNotFound):
        kb.stats("missing")
    with pytest.raises(CollectionNotFound):
        kb.delete_source("x", collection="missing")
    with pytest.raises(InvalidInputError, match="invalid collection name"):
        kb.ingest(CORPUS, collection="a")
    with pytest.raises(InvalidInputError, match="empty"):
        kb.search("   ", collection="one")
    kb.delete_collection("two")
    assert kb.list_collections() == ["one"]


def test_default_collection_and_our_embedding_function(kb: KnowledgeBase) -> None:
    kb.ingest(CORPUS)
    assert kb.list_collections() == [kb.config.default_collection]
    assert kb.search("Eiffel", top_k=1)[0].source == "paris.md"
    config = kb._collection(kb.config.default_collection).configuration_json
    assert config["embedding_function"]["name"] == EF_NAME
    assert config["hnsw"]["space"] == "cosine"


def test_hybrid_search_exact_identifier_and_paraphrase(kb: KnowledgeBase) -> None:
    kb.ingest(CORPUS, collection="facts")
    exact = kb.search("ERR_QUOTA_4471", collection="facts", top_k=3)
    assert exact[0].source == "errors.md"
    assert exact[0].metadata["bm25_rank"] == 1 and exact[0].score == pytest.approx(1.0, abs=0.02)
    paraphrase = kb.search("how can I stop a running program?", collection="facts", top_k=3)
    assert paraphrase[0].source == "unix.md"
    assert paraphrase[0].metadata["dense_rank"] == 1
    year = kb.search("When was the Paris landmark finished?", collection="facts", top_k=5)
    assert year[0].source == "paris.md"
    for hits in (exact, paraphrase, year):
        assert all(0.0 <= h.score <= 1.0 and 0.0 <= h.metadata["similarity"] <= 1.0 for h in hits)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    # the relevant hit is far more similar than an unrelated one
    assert exact[0].metadata["similarity"] > exact[-1].metadata["similarity"] + 0.2


def test_bm25_index_sees_new_documents(kb: KnowledgeBase) -> None:
    kb.ingest(CORPUS, collection="facts")
    assert kb.search("zyxwvut", collection="facts")[0].metadata["bm25_rank"] is None
    kb.ingest([Document("The codeword zyxwvut opens the vault.", "vault.md")], collection="facts")
    hit = kb.search("zyxwvut", collection="facts", top_k=1)[0]
    assert hit.source == "vault.md" and hit.metadata["bm25_rank"] == 1


@pytest.mark.slow
def test_python_package_docs_are_searchable(kb: KnowledgeBase) -> None:
    report = kb.ingest_package("json", collection="pydocs")
    assert report.added > 10
    hits = kb.search("serialize an object to a JSON formatted string", collection="pydocs")
    assert "python:json.dumps" in [h.source for h in hits[:3]]
    assert kb.ingest_package("json", collection="pydocs").added == 0


def test_unreachable_server_is_a_store_error(embedder: Embedder) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(StoreError, match="Chroma server"):
        kb = KnowledgeBase(KnowledgeConfig(url=f"http://127.0.0.1:{port}"), embedder=embedder)
        kb.list_collections()


def test_chroma_default_embedding_function_is_never_used(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chroma's default embedder downloads an ONNX model; any call to it fails this test."""
    from chromadb.api.types import DefaultEmbeddingFunction
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    def forbidden(self: object, input: object) -> None:  # the signature Chroma validates
        raise AssertionError("Chroma's default embedding function was used")

    def forbidden_init(*_: object, **__: object) -> None:
        raise AssertionError("Chroma's ONNX embedder was built")

    monkeypatch.setattr(DefaultEmbeddingFunction, "__call__", forbidden)
    monkeypatch.setattr(ONNXMiniLM_L6_V2, "__init__", forbidden_init)
    kb.ingest(CORPUS, collection="facts")
    assert kb.search("Eiffel", collection="facts", top_k=1)[0].source == "paris.md"
    assert kb.stats("facts").count == 5 and kb.list_collections() == ["facts"]
    assert kb.delete_source("bio.md", collection="facts") == 1


def test_single_retriever_modes(kb: KnowledgeBase) -> None:
    kb.ingest(CORPUS, collection="facts")
    lexical = kb.search("ERR_QUOTA_4471 quota", collection="facts", mode="lexical")
    assert [h.source for h in lexical] == ["errors.md"]  # BM25 returns only matching chunks
    dense = kb.search("ERR_QUOTA_4471 quota", collection="facts", mode="dense", top_k=5)
    assert len(dense) == 5 and all(h.metadata["bm25_rank"] is None for h in dense)
    assert dense[0].score == 1.0
    with pytest.raises(InvalidInputError, match="mode"):
        kb.search("x", collection="facts", mode="sparse")  # type: ignore[arg-type]
