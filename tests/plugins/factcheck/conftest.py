"""Shared fixtures: the bundled MiniLM (loaded once) and a small in-memory knowledge base."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

KB = [
    ("water-1", "physics", "At sea level, pure water boils at 100 degrees Celsius (212 °F)."),
    (
        "python-1",
        "python-docs",
        (
            "Lists in Python are mutable sequences: items can be changed "
            "in place after the list is created."
        ),
    ),
    (
        "python-2",
        "python-docs",
        ("Tuples are immutable sequences; once created, a tuple cannot be modified."),
    ),
    ("python-3", "python-docs", "Since Python 3.7, dictionaries preserve insertion order."),
    (
        "paris-1",
        "geography",
        ("The Eiffel Tower is a wrought-iron tower in Paris, France, completed in 1889."),
    ),
    ("moon-1", "astronomy", "The Moon orbits the Earth about once every 27.3 days."),
]


@pytest.fixture(scope="session")
def embedder():
    from knowledge.embedcache import CachedEmbedder
    from knowledge.embeddings import Embedder

    return CachedEmbedder(Embedder())


@pytest.fixture(scope="session")
def builtin_judge(embedder):
    from plugins.factcheck.builtin import BuiltinJudge

    return BuiltinJudge(embedder)


@pytest.fixture(scope="session")
def retriever(embedder):
    from plugins.factcheck.memory import InMemoryRetriever, Passage

    r = InMemoryRetriever(embedder)
    r.add(Passage(i, text, source) for i, source, text in KB)
    return r


@pytest.fixture(scope="session")
def cross_judge(embedder):
    from plugins.factcheck.cross import CrossJudge

    return CrossJudge(embedder)
