"""Reading and writing a judge's trained weights (safetensors with a JSON config as metadata).

Shared by the ``cross`` and ``reader`` judges' torch modules; imports torch and safetensors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from plugins.factcheck.errors import JudgeLoadError

__all__ = ["fit_weights", "read_weights", "write_weights"]


def write_weights(
    tensors: dict[str, torch.Tensor], path: str | Path, config: dict[str, Any],
    extra: dict[str, object] | None = None,
) -> None:  # fmt: skip
    """Write ``tensors`` with ``config`` and ``extra`` as metadata; atomic replace, so a
    checkpoint is always whole."""
    path = Path(path)
    meta = {"config": json.dumps(config), "extra": json.dumps(extra or {})}
    tmp = path.with_name(path.name + ".tmp")
    save_file({k: v.contiguous() for k, v in tensors.items()}, str(tmp), metadata=meta)
    tmp.replace(path)


def read_weights(path: str | Path, what: str) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """``(config, tensors)`` of a weights file; anything unreadable is a JudgeLoadError."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as fh:
            meta = fh.metadata() or {}
        return json.loads(meta["config"]), load_file(str(path))
    except Exception as exc:  # SafetensorError, KeyError, json's ValueError ...
        raise JudgeLoadError(f"cannot read {what} weights {path}: {exc}") from exc


def fit_weights(
    model: nn.Module, tensors: dict[str, torch.Tensor], expected: set[str], path: str | Path,
    what: str,
) -> None:  # fmt: skip
    """Load ``tensors`` (exactly the ``expected`` keys) into ``model`` as fp32."""
    if set(tensors) != expected:
        missing = sorted(expected - set(tensors))[:3]
        raise JudgeLoadError(f"{what} weights {path} do not fit the model (missing {missing})")
    try:
        model.load_state_dict({k: v.float() for k, v in tensors.items()}, strict=False)
    except RuntimeError as exc:
        raise JudgeLoadError(f"{what} weights {path} have wrong shapes: {exc}") from exc
