"""Pure helpers of the transformers backend: prompts, batching groups, turning tokens into text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from agents.llm.base import ChatMessage, Generation, GenerationRequest

_FALLBACK_ROLES = {"system": "System", "user": "User", "assistant": "Assistant"}


def plain_prompt(messages: Sequence[ChatMessage]) -> str:
    """The prompt used when the tokenizer has no chat template.

    ``System: ...``, ``User: ...`` and ``Assistant: ...`` blocks separated by blank lines, ending
    with ``Assistant:`` so that the model continues as the assistant.
    """
    blocks = [f"{_FALLBACK_ROLES[m.role]}: {m.content}" for m in messages]
    blocks.append("Assistant:")
    return "\n\n".join(blocks)


def _merge_system(messages: Sequence[ChatMessage]) -> list[dict[str, str]]:
    """Fold system messages into the first user message, for templates that reject them."""
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    out = [{"role": m.role, "content": m.content} for m in messages if m.role != "system"]
    if system:
        if out and out[0]["role"] == "user":
            out[0] = {"role": "user", "content": f"{system}\n\n{out[0]['content']}"}
        else:
            out.insert(0, {"role": "user", "content": system})
    return out


def render_prompt(tokenizer: Any, messages: Sequence[ChatMessage]) -> tuple[str, bool]:
    """Return the prompt text and whether the tokenizer should add its special tokens."""
    if not getattr(tokenizer, "chat_template", None):
        return plain_prompt(messages), True
    as_dicts = [{"role": m.role, "content": m.content} for m in messages]
    try:
        text = tokenizer.apply_chat_template(as_dicts, add_generation_prompt=True, tokenize=False)
    except Exception:
        if not any(m.role == "system" for m in messages):
            raise
        text = tokenizer.apply_chat_template(
            _merge_system(messages), add_generation_prompt=True, tokenize=False
        )
    return str(text), False


@dataclass(frozen=True, slots=True)
class Group:
    """Requests that can share one ``generate`` call, by their positions in the batch."""

    indices: tuple[int, ...]
    do_sample: bool
    temperature: float
    top_p: float
    stop: tuple[str, ...]
    seed: int | None


def _group_key(request: GenerationRequest) -> tuple[object, ...]:
    if request.temperature <= 0:
        return (False, 0.0, 1.0, request.stop, False)
    return (True, request.temperature, request.top_p, request.stop, request.seed is not None)


def group_requests(requests: Sequence[GenerationRequest], max_batch_size: int) -> list[Group]:
    """Split requests into compatible groups of at most ``max_batch_size``.

    Requests share a group when they decode the same way (greedy, or sampling with the same
    temperature and top_p), have the same stop strings and are all seeded or all unseeded.
    ``max_new_tokens`` may differ inside a group (each row has its own budget). A seeded group
    draws from one generator seeded from the seeds of its members, so a request's sample is
    reproducible for the same batch.
    """
    buckets: dict[tuple[object, ...], list[int]] = {}
    for index, request in enumerate(requests):
        buckets.setdefault(_group_key(request), []).append(index)
    groups: list[Group] = []
    for (do_sample, temperature, top_p, stop, seeded), indices in buckets.items():
        for start in range(0, len(indices), max_batch_size):
            chunk = tuple(indices[start : start + max_batch_size])
            seed = _combine_seeds([requests[i].seed for i in chunk]) if seeded else None
            groups.append(
                Group(chunk, bool(do_sample), float(temperature), float(top_p), stop, seed)
            )
    return groups


def _combine_seeds(seeds: Sequence[int | None]) -> int:
    if len(seeds) == 1:
        return int(seeds[0] or 0)
    value = 0
    for seed in seeds:
        value = (value * 1_000_003 + int(seed or 0)) % (2**63 - 1)
    return value


def _first_stop(text: str, stop: Sequence[str]) -> int:
    positions = [text.find(s) for s in stop if s]
    found = [p for p in positions if p >= 0]
    return min(found) if found else -1


def _tokens_until_stop(
    tokens: Sequence[int], stop: Sequence[str], decode: Callable[[Sequence[int]], str]
) -> int:
    """The fewest leading tokens whose decoded text already contains a stop string."""
    low, high = 1, len(tokens)
    while low < high:
        mid = (low + high) // 2
        if _first_stop(decode(tokens[:mid]), stop) >= 0:
            high = mid
        else:
            low = mid + 1
    return high


def finish(
    tokens: Sequence[int],
    *,
    prompt_tokens: int,
    max_new_tokens: int,
    stop: Sequence[str],
    eos_ids: frozenset[int],
    pad_id: int | None,
    decode: Callable[[Sequence[int]], str],
) -> Generation:
    """Turn one row of generated token ids into a :class:`Generation`.

    The row ends at the first end-of-sequence token (counted, not shown), at its own
    ``max_new_tokens`` budget, or at the first stop string (text cut before it, tokens counted up
    to the one that completed it). Padding after a row finished early is not counted.
    """
    tokens = list(tokens[:max_new_tokens])
    hit_eos = False
    counted = len(tokens)
    for position, token in enumerate(tokens):
        if token in eos_ids:
            tokens, counted, hit_eos = tokens[:position], position + 1, True
            break
    else:
        if pad_id is not None and pad_id not in eos_ids:
            while tokens and tokens[-1] == pad_id:
                tokens.pop()
            counted = len(tokens)
    text = decode(tokens)
    cut = _first_stop(text, stop)
    if cut >= 0:
        counted = _tokens_until_stop(tokens, stop, decode)
        return Generation(text[:cut], prompt_tokens, counted, "stop")
    reason = "stop" if hit_eos or counted < max_new_tokens else "length"
    return Generation(text, prompt_tokens, counted, reason)
