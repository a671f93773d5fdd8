from __future__ import annotations

from knowledge.types import SearchHit
from plugins.builtin.api_index import retriever_api_index


class _ListRetriever:
    """A tiny in-memory Retriever: returns every stored hit whose source mentions a word."""

    def __init__(self, sources: list[str]) -> None:
        self.hits = [SearchHit(str(i), s, "doc", 0.5) for i, s in enumerate(sources)]
        self.calls: list[tuple[str, str | None]] = []

    def search(
        self, query: str, *, top_k: int = 5, collection: str | None = None
    ) -> list[SearchHit]:
        self.calls.append((query, collection))
        root = query.split(".")[0]
        return [h for h in self.hits if root in h.source][:top_k]


def test_documented_undocumented_and_unknown_names() -> None:
    retriever = _ListRetriever(
        ["python:fancylib.core.run", "python:fancylib.core", "web:fancylib blog"]
    )
    index = retriever_api_index(retriever, collection="api")
    assert index("fancylib.core.run") is True
    assert index("fancylib.core.walk") is False
    assert index("otherlib.x") is None
    assert retriever.calls[0] == ("fancylib.core.run", "api")


def test_a_failing_retriever_means_unknown() -> None:
    class _Broken:
        def search(self, query: str, **kwargs: object) -> list[SearchHit]:
            raise RuntimeError("chroma down")

    assert retriever_api_index(_Broken())("x.y") is None
