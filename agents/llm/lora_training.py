"""Training an expert's LoRA adapter on chat-formatted examples (a plain PEFT loop).

Each example is ``{"messages": [{"role": ..., "content": ...}, ...]}`` ending with the
assistant's answer. The prompt is rendered exactly as the transformers backend renders it at
inference (chat template, or the plain fallback), with the expert's system prompt first when
the example has none; the loss is taken on the answer's tokens (and the end-of-sequence token)
only. torch, transformers and peft are imported inside functions.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.errors import ModelLoadError, TrainingDataError
from agents.llm import _hf_decoding as decoding
from agents.llm import _hf_loading as loading
from agents.llm._hf_adapters import quiet_peft
from agents.llm.base import ChatMessage, ModelSpec

__all__ = ["AdaptConfig", "AdaptReport", "read_chat_examples", "train_adapter"]

logger = logging.getLogger(__name__)

_ROLES = ("system", "user", "assistant")
MAX_EXAMPLES = 100_000


@dataclass(frozen=True, slots=True)
class AdaptConfig:
    """How to train: LoRA rank/alpha, epochs over the data, batch size, AdamW learning rate,
    the longest example kept (tokens; longer ones are cut from the left of the prompt)."""

    rank: int = 8
    alpha: int = 16
    epochs: int = 3
    batch_size: int = 4
    learning_rate: float = 1e-3
    max_tokens: int = 1024
    seed: int = 0

    def __post_init__(self) -> None:
        if self.rank < 1 or self.alpha < 1 or self.epochs < 1 or self.batch_size < 1:
            raise TrainingDataError("rank, alpha, epochs and batch size must be at least 1")
        if not 0 < self.learning_rate < 1:
            raise TrainingDataError(f"learning rate must be in (0, 1), got {self.learning_rate}")
        if self.max_tokens < 8:
            raise TrainingDataError(f"max tokens must be at least 8, got {self.max_tokens}")


@dataclass(slots=True)
class AdaptReport:
    """What a training run did: the mean loss of each epoch, steps taken, time, where saved."""

    out: str
    examples: int
    steps: int = 0
    epoch_losses: list[float] = field(default_factory=list)
    seconds: float = 0.0
    device: str = "cpu"

    def as_dict(self) -> dict[str, Any]:
        return {"out": self.out, "examples": self.examples, "steps": self.steps,
                "epoch_losses": [round(x, 6) for x in self.epoch_losses],
                "seconds": round(self.seconds, 3), "device": self.device}


def _example(line: str, where: str) -> tuple[ChatMessage, ...]:
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise TrainingDataError(f"{where}: not JSON ({exc})") from exc
    messages = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, list) or len(messages) < 2:
        raise TrainingDataError(f"{where}: expected {{\"messages\": [...]}} with at least a "
                                "user message and the assistant's answer")
    out = []
    for i, message in enumerate(messages):
        if (not isinstance(message, dict) or message.get("role") not in _ROLES
                or not isinstance(message.get("content"), str)):
            raise TrainingDataError(f"{where}: message {i} needs a role ({', '.join(_ROLES)}) "
                                    "and text content")
        out.append(ChatMessage(message["role"], message["content"]))
    if out[-1].role != "assistant" or not out[-1].content.strip():
        raise TrainingDataError(f"{where}: the last message must be the assistant's answer "
                                "(non-empty)")
    if not any(m.role == "user" for m in out[:-1]):
        raise TrainingDataError(f"{where}: no user message before the answer")
    return tuple(out)


def read_chat_examples(path: Path) -> list[tuple[ChatMessage, ...]]:
    """The examples of a JSON-lines file (blank lines skipped); raises
    :class:`TrainingDataError` naming the file and line of the first problem."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainingDataError(f"cannot read {path}: {exc}") from exc
    examples = [_example(line, f"{path}:{number}")
                for number, line in enumerate(lines, 1) if line.strip()]
    if not examples:
        raise TrainingDataError(f"{path}: no examples (one JSON object per line)")
    if len(examples) > MAX_EXAMPLES:
        raise TrainingDataError(f"{path}: {len(examples)} examples; at most {MAX_EXAMPLES}")
    return examples


def _tokenize(tokenizer: Any, messages: Sequence[ChatMessage], system_prompt: str,
              max_tokens: int) -> tuple[list[int], int]:
    """Token ids of prompt + answer + eos, and how many of them are the prompt."""
    if system_prompt and not any(m.role == "system" for m in messages):
        messages = (ChatMessage("system", system_prompt), *messages)
    prompt_text, add_special = decoding.render_prompt(tokenizer, messages[:-1])
    prompt = tokenizer(prompt_text, add_special_tokens=add_special)["input_ids"]
    answer = tokenizer(messages[-1].content, add_special_tokens=False)["input_ids"]
    if tokenizer.eos_token_id is not None:
        answer = [*answer, tokenizer.eos_token_id]
    answer = answer[: max_tokens // 2] if len(prompt) + len(answer) > max_tokens else answer
    prompt = prompt[-(max_tokens - len(answer)):]
    return [*prompt, *answer], len(prompt)


def _batch(rows: Sequence[tuple[list[int], int]], pad_id: int, device: str) -> dict[str, Any]:
    import torch

    width = max(len(ids) for ids, _ in rows)
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    labels = torch.full((len(rows), width), -100, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, (ids, prompt_len) in enumerate(rows):
        input_ids[i, : len(ids)] = torch.tensor(ids)
        labels[i, prompt_len : len(ids)] = torch.tensor(ids[prompt_len:])
        mask[i, : len(ids)] = 1
    return {"input_ids": input_ids.to(device), "attention_mask": mask.to(device),
            "labels": labels.to(device)}


def train_adapter(
    spec: ModelSpec,
    examples: Sequence[tuple[ChatMessage, ...]],
    out: Path,
    *,
    system_prompt: str = "",
    config: AdaptConfig | None = None,
    on_epoch: Callable[[int, float], None] | None = None,
) -> AdaptReport:
    """Train a LoRA adapter of ``spec.model`` on ``examples`` and save it under ``out``
    (``adapter_config.json`` and weights: what an expert's ``adapter`` names)."""
    import torch
    from peft import LoraConfig, get_peft_model

    config = config or AdaptConfig()
    if not examples:
        raise TrainingDataError("no examples to train on")
    loaded = loading.load(spec)
    tokenizer, device = loaded.tokenizer, loaded.device
    rows = [_tokenize(tokenizer, m, system_prompt, config.max_tokens) for m in examples]
    if not any(len(ids) > prompt_len for ids, prompt_len in rows):
        raise TrainingDataError("every answer was cut away: raise max tokens")
    lora = LoraConfig(r=config.rank, lora_alpha=config.alpha, lora_dropout=0.0,
                      target_modules="all-linear", task_type="CAUSAL_LM")
    with torch.random.fork_rng(devices=[]), quiet_peft():
        torch.manual_seed(config.seed)
        try:
            model = get_peft_model(loaded.model, lora)
        except (ValueError, RuntimeError, TypeError) as exc:
            raise ModelLoadError(f"cannot add LoRA layers to {spec.model!r}: {exc}") from exc
    for parameter in model.parameters():  # LoRA weights train in float32 (stable with fp16)
        if parameter.requires_grad:
            parameter.data = parameter.data.float()
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trainable, lr=config.learning_rate)
    order = random.Random(config.seed)
    report = AdaptReport(out=str(out), examples=len(rows), device=device)
    started = time.perf_counter()
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    for epoch in range(config.epochs):
        indices = list(range(len(rows)))
        order.shuffle(indices)
        total = 0.0
        batches = 0
        for start in range(0, len(indices), config.batch_size):
            batch = _batch([rows[i] for i in indices[start : start + config.batch_size]],
                           pad_id, device)
            loss = model(**batch).loss
            if not math.isfinite(loss.item()):
                raise ModelLoadError(f"training diverged (loss {loss.item()}) at epoch "
                                     f"{epoch + 1}: lower the learning rate")
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimiser.step()
            optimiser.zero_grad(set_to_none=True)
            total += loss.item()
            batches += 1
            report.steps += 1
        report.epoch_losses.append(total / batches)
        logger.info("adapter epoch %d: mean loss %.4f", epoch + 1, total / batches)
        if on_epoch is not None:
            on_epoch(epoch + 1, total / batches)
    report.seconds = time.perf_counter() - started
    model.eval()
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with quiet_peft():
            model.save_pretrained(out)
    except OSError as exc:
        raise ModelLoadError(f"cannot save the adapter under {out}: {exc}") from exc
    return report
