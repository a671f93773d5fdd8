"""A local Hugging Face transformers model behind the batched :class:`ModelBackend` protocol.

torch and transformers are imported when the model is first loaded, never at import time.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from agents.errors import AdapterError, ModelCallError, ModelLoadError, PromptTooLongError
from agents.llm import _hf_decoding as decoding
from agents.llm import _hf_loading as loading
from agents.llm._hf_adapters import AdapterSet
from agents.llm.base import Adapter, Generation, GenerationRequest, ModelSpec

__all__ = ["TransformersBackend"]

logger = logging.getLogger(__name__)


class TransformersBackend:
    """Chat generation with ``AutoModelForCausalLM``; loads once, on first use, thread-safely.

    Requests are grouped by decoding settings (greedy vs. sampling, temperature, top_p, stop
    strings) and each group runs as one left-padded batch of at most ``max_batch_size`` rows.
    Outputs come back in request order. Calls are serialised: one ``generate`` at a time.

    A request's ``adapter`` (an expert's LoRA adapter) is attached with PEFT the first time it
    is asked for and kept; requests with different adapters, and without one, share a batch
    (PEFT's mixed-adapter batch, ``adapter_names``). The base weights are never changed.
    """

    def __init__(self, spec: ModelSpec, *, max_batch_size: int = 16) -> None:
        if max_batch_size < 1:
            raise ModelLoadError(f"max_batch_size must be at least 1, got {max_batch_size}")
        self.spec = spec
        self.name = spec.model
        self.max_batch_size = max_batch_size
        self._loaded: loading.LoadedModel | None = None
        self._adapters: AdapterSet | None = None
        self._load_lock = threading.Lock()
        self._generate_lock = threading.Lock()

    @property
    def device(self) -> str:
        """The device the model runs on (loads the model if needed)."""
        return self.load().device

    def load(self) -> loading.LoadedModel:
        """Load model and tokenizer once; later calls return the same objects."""
        if self._loaded is None:
            with self._load_lock:
                if self._loaded is None:
                    self._loaded = loading.load(self.spec)
                    self._adapters = AdapterSet(self._loaded.model)
        return self._loaded

    @property
    def adapters(self) -> dict[str, str]:
        """The attached adapters: source -> PEFT adapter name."""
        return self._adapters.attached if self._adapters is not None else {}

    def check_adapters(self, adapters: Sequence[Adapter]) -> None:
        """At start: each local adapter is a saved PEFT adapter (nothing is loaded here;
        adapters attach on first use). Raises :class:`AdapterError`."""
        from agents.llm._hf_adapters import check_source

        for adapter in adapters:
            check_source(adapter)

    def _attach(self, requests: Sequence[GenerationRequest]) -> AdapterSet:
        loaded = self.load()
        adapters = self._adapters
        assert adapters is not None
        try:
            adapters.ensure(r.adapter for r in requests)
        except AdapterError:
            if adapters.broken:  # reload the base model on the next call
                logger.warning("an adapter failed to attach; the base model is reloaded")
                with self._load_lock:
                    if self._loaded is loaded:
                        self._loaded = self._adapters = None
            raise
        return adapters

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        requests = list(requests)
        if not requests:
            return []
        for request in requests:
            _validate(request)
        results: list[Generation | None] = [None] * len(requests)
        with self._generate_lock:
            adapters = self._attach(requests)
            loaded = self.load()
            for group in decoding.group_requests(requests, self.max_batch_size):
                rows = [requests[i] for i in group.indices]
                for index, generation in zip(
                    group.indices, self._run_group(loaded, adapters, group, rows), strict=True
                ):
                    results[index] = generation
        return [r for r in results if r is not None]

    def _run_group(
        self,
        loaded: loading.LoadedModel,
        adapters: AdapterSet,
        group: decoding.Group,
        rows: list[GenerationRequest],
    ) -> list[Generation]:
        import torch

        tokenizer, model = loaded.tokenizer, loaded.model
        batch = _model_inputs(model, _encode(tokenizer, rows).to(loaded.device))
        prompt_len = int(batch["input_ids"].shape[1])
        context = getattr(model.config, "max_position_embeddings", None)
        if isinstance(context, int) and prompt_len >= context:
            raise PromptTooLongError(
                f"A prompt of {prompt_len} tokens does not fit the context of {self.name!r} "
                f"({context} tokens); shorten the prompt."
            )
        prompt_counts = batch["attention_mask"].sum(dim=1).tolist()
        budgets = [r.max_new_tokens for r in rows]
        options: dict[str, Any] = {
            "max_new_tokens": max(budgets),
            "do_sample": group.do_sample,
            "pad_token_id": tokenizer.pad_token_id,
            "stopping_criteria": _budget_criteria(budgets, prompt_len),
        }
        if group.do_sample:
            options.update(
                temperature=group.temperature,
                top_p=group.top_p,
                top_k=model.generation_config.top_k or 0,
            )
        if group.stop:
            options.update(stop_strings=list(group.stop), tokenizer=tokenizer)
        started = time.perf_counter()
        try:
            with torch.inference_mode(), _seeded(group.seed, loaded.device), \
                    adapters.running([r.adapter for r in rows]) as (runner, extra):
                output = runner.generate(**batch, **options, **extra)
        except torch.cuda.OutOfMemoryError as exc:
            del batch
            torch.cuda.empty_cache()
            raise ModelCallError(
                f"Out of GPU memory generating a batch of {len(rows)}: {exc}. Use a smaller "
                "batch, fewer new tokens, or 8-bit loading."
            ) from exc
        except (RuntimeError, ValueError, IndexError) as exc:
            raise ModelCallError(f"Generation with {self.name!r} failed: {exc}") from exc
        eos_ids = _eos_ids(model, tokenizer)

        def decode(ids: Sequence[int]) -> str:
            return tokenizer.decode(list(ids), skip_special_tokens=True)

        generated = output[:, prompt_len:].tolist()
        logger.debug(
            "generated %d rows (prompt %d, new <= %d tokens) in %.3f s",
            len(rows),
            prompt_len,
            max(budgets),
            time.perf_counter() - started,
        )
        return [
            decoding.finish(
                tokens,
                prompt_tokens=int(count),
                max_new_tokens=request.max_new_tokens,
                stop=request.stop,
                eos_ids=eos_ids,
                pad_id=tokenizer.pad_token_id,
                decode=decode,
            )
            for tokens, count, request in zip(generated, prompt_counts, rows, strict=True)
        ]


def _validate(request: GenerationRequest) -> None:
    if not request.messages:
        raise ModelCallError("A generation request needs at least one message.")
    if request.max_new_tokens < 1:
        raise ModelCallError(f"max_new_tokens must be at least 1, got {request.max_new_tokens}")
    if request.temperature < 0:
        raise ModelCallError(f"temperature must be >= 0, got {request.temperature}")
    if not 0 < request.top_p <= 1:
        raise ModelCallError(f"top_p must be in (0, 1], got {request.top_p}")


def _encode(tokenizer: Any, rows: Sequence[GenerationRequest]) -> Any:
    rendered = [decoding.render_prompt(tokenizer, r.messages) for r in rows]
    texts = [text for text, _ in rendered]
    add_special = rendered[0][1]  # the same tokenizer renders every row the same way
    return tokenizer(texts, padding=True, return_tensors="pt", add_special_tokens=add_special)


def _model_inputs(model: Any, batch: Any) -> dict[str, Any]:
    """The tokenizer outputs the model takes, by name, the way ``generate`` validates them
    (``prepare_inputs_for_generation`` and ``forward``): a tokenizer may return more than its
    model accepts (``token_type_ids`` for a Llama), which ``generate`` rejects outright."""
    accepted = set(inspect.signature(model.prepare_inputs_for_generation).parameters)
    accepted |= set(inspect.signature(model.forward).parameters)
    dropped = sorted(set(batch) - accepted)
    if dropped:
        logger.debug("not passing tokenizer outputs %s: the model does not take them", dropped)
    return {key: value for key, value in batch.items() if key in accepted}


def _eos_ids(model: Any, tokenizer: Any) -> frozenset[int]:
    ids: set[int] = set()
    configured = model.generation_config.eos_token_id
    if isinstance(configured, int):
        ids.add(configured)
    elif configured:
        ids.update(int(i) for i in configured)
    if tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    return frozenset(ids)


def _budget_criteria(budgets: Sequence[int], prompt_len: int) -> Any:
    """A stopping criterion that ends each row at its own ``max_new_tokens``."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    class _RowBudget(StoppingCriteria):
        def __init__(self) -> None:
            self.limits = torch.tensor(budgets)

        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            produced = input_ids.shape[1] - prompt_len
            return (produced >= self.limits).to(input_ids.device)

    return StoppingCriteriaList([_RowBudget()])


@contextlib.contextmanager
def _seeded(seed: int | None, device: str) -> Iterator[None]:
    """Seed torch for one call without disturbing the process-wide random state."""
    if seed is None:
        yield
        return
    import torch

    device_type = torch.device(device).type
    devices = [] if device_type == "cpu" else [device]
    with torch.random.fork_rng(devices=devices, device_type=device_type):
        torch.manual_seed(seed)
        yield
