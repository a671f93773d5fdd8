"""Loading a Hugging Face causal LM and tokenizer, with torch/transformers errors mapped.

Everything here imports torch and transformers lazily, inside functions.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.errors import ModelLoadError
from agents.llm.base import ModelSpec
from knowledge.embeddings import quiet_hf_progress

logger = logging.getLogger(__name__)

FIX_HINT = (
    "To fix it, set FACTFORGE_MODEL to a local model directory (a path containing config.json), "
    "or use FACTFORGE_BACKEND=openai with FACTFORGE_OPENAI_BASE_URL pointing at an "
    "OpenAI-compatible server (vLLM, SGLang, Ollama, ...)."
)

_DTYPES = {
    "float32": "float32",
    "fp32": "float32",
    "float16": "float16",
    "fp16": "float16",
    "half": "float16",
    "bfloat16": "bfloat16",
    "bf16": "bfloat16",
}


@dataclass(frozen=True, slots=True)
class LoadedModel:
    model: Any
    tokenizer: Any
    device: str


def looks_like_path(name: str) -> bool:
    """True for ``/abs``, ``./rel``, ``../rel``, ``~/x``, Windows paths and existing paths."""
    if name.startswith(("/", "./", "../", "~", ".\\", "..\\")) or name in {".", ".."}:
        return True
    if len(name) > 2 and name[1] == ":" and name[2] in "\\/":
        return True
    return name.count("/") > 1 or Path(name).exists()


def resolve_device(requested: str) -> str:
    import torch

    if requested and requested != "auto":
        return requested
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def resolve_dtype(requested: str, device: str) -> Any:
    import torch

    if requested and requested != "auto":
        canonical = _DTYPES.get(requested.lower())
        if canonical is None:
            raise ModelLoadError(
                f"Unknown dtype {requested!r}; use one of auto, float32, float16, bfloat16."
            )
        return getattr(torch, canonical)
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.startswith("mps"):
        return torch.float16
    return torch.float32


def _check_source(spec: ModelSpec) -> str:
    name = spec.model.strip()
    if not name:
        raise ModelLoadError("No model given. " + FIX_HINT)
    if looks_like_path(name):
        path = Path(name).expanduser()
        if not path.exists():
            raise ModelLoadError(
                f"Local model path {str(path)!r} does not exist. Point FACTFORGE_MODEL at a "
                "directory that contains config.json and the tokenizer files, or at a "
                "Hugging Face hub id."
            )
        if not (path / "config.json").is_file():
            raise ModelLoadError(
                f"Local model path {str(path)!r} has no config.json; it is not a saved "
                "transformers model (save one with model.save_pretrained(path) and "
                "tokenizer.save_pretrained(path))."
            )
        return str(path)
    return name


def _quantization(spec: ModelSpec, device: str) -> dict[str, Any]:
    if not spec.load_in_8bit:
        return {}
    try:
        import bitsandbytes  # noqa: F401
    except ImportError as exc:
        raise ModelLoadError(
            "load_in_8bit needs the bitsandbytes package: `pip install bitsandbytes` "
            "(CUDA only), or turn 8-bit loading off."
        ) from exc
    if not device.startswith("cuda"):
        raise ModelLoadError(f"load_in_8bit needs a CUDA device, not {device!r}.")
    from transformers import BitsAndBytesConfig

    return {"quantization_config": BitsAndBytesConfig(load_in_8bit=True), "device_map": device}


def _load_error(source: str, exc: BaseException) -> ModelLoadError:
    detail = f"{type(exc).__name__}: {exc}".strip()
    if looks_like_path(source):
        return ModelLoadError(f"Could not load the model at {source!r}: {detail}")
    return ModelLoadError(
        f"Could not load model {source!r} from the Hugging Face hub (it is unknown, or not "
        f"cached and the hub is offline or unreachable). {FIX_HINT} Cause: {detail}"
    )


def _prepare_tokenizer(tokenizer: Any) -> None:
    tokenizer.padding_side = "left"
    if tokenizer.pad_token_id is not None:
        return
    if tokenizer.eos_token is not None:
        tokenizer.pad_token = tokenizer.eos_token
    elif tokenizer.unk_token is not None:
        tokenizer.pad_token = tokenizer.unk_token
    else:
        tokenizer.pad_token = tokenizer.convert_ids_to_tokens(0)
    logger.debug("tokenizer had no pad token; using %r", tokenizer.pad_token)


def load(spec: ModelSpec) -> LoadedModel:
    """Load model and tokenizer for ``spec``; raise :class:`ModelLoadError` with a fix on failure."""
    source = _check_source(spec)
    try:
        import torch  # noqa: F401
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:  # pragma: no cover - the project depends on both
        raise ModelLoadError(f"torch and transformers are needed for this backend: {exc}") from exc

    device = resolve_device(spec.device)
    dtype = resolve_dtype(spec.dtype, device)
    extra = _quantization(spec, device)
    offline = os.environ.get("HF_HUB_OFFLINE", "") not in {"", "0", "false", "False"}
    logger.info("loading model %s on %s (%s, offline=%s)", source, device, dtype, offline)
    try:
        with quiet_hf_progress():
            tokenizer = AutoTokenizer.from_pretrained(source)
            model = AutoModelForCausalLM.from_pretrained(source, dtype=dtype, **extra)
    except ModelLoadError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError, ImportError) as exc:
        raise _load_error(source, exc) from exc
    try:
        if not extra:
            model.to(device)
    except (RuntimeError, AssertionError) as exc:
        raise ModelLoadError(f"Could not move model {source!r} to {device!r}: {exc}") from exc
    model.eval()
    _prepare_tokenizer(tokenizer)
    if model.generation_config.pad_token_id is None:
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    return LoadedModel(model=model, tokenizer=tokenizer, device=device)
