"""The torch side of the ``cross`` judge: MiniLM as a cross-encoder with low-rank adapters.

Imported only when a cross judge loads its model (or by the training script): it imports torch
and transformers. The base weights are the bundled all-MiniLM-L6-v2 (frozen); what is trained
and shipped is small: rank-``r`` adapters ``W x + (alpha / r) B A x`` on the attention and
feed-forward projections of every layer, and a head over the mean-pooled pair encoding
concatenated with the lexical cues of :mod:`plugins.factcheck.features`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from knowledge.embeddings import quiet_hf_progress
from plugins.factcheck._weights import fit_weights, read_weights, write_weights
from plugins.factcheck.errors import JudgeLoadError
from plugins.factcheck.features import LEXICAL_NAMES

__all__ = ["CrossConfig", "CrossModel", "LoRALinear", "load_cross", "save_cross"]

_TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


class CrossConfig(dict[str, object]):
    """Hyper-parameters stored next to the weights (safetensors metadata)."""

    @classmethod
    def default(cls) -> CrossConfig:
        return cls(
            rank=8, alpha=16, hidden=128, max_len=128, base="all-MiniLM-L6-v2",
            lexical=list(LEXICAL_NAMES),
        )  # fmt: skip


class LoRALinear(nn.Module):
    """A frozen ``nn.Linear`` plus a trainable low-rank update (B starts at zero)."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float) -> None:
        super().__init__()
        self.base = base
        for p in base.parameters():
            p.requires_grad_(False)
        self.lora_a = nn.Parameter(torch.randn(rank, base.in_features) / base.in_features**0.5)
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
        self.scale = alpha / rank

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.lora_a.T @ self.lora_b.T) * self.scale


class CrossModel(nn.Module):
    """(claim, evidence) token pairs -> logits over (SUPPORTED, REFUTED, NOT_ENOUGH_INFO)."""

    def __init__(self, base_path: str, config: CrossConfig) -> None:
        super().__init__()
        from transformers import AutoModel, AutoTokenizer

        with quiet_hf_progress():
            self.tokenizer = AutoTokenizer.from_pretrained(base_path)
            self.encoder = AutoModel.from_pretrained(base_path)
        self.config = config
        for p in self.encoder.parameters():
            p.requires_grad_(False)
        rank, alpha = int(config["rank"]), float(config["alpha"])  # type: ignore[arg-type]
        for layer in self.encoder.encoder.layer:
            for target in _TARGETS:
                parent_name, _, attr = target.rpartition(".")
                parent = layer.get_submodule(parent_name)
                setattr(parent, attr, LoRALinear(getattr(parent, attr), rank, alpha))
        n_features = 4 * self.encoder.config.hidden_size + len(LEXICAL_NAMES)
        self.register_buffer("feat_mean", torch.zeros(n_features))
        self.register_buffer("feat_std", torch.ones(n_features))
        width = self.encoder.config.hidden_size + n_features
        hidden = int(config["hidden"])  # type: ignore[arg-type]
        self.head = nn.Sequential(
            nn.Dropout(0.1), nn.Linear(width, hidden), nn.GELU(), nn.Linear(hidden, 3)
        )

    def trainable_state(self) -> dict[str, torch.Tensor]:
        """What is shipped: adapters, head and the feature standardisation."""
        state = {n: p.detach().clone() for n, p in self.named_parameters() if p.requires_grad}
        state["feat_mean"], state["feat_std"] = self.feat_mean.clone(), self.feat_std.clone()
        return state

    def encode_batch(
        self, claims: Sequence[str], evidences: Sequence[str], features: np.ndarray
    ) -> dict[str, torch.Tensor]:
        """Tokenised pairs plus their :func:`~plugins.factcheck.features.pair_features` rows."""
        batch = self.tokenizer(
            list(claims),
            list(evidences),
            truncation="longest_first",
            max_length=int(self.config["max_len"]),  # type: ignore[arg-type]
            padding=True,
            return_tensors="pt",
        )
        batch["features"] = torch.from_numpy(np.asarray(features, dtype=np.float32))
        return dict(batch)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        out = self.encoder(
            input_ids=batch["input_ids"],
            attention_mask=batch["attention_mask"],
            token_type_ids=batch.get("token_type_ids"),
        ).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(out.dtype)
        pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        feats = (batch["features"] - self.feat_mean) / self.feat_std
        return self.head(torch.cat([pooled, feats], dim=1))


def save_cross(model: CrossModel, path: str | Path, extra: dict[str, object] | None = None) -> None:
    """Write the adapters and head (fp16), the standardisation (fp32) and the config as
    metadata; atomic replace, so a checkpoint is always whole."""
    tensors = {
        k: (v if k.startswith("feat_") else v.to(torch.float16))
        for k, v in model.trainable_state().items()
    }
    write_weights(tensors, path, dict(model.config), extra)


def load_cross(path: str | Path, base_path: str) -> CrossModel:
    """Build the model from the base weights and the adapter file at ``path``."""
    raw, tensors = read_weights(path, "cross judge")
    config = CrossConfig(raw)
    if list(config.get("lexical", [])) != list(LEXICAL_NAMES):  # type: ignore[call-overload]
        raise JudgeLoadError(f"cross judge weights {path} were trained on other features")
    model = CrossModel(base_path, config)
    # the expected keys include feat_mean / feat_std
    fit_weights(model, tensors, set(model.trainable_state()), path, "cross judge")
    return model.eval()
