"""Embedding router: softmax over experts' similarity to the task, top-k activation.

The task is embedded once; each expert is represented by the normalised centroid of its
routing examples (and description). Weights are ``softmax(cos / temperature)``. The top-k
experts, the always-on experts, and the best expert of each required role (by default one
``author``, so that someone writes the solution) are activated. Every weight is reported.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from agents.errors import RouterError
from agents.experts import Expert

EmbedFn = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True, slots=True)
class RouterConfig:
    top_k: int = 3
    temperature: float = 0.1
    always_on: tuple[str, ...] = field(default_factory=tuple)
    required_roles: tuple[str, ...] = ("author",)

    def __post_init__(self) -> None:
        if self.top_k < 1:
            raise RouterError("top_k must be at least 1")
        if self.temperature <= 0:
            raise RouterError("router temperature must be positive")


@dataclass(frozen=True, slots=True)
class ExpertWeight:
    name: str
    role: str
    weight: float
    similarity: float
    activated: bool

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "role": self.role, "weight": self.weight,
                "similarity": self.similarity, "activated": self.activated}


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    """Numerically stable temperature-scaled softmax."""
    scaled = scores / temperature
    scaled = scaled - scaled.max()
    exp = np.exp(scaled)
    return exp / exp.sum()


class EmbeddingRouter:
    """Routes a task to experts. Centroids are embedded once, on the first route."""

    def __init__(
        self, experts: Mapping[str, Expert], embed: EmbedFn, config: RouterConfig | None = None
    ) -> None:
        if not experts:
            raise RouterError("the router needs at least one expert")
        self.config = config or RouterConfig()
        unknown = [name for name in self.config.always_on if name not in experts]
        if unknown:
            raise RouterError(
                f"always-on expert(s) {', '.join(unknown)} unknown; "
                f"known: {', '.join(sorted(experts))}"
            )
        self._experts = list(experts.values())
        self._embed = embed
        self._centroids: np.ndarray | None = None
        self._lock = threading.Lock()

    @property
    def experts(self) -> list[Expert]:
        return list(self._experts)

    def _expert_centroids(self) -> np.ndarray:
        if self._centroids is None:
            with self._lock:
                if self._centroids is None:
                    texts: list[str] = []
                    owners: list[int] = []
                    for i, expert in enumerate(self._experts):
                        for text in (expert.description, *expert.examples):
                            texts.append(text)
                            owners.append(i)
                    vectors = np.asarray(self._embed(texts), dtype=np.float32)
                    owner_ids = np.asarray(owners)
                    centroids = np.stack(
                        [vectors[owner_ids == i].mean(axis=0) for i in range(len(self._experts))]
                    )
                    norms = np.linalg.norm(centroids, axis=1, keepdims=True)
                    self._centroids = centroids / np.maximum(norms, 1e-12)
        return self._centroids

    def route(self, task: str) -> list[ExpertWeight]:
        """All experts with weights (summing to 1), highest first; ``activated`` marks the
        chosen ones."""
        if not task.strip():
            raise RouterError("cannot route an empty task")
        query = np.asarray(self._embed([task]), dtype=np.float32)[0]
        query = query / max(float(np.linalg.norm(query)), 1e-12)
        similarities = self._expert_centroids() @ query
        weights = softmax(similarities.astype(np.float64), self.config.temperature)
        order = np.argsort(-weights, kind="stable")
        top = {int(i) for i in order[: self.config.top_k]}
        for role in self.config.required_roles:
            if not any(self._experts[i].role == role for i in top):
                best = next((int(i) for i in order if self._experts[i].role == role), None)
                if best is not None:
                    top.add(best)
        routed = [
            ExpertWeight(
                name=self._experts[i].name,
                role=self._experts[i].role,
                weight=round(float(weights[i]), 6),
                similarity=round(float(similarities[i]), 6),
                activated=int(i) in top or self._experts[i].name in self.config.always_on,
            )
            for i in order
        ]
        return routed
