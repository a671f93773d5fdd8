"""The cost of a mixed-adapter batch: the same requests on the base model alone vs. spread over
three LoRA adapters and the base in one batch (PEFT ``adapter_names``), same process, same
machine, interleaved repetitions. Goal: mixed / base < 1.5x.

A small random Llama (built locally, nothing downloaded; ``--hidden`` x ``--layers``) is saved
without an end-of-sequence id in its generation config, so every row decodes exactly
``--new-tokens`` tokens and both sides do the same number of steps. Three random rank-``--rank``
adapters (attention and MLP projections, ``init_lora_weights=False``). Both sides go through
:class:`agents.llm.transformers_backend.TransformersBackend`, one call of ``--batch`` requests;
the base side's backend never had an adapter attached (a plain transformers model). Also
reported: the base requests through the adapter-carrying model (all rows ``__base__``), which
is what a base-only expert costs once an adapter is attached. One torch thread, CPU.

    python bench/lora_mixed_batch.py [--batch 16] [--new-tokens 32] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.llm import Adapter, GenerationRequest, ModelSpec  # noqa: E402
from agents.llm.transformers_backend import TransformersBackend  # noqa: E402
from tests.fixtures.tiny_lora import build_tiny_adapter  # noqa: E402
from tests.fixtures.tiny_model import build_tiny_model  # noqa: E402

PROMPTS = (
    "Write a function that returns the sum of a list of numbers.",
    "def fibonacci(n: int) -> int:",
    "Explain the code and test it.",
    "class Stack:",
)


def build_small_model(directory: Path, hidden: int, layers: int) -> Path:
    """A random Llama of the given size with the tiny model's tokenizer, no eos in its
    generation config (rows never stop early)."""
    import torch
    from transformers import AutoTokenizer, GenerationConfig, LlamaConfig, LlamaForCausalLM

    tiny = build_tiny_model(directory / "tiny")
    tokenizer = AutoTokenizer.from_pretrained(tiny)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=hidden,
                         intermediate_size=hidden * 8 // 3, num_hidden_layers=layers,
                         num_attention_heads=max(1, hidden // 64), num_key_value_heads=max(
                             1, hidden // 128), max_position_embeddings=2048,
                         pad_token_id=tokenizer.pad_token_id, bos_token_id=None,
                         eos_token_id=None, tie_word_embeddings=False)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    model.generation_config = GenerationConfig(pad_token_id=tokenizer.pad_token_id)
    out = directory / "small"
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def timed(backend: TransformersBackend, requests: list[GenerationRequest]) -> tuple[float, float]:
    """Wall and CPU seconds of one call (CPU time: one thread, so what the call itself cost
    even when other work shares the cores)."""
    wall, cpu = time.perf_counter(), time.process_time()
    backend.generate(requests)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        model_dir = build_small_model(root, args.hidden, args.layers)
        adapters = [Adapter(f"a{i}", str(build_tiny_adapter(model_dir, root / f"a{i}",
                                                             seed=i, rank=args.rank)))
                    for i in range(3)]
        parameters = sum(p.numel() for p in TransformersBackend(
            ModelSpec(str(model_dir), device="cpu")).load().model.parameters())

        def requests(spread: bool) -> list[GenerationRequest]:
            return [GenerationRequest.chat(
                "You write Python.", PROMPTS[i % len(PROMPTS)], max_new_tokens=args.new_tokens,
                adapter=([None, *adapters][i % 4] if spread else None))
                for i in range(args.batch)]

        base = TransformersBackend(ModelSpec(str(model_dir), device="cpu"),
                                   max_batch_size=args.batch)
        mixed = TransformersBackend(ModelSpec(str(model_dir), device="cpu"),
                                    max_batch_size=args.batch)
        timed(base, requests(False))  # warm-up; attaches the three adapters to `mixed`
        timed(mixed, requests(True))
        names = ("base", "mixed", "base_via_peft")
        wall: dict[str, list[float]] = {name: [] for name in names}
        cpu: dict[str, list[float]] = {name: [] for name in names}
        for _ in range(args.repeats):  # interleaved: drift on a shared machine hits all three
            for name, backend, spread in (("base", base, False), ("mixed", mixed, True),
                                          ("base_via_peft", mixed, False)):
                seconds, cpu_seconds = timed(backend, requests(spread))
                wall[name].append(seconds)
                cpu[name].append(cpu_seconds)
    wall_median = {name: statistics.median(wall[name]) for name in names}
    cpu_median = {name: statistics.median(cpu[name]) for name in names}
    report = {
        "model_parameters": parameters, "batch": args.batch, "new_tokens": args.new_tokens,
        "adapters": 3, "rank": args.rank, "repeats": args.repeats,
        "median_wall_s": {k: round(v, 4) for k, v in wall_median.items()},
        "median_cpu_s": {k: round(v, 4) for k, v in cpu_median.items()},
        "mixed_over_base_cpu": round(cpu_median["mixed"] / cpu_median["base"], 3),
        "mixed_over_base_wall": round(wall_median["mixed"] / wall_median["base"], 3),
        "base_via_peft_over_base_cpu": round(cpu_median["base_via_peft"] / cpu_median["base"],
                                             3),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"model {parameters:,} parameters, batch {args.batch} x {args.new_tokens} new tokens, "
          f"3 adapters rank {args.rank} + base, {args.repeats} interleaved repeats (medians)")
    for name in names:
        print(f"  {name:14s} cpu {cpu_median[name] * 1000:8.1f} ms   "
              f"wall {wall_median[name] * 1000:8.1f} ms")
    print(f"mixed-adapter batch / base alone: {report['mixed_over_base_cpu']:.2f}x CPU time, "
          f"{report['mixed_over_base_wall']:.2f}x wall (goal < 1.5x)")
    print(f"base rows through the adapter model / base alone: "
          f"{report['base_via_peft_over_base_cpu']:.2f}x CPU time")


if __name__ == "__main__":
    main()
