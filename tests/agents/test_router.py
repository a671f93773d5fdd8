import numpy as np
import pytest

from agents.errors import RouterError
from agents.experts import load_experts
from agents.router import EmbeddingRouter, RouterConfig, softmax


@pytest.fixture(scope="module")
def experts():
    return load_experts()


def _router(experts, embedder, **config):
    return EmbeddingRouter(experts, embedder.embed, RouterConfig(**config))


@pytest.mark.parametrize(
    "task",
    [
        "Implement quicksort in Python",
        "Write a function that returns the k-th smallest element of an unsorted array",
        "Find the minimum spanning tree of a weighted undirected graph",
        "Implement Dijkstra's shortest path algorithm",
    ],
)
def test_algorithmic_tasks_weight_algorithm_design_highest(experts, embedder, task):
    routed = _router(experts, embedder).route(task)
    assert routed[0].name == "algorithm_design"


@pytest.mark.parametrize(
    "task",
    [
        "fix this syntax error: def add(a, b)\n    return a + b",
        "My code fails with SyntaxError: invalid syntax near the print statement, fix it",
        "IndentationError: unindent does not match any outer indentation level",
    ],
)
def test_syntax_fix_requests_weight_syntax_check_highest(experts, embedder, task):
    routed = _router(experts, embedder).route(task)
    assert routed[0].name == "syntax_check"


def test_weights_are_a_distribution_sorted_descending(experts, embedder):
    routed = _router(experts, embedder).route("Implement a trie with insert and search")
    weights = [w.weight for w in routed]
    assert abs(sum(weights) - 1) < 1e-4
    assert weights == sorted(weights, reverse=True)
    assert {w.name for w in routed} == set(experts)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_top_k_is_honoured(experts, embedder, k):
    routed = _router(experts, embedder, top_k=k, required_roles=()).route(
        "Implement merge sort"
    )
    activated = [w.name for w in routed if w.activated]
    assert activated == [w.name for w in routed[:k]]


def test_always_on_experts_are_activated_beyond_top_k(experts, embedder):
    routed = _router(experts, embedder, top_k=1, always_on=("security_review",)).route(
        "Implement merge sort"
    )
    activated = {w.name for w in routed if w.activated}
    assert activated == {"algorithm_design", "security_review"}


def test_an_author_is_always_activated(experts, embedder):
    routed = _router(experts, embedder, top_k=1).route("fix this syntax error: x = (1, 2")
    assert routed[0].name == "syntax_check"
    assert any(w.activated and w.role == "author" for w in routed)


def test_lower_temperature_sharpens_the_distribution(experts, embedder):
    task = "Implement binary search"
    sharp = _router(experts, embedder, temperature=0.02).route(task)[0].weight
    flat = _router(experts, embedder, temperature=1.0).route(task)[0].weight
    assert sharp > flat


def test_unknown_always_on_and_empty_task_are_errors(experts, embedder):
    with pytest.raises(RouterError, match="unknown"):
        _router(experts, embedder, always_on=("nobody",))
    with pytest.raises(RouterError, match="empty"):
        _router(experts, embedder).route("   ")


def test_softmax_is_stable_for_large_scores():
    out = softmax(np.array([1000.0, 999.0]), 0.01)
    assert np.isfinite(out).all() and abs(out.sum() - 1) < 1e-9
