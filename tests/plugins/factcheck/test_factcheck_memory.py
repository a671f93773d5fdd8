import numpy as np
import pytest

from knowledge.embedcache import CachedEmbedder
from plugins.factcheck.errors import UnknownCollectionError
from plugins.factcheck.memory import InMemoryRetriever, Passage


class CountingEncoder:
    """Deterministic 4-d 'embeddings' from letters; counts what it had to encode."""

    def __init__(self):
        self.calls = []

    def embed(self, texts):
        self.calls.append(list(texts))
        rows = [[t.count("a") + 0.1, t.count("b"), t.count("c"), len(t) / 100] for t in texts]
        v = np.array(rows, dtype=np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_cache_encodes_each_text_once_and_evicts():
    enc = CountingEncoder()
    cache = CachedEmbedder(enc, max_items=2)
    first = cache.embed(["aa", "bb", "aa"])
    assert enc.calls == [["aa", "bb"]]
    assert np.allclose(first[0], first[2])
    cache.embed(["bb"])
    assert len(enc.calls) == 1
    cache.embed(["cc"])  # evicts the least recently used ("aa")
    cache.embed(["aa"])
    assert enc.calls[-1] == ["aa"] and len(cache) == 2
    with pytest.raises(ValueError):
        CachedEmbedder(enc, max_items=0)


def test_retriever_ranks_by_cosine_and_knows_collections():
    r = InMemoryRetriever(CountingEncoder())
    assert r.add([Passage("1", "aaaa", "s1"), Passage("2", "bbbb", "s2"), Passage("3", "   ")]) == 2
    hits = r.search("aaa", top_k=5)
    assert [h.id for h in hits] == ["1", "2"]
    assert hits[0].source == "s1" and 0 <= hits[1].score <= hits[0].score <= 1
    assert r.count() == 2 and r.count("other") == 0
    with pytest.raises(UnknownCollectionError):
        r.search("aaa", collection="other")
    r.add([], collection="empty")
    assert r.search("aaa", collection="empty") == []
