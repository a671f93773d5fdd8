"""The ``reader`` judge on ONNX Runtime (``runtime="onnx"``, CPU only; the default on CPU).

The fp32 torch model is exported once (``torch.onnx.export``, dynamic batch and sequence axes,
the temperature and softmax inside the graph) and, for int8, quantised with
``onnxruntime.quantization.quantize_dynamic`` (int8 weights, activations quantised per tensor
on the fly). The result is cached under ``cache_dir`` keyed by a hash of the weights file and
the base model directory, so later loads skip torch altogether: only the tokenizer is loaded
beside the ONNX Runtime session. ``bench/factcheck_int8.py`` measures it against torch.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from plugins.factcheck.errors import JudgeLoadError

__all__ = [
    "INPUTS", "OnnxReader", "default_cache_dir", "export_onnx", "onnx_available", "require_onnx"
]

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _missing() -> list[str]:
    return [m for m in ("onnxruntime", "onnx") if importlib.util.find_spec(m) is None]


def onnx_available() -> bool:
    """Whether onnxruntime and onnx are installed (the ``auto`` runtime then uses them)."""
    return not _missing()


def require_onnx() -> None:
    """A JudgeLoadError naming the fix unless onnxruntime and onnx are importable."""
    missing = _missing()
    if missing:
        raise JudgeLoadError(
            f"the reader judge's onnx runtime needs {' and '.join(missing)}: "
            "pip install -e '.[onnx]' (or use runtime='torch')"
        )


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "factforge" / "reader_onnx"


def _key(weights: Path, base_path: str) -> str:
    digest = hashlib.sha256()
    with open(weights, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    digest.update(str(Path(base_path).resolve()).encode())
    return digest.hexdigest()[:24]


def _max_len(weights: Path) -> int:
    """The ``max_len`` in the weights' config, read without torch."""
    import json

    from safetensors import safe_open

    try:
        with safe_open(str(weights), framework="numpy") as fh:
            meta = fh.metadata() or {}
        return int(json.loads(meta["config"]).get("max_len", 256))
    except Exception as exc:  # SafetensorError, KeyError, json's ValueError ...
        raise JudgeLoadError(f"cannot read reader judge weights {weights}: {exc}") from exc


def export_onnx(model: Any, path: Path, *, probabilities: bool = False) -> None:
    """Export a ``ReaderModel`` (fp32) to ``path`` with positional inputs :data:`INPUTS`;
    output ``logits``, or with ``probabilities`` ``probs`` = softmax(logits / temperature)."""
    import torch

    class Positional(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            logits = self.model(
                {
                    "input_ids": input_ids,
                    "attention_mask": attention_mask,
                    "token_type_ids": token_type_ids,
                }
            )
            if probabilities:
                return torch.softmax(logits / self.model.temperature, dim=1)
            return logits

    example = model.tokenize(["An evidence sentence.", "Another one"], ["A claim.", "Two"])
    # eval() on the wrapper too: the exporter restores the wrapper's training flag on every
    # submodule afterwards, and a fresh Module is in training mode (dropout would switch on)
    wrapper = Positional().eval()
    output = "probs" if probabilities else "logits"
    axes = {name: {0: "batch", 1: "sequence"} for name in INPUTS}
    axes[output] = {0: "batch"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notes
        torch.onnx.export(
            wrapper,
            tuple(example[name] for name in INPUTS),
            str(path),
            input_names=list(INPUTS),
            output_names=[output],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    model.eval()


def _build(weights: Path, base_path: str, target: Path, int8: bool) -> None:
    """Export (and quantise) into ``target``; written whole or not at all."""
    from plugins.factcheck.reader_model import load_reader

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as tmp:
        fp32 = Path(tmp) / "reader.onnx"
        export_onnx(load_reader(weights, base_path), fp32, probabilities=True)
        out = fp32
        if int8:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            out = Path(tmp) / "reader.int8.onnx"
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                quantize_dynamic(fp32, out, weight_type=QuantType.QInt8)
        os.replace(out, target)


class OnnxReader:
    """The tokenizer and an ONNX Runtime session of the reader judge: ``probs`` gives
    calibrated probabilities per (evidence, claim) pair, like ``ReaderModel.probs``."""

    def __init__(
        self, weights: Path, base_path: str, *, int8: bool, cache_dir: Path | None = None,
        threads: int | None = None,
    ) -> None:  # fmt: skip
        require_onnx()
        import onnxruntime as ort
        from transformers import AutoTokenizer

        from knowledge.embeddings import quiet_hf_progress

        self.max_len = _max_len(weights)
        if threads is None:  # as torch does: OMP_NUM_THREADS, else ONNX Runtime's default
            threads = int(os.environ.get("OMP_NUM_THREADS") or 0)
        cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.path = cache / f"reader-{_key(weights, base_path)}-{'int8' if int8 else 'fp32'}.onnx"
        if not self.path.is_file():
            _build(weights, base_path, self.path, int8)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self.session = ort.InferenceSession(
                str(self.path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # written whole (atomic replace), so not ours or damaged
            raise JudgeLoadError(
                f"cannot load the reader judge's ONNX file {self.path} (delete it to rebuild): "
                f"{exc}"
            ) from exc
        with quiet_hf_progress():
            self.tokenizer = AutoTokenizer.from_pretrained(base_path)

    def probs(self, evidences: Sequence[str], claims: Sequence[str]) -> np.ndarray:
        enc = self.tokenizer(
            list(evidences),
            list(claims),
            # the longer text is cut first: the evidence, or a claim longer than the
            # model's window, which "only_first" would reject
            truncation="longest_first",
            max_length=self.max_len,
            padding=True,
            return_tensors="np",
        )
        feed = {name: np.asarray(enc[name], dtype=np.int64) for name in INPUTS}
        return self.session.run(["probs"], feed)[0].astype(np.float32)
