"""The ``reader`` judge (the default): a cross-encoder that reads evidence and claim together.

The bundled all-MiniLM-L6-v2 fine-tuned whole on fact-checking and NLI pairs
(``bench/train_factcheck_reader.py``) with a 3-way head; confidences are calibrated by a
temperature fitted on a dev split. On CPU it runs with int8 dynamic quantisation by default,
on ONNX Runtime (or, with ``runtime="torch"``, in PyTorch).
Each (claim, evidence window) pair is scored, the lean the judge shows for the claim alone
(against empty evidence) is partly discounted, and the claim takes its most decisive window's
label (:func:`plugins.factcheck.aggregate.decisive_evidence`).

torch (or onnxruntime) and transformers are imported on the first judgement, never at import
time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from plugins.factcheck.aggregate import PairJudge
from plugins.factcheck.errors import JudgeError, JudgeLoadError

__all__ = ["DEFAULT_WEIGHTS", "Quantize", "ReaderJudge", "Runtime"]

log = logging.getLogger(__name__)

DEFAULT_WEIGHTS = Path(__file__).with_name("reader_judge.safetensors")
Quantize = Literal["auto", "int8", "none"]
Runtime = Literal["auto", "torch", "onnx"]


class ReaderJudge(PairJudge):
    """Judges (claim, evidence) pairs with the fine-tuned MiniLM cross-encoder.

    ``quantize``: ``auto`` is int8 on CPU and full precision elsewhere; ``int8`` forces dynamic
    int8 quantisation (CPU only); ``none`` keeps fp32. ``device``: a torch device name or None
    (CPU). ``base`` is the MiniLM directory (default: the bundled one). ``runtime``: ``onnx``
    is ONNX Runtime on CPU, int8 from its own dynamic quantisation (about twice torch int8's
    speed at the same accuracy); the model is exported on first load into ``cache_dir``
    (default ``~/.cache/factforge/reader_onnx``), keyed by the weights' hash, and needs
    onnxruntime and onnx installed. ``torch`` runs it in PyTorch; ``auto`` (default) is onnx on
    CPU when both are installed, torch otherwise. ``claim_prior``: how much of the judge's
    lean from the claim's wording alone is discounted
    (:func:`plugins.factcheck.aggregate.discount_claim_prior`; chosen on dev data, 0 turns it
    off): one more, short pass per claim.
    """

    name = "reader"

    def __init__(
        self,
        *,
        weights: str | Path = DEFAULT_WEIGHTS,
        base: str = "all-MiniLM-L6-v2",
        quantize: Quantize = "auto",
        device: str | None = None,
        min_decisive: float = 0.5,
        claim_prior: float = 0.3,
        batch_size: int = 32,
        runtime: Runtime = "auto",
        cache_dir: str | Path | None = None,
    ) -> None:
        self.weights = Path(weights)
        if not self.weights.is_file():
            raise JudgeLoadError(f"reader judge weights {self.weights} do not exist")
        if quantize not in ("auto", "int8", "none"):
            raise JudgeLoadError(f"quantize must be auto, int8 or none, got {quantize!r}")
        if not 0.0 <= claim_prior <= 1.0:
            raise JudgeLoadError(f"claim_prior must be in [0, 1], got {claim_prior}")
        if batch_size < 1:
            raise JudgeLoadError(f"batch_size must be >= 1, got {batch_size}")
        if runtime not in ("auto", "torch", "onnx"):
            raise JudgeLoadError(f"runtime must be auto, torch or onnx, got {runtime!r}")
        self.device = device or "cpu"
        on_cpu = self.device == "cpu"
        if runtime == "auto":
            from plugins.factcheck.reader_onnx import onnx_available

            runtime = "onnx" if on_cpu and onnx_available() else "torch"
        if runtime == "onnx":
            if not on_cpu:
                raise JudgeLoadError("the reader judge's onnx runtime runs on CPU only")
            from plugins.factcheck.reader_onnx import require_onnx

            require_onnx()
        self.runtime = runtime
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        if quantize == "int8" and not on_cpu:
            raise JudgeLoadError("int8 quantisation of the reader judge runs on CPU only")
        self.quantize = quantize
        self.int8 = quantize == "int8" or (quantize == "auto" and on_cpu)
        self.base = base
        self.min_decisive = min_decisive
        self.claim_prior = claim_prior
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from knowledge.embeddings import resolve_model_path
                    from knowledge.errors import KnowledgeError

                    try:
                        base_path = resolve_model_path(self.base)
                        if self.runtime == "onnx":
                            from plugins.factcheck.reader_onnx import OnnxReader

                            model = OnnxReader(
                                self.weights, base_path, int8=self.int8, cache_dir=self.cache_dir
                            )
                        else:
                            model = self._load_torch(base_path)
                    except JudgeLoadError:
                        raise
                    except (KnowledgeError, OSError, ValueError, RuntimeError) as exc:
                        raise JudgeLoadError(f"cannot load the reader judge: {exc}") from exc
                    self._model = model
        return self._model

    def _load_torch(self, base_path: str) -> Any:
        from plugins.factcheck.reader_model import load_reader, quantize_int8

        model = load_reader(self.weights, base_path)
        if self.int8:
            try:
                model = quantize_int8(model)
            except JudgeLoadError:
                if self.quantize == "int8":
                    raise
                log.warning("reader judge: no int8 in this torch; using fp32")
                self.int8 = False
        if not self.int8:
            model = model.to(self.device)
        return model

    def pair_probs(self, claims: Sequence[str], evidences: Sequence[str]) -> np.ndarray:
        """``[p_supported, p_refuted, p_nei]`` per aligned (claim, evidence) pair."""
        if not claims:
            return np.zeros((0, 3), dtype=np.float32)
        model = self._load()
        order = np.argsort([len(c) + len(e) for c, e in zip(claims, evidences, strict=True)])
        out = np.zeros((len(claims), 3), dtype=np.float32)
        # int8 (dynamic quantisation, torch or ONNX Runtime) scales activations per batch
        # tensor, so a pair's probabilities would depend on the other pairs (and padding) in its
        # batch: int8 judges one pair at a time (as fast on CPU: no padding), fp32 in batches
        step = 1 if self.int8 else self.batch_size
        try:
            probs = model.probs if self.runtime == "onnx" else self._torch_probs(model)
            for start in range(0, len(order), step):
                idx = order[start : start + step]
                out[idx] = probs([evidences[i] for i in idx], [claims[i] for i in idx])
        except Exception as exc:
            raise JudgeError(f"the reader judge failed: {exc}") from exc
        return out

    def _torch_probs(self, model: Any) -> Any:
        """``probs(evidences, claims)`` of a torch ``ReaderModel`` on this judge's device, as
        numpy (what ``OnnxReader.probs`` gives)."""
        import torch

        def probs(evidences: list[str], claims: list[str]) -> np.ndarray:
            batch = {k: v.to(self.device) for k, v in model.tokenize(evidences, claims).items()}
            with torch.inference_mode():
                logits = model(batch) / model.temperature
                return torch.softmax(logits.float(), dim=1).cpu().numpy()

        return probs
