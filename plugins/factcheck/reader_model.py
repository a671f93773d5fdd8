"""The torch side of the ``reader`` judge: MiniLM fine-tuned whole as an (evidence, claim)
cross-encoder with a 3-way head.

Imported only when the reader judge loads (or by its training script): it imports torch and
transformers. The word embeddings stay the bundled all-MiniLM-L6-v2's (frozen in training, so
they are not shipped); what is shipped is the fine-tuned transformer layers, the pooler-free
head and a temperature for calibration, in fp16 (about 21 MB).

Input order is ``[CLS] evidence [SEP] claim [SEP]``; the head reads the mean of the token
states. Labels are :data:`plugins.factcheck.types.LABELS` (SUPPORTED, REFUTED,
NOT_ENOUGH_INFO).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from knowledge.embeddings import quiet_hf_progress
from plugins.factcheck._weights import fit_weights, read_weights, write_weights
from plugins.factcheck.errors import JudgeLoadError

__all__ = ["ReaderModel", "load_reader", "quantize_int8", "save_reader"]

_FROZEN_PREFIX = "encoder.embeddings.word_embeddings."


class ReaderModel(nn.Module):
    """(evidence, claim) token pairs -> logits over (SUPPORTED, REFUTED, NOT_ENOUGH_INFO)."""

    def __init__(self, base_path: str, *, max_len: int = 256) -> None:
        super().__init__()
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()  # the base's unused pooler is reported as "unexpected"
        try:
            with quiet_hf_progress():
                self.tokenizer = AutoTokenizer.from_pretrained(base_path)
                self.encoder = AutoModel.from_pretrained(base_path, add_pooling_layer=False)
        finally:
            hf_logging.set_verbosity(verbosity)
        self.max_len = max_len
        self.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Linear(self.encoder.config.hidden_size, 3)
        self.register_buffer("temperature", torch.ones(()))

    def tokenize(self, evidences: Sequence[str], claims: Sequence[str]) -> dict[str, torch.Tensor]:
        return dict(
            self.tokenizer(
                list(evidences),
                list(claims),
                # the longer text is cut first: the evidence, or a claim longer than the
                # model's window, which "only_first" would reject
                truncation="longest_first",
                max_length=self.max_len,
                padding=True,
                return_tensors="pt",
            )
        )

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """Uncalibrated logits; divide by ``temperature`` for calibrated probabilities."""
        out = self.encoder(
            input_ids=batch["input_ids"],
            attention_mask=batch["attention_mask"],
            token_type_ids=batch.get("token_type_ids"),
        ).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(out.dtype)
        pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return self.head(self.dropout(pooled))

    def probs(self, evidences: Sequence[str], claims: Sequence[str]) -> torch.Tensor:
        logits = self(self.tokenize(evidences, claims))
        return torch.softmax(logits / self.temperature, dim=1)

    def shipped_state(self) -> dict[str, torch.Tensor]:
        """Everything but the frozen word embeddings (those come from the base at load)."""
        return {k: v for k, v in self.state_dict().items() if not k.startswith(_FROZEN_PREFIX)}


def save_reader(
    model: ReaderModel, path: str | Path, extra: dict[str, object] | None = None
) -> None:
    """Write the fine-tuned weights in fp16 with the config as metadata; atomic replace."""
    tensors = {
        k: (v.to(torch.float16) if v.is_floating_point() and v.dim() > 0 else v)
        for k, v in model.shipped_state().items()
    }
    write_weights(tensors, path, {"max_len": model.max_len, "base": "all-MiniLM-L6-v2"}, extra)


def load_reader(path: str | Path, base_path: str) -> ReaderModel:
    """Build the model from the base MiniLM and the fine-tuned weights at ``path`` (fp32)."""
    config, tensors = read_weights(path, "reader judge")
    model = ReaderModel(base_path, max_len=int(config.get("max_len", 256)))
    fit_weights(model, tensors, set(model.shipped_state()), path, "reader judge")
    return model.eval()


def quantize_int8(model: ReaderModel) -> ReaderModel:
    """Dynamic int8 quantisation of every Linear layer (weights int8, activations quantised on
    the fly); CPU inference only. PyTorch marks ``torch.ao.quantization`` and quantized tensors
    deprecated in favour of torchao (not a dependency here); those warnings are silenced, and a
    torch without them is a :class:`JudgeLoadError`."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)  # "quantized tensor creation ... deprecated"
        try:
            from torch.ao.quantization import quantize_dynamic

            return quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)
        except (ImportError, AttributeError, RuntimeError) as exc:
            raise JudgeLoadError(f"int8 quantisation is not available: {exc}") from exc
