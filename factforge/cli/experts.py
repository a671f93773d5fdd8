"""``factforge experts adapt EXPERT --data FILE.jsonl --out DIR``: train an expert's LoRA adapter.

Exit codes: 0 trained and saved; 2 bad input (unknown expert, bad data or options, a model that
cannot be loaded, an output directory that is not empty).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from factforge.cli._common import err_console, fail, print_json

__all__ = ["app"]

app = typer.Typer(help="Work with experts (LoRA adapters).", no_args_is_help=True)


@contextlib.contextmanager
def _torch_threads(threads: int | None) -> Iterator[None]:
    if threads is None:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@app.callback()
def _group() -> None:
    """Work with experts (LoRA adapters)."""


@app.command("adapt")
def adapt(
    ctx: typer.Context,
    expert: Annotated[str, typer.Argument(help="The expert the adapter is for (its name).")],
    data: Annotated[Path, typer.Option("--data", help="Chat examples, one JSON object a line: "
                                       '{"messages": [{"role": ..., "content": ...}, ...]} '
                                       "ending with the assistant's answer.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to save the adapter in "
                                      "(new or empty).")],
    model: Annotated[str | None, typer.Option(help="Base model (default FACTFORGE_MODEL).")]
    = None,
    device: Annotated[str | None, typer.Option(help="cpu, cuda, cuda:1, mps or auto "
                                               "(default FACTFORGE_DEVICE).")] = None,
    epochs: Annotated[int, typer.Option(help="Passes over the data.")] = 3,
    rank: Annotated[int, typer.Option(help="LoRA rank.")] = 8,
    alpha: Annotated[int, typer.Option(help="LoRA alpha (scale = alpha / rank).")] = 16,
    batch_size: Annotated[int, typer.Option(help="Examples a step.")] = 4,
    learning_rate: Annotated[float, typer.Option("--lr", help="AdamW learning rate.")] = 1e-3,
    max_tokens: Annotated[int, typer.Option(help="Longest example kept, in tokens.")] = 1024,
    seed: Annotated[int, typer.Option(help="Seed of LoRA init and data order.")] = 0,
    threads: Annotated[int | None, typer.Option(min=1, help="CPU threads torch may use "
                                                "(default: torch's choice).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Train a LoRA adapter for EXPERT on chat examples; name it in the expert's TOML
    (``adapter = "DIR"``) to use it."""
    from agents.errors import AgentsError, ModelLoadError, TrainingDataError
    from agents.llm.base import ModelSpec
    from agents.llm.lora_training import AdaptConfig, read_chat_examples, train_adapter
    from factforge.settings import Settings
    from factforge.wiring import build_experts

    settings = getattr(ctx.obj, "settings", None) or Settings()
    try:
        experts = build_experts(settings)
    except AgentsError as exc:
        fail(f"invalid configuration: {exc}")
    if expert not in experts:
        fail(f"unknown expert {expert!r}; known: {', '.join(sorted(experts))}")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        fail(f"--out {out} exists and is not an empty directory")
    base = model or settings.model
    try:
        config = AdaptConfig(rank=rank, alpha=alpha, epochs=epochs, batch_size=batch_size,
                             learning_rate=learning_rate, max_tokens=max_tokens, seed=seed)
        examples = read_chat_examples(data)
        spec = ModelSpec(model=base, device=device or settings.device, dtype=settings.dtype)

        def progress(epoch: int, loss: float) -> None:
            if not as_json:
                err_console.print(f"epoch {epoch}/{epochs}: mean loss {loss:.4f}")

        with _torch_threads(threads):
            report = train_adapter(spec, examples, out,
                                   system_prompt=experts[expert].system_prompt,
                                   config=config, on_epoch=progress)
    except (TrainingDataError, ModelLoadError) as exc:
        fail(str(exc))
    if as_json:
        print_json({"expert": expert, "base_model": base, **report.as_dict()})
        return
    typer.echo(f"saved the adapter of {expert} under {out} ({report.examples} examples, "
               f"{report.steps} steps, loss {report.epoch_losses[0]:.4f} -> "
               f"{report.epoch_losses[-1]:.4f}, {report.seconds:.1f} s on {report.device})")
    typer.echo(f'use it: add  adapter = "{out.resolve()}"  to the {expert} expert\'s TOML')
