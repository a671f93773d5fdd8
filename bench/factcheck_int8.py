"""The ``reader`` judge on CPU: fp32 torch vs. torch dynamic int8 vs. ONNX Runtime fp32 / int8.

All four variants come from the same loaded model in one process:

(a) fp32 torch (the reference), (b) torch dynamic int8 (``quantize_int8``: every Linear),
(c) ONNX Runtime fp32 (``torch.onnx.export``, dynamic batch and sequence axes) and
(d) ONNX Runtime dynamic int8 (``onnxruntime.quantization.quantize_dynamic``, QInt8 weights)
of (c).

Accuracy on FEVER-Symmetric test pairs (``--pairs``, the first N), each variant run one pair
at a time (how the reader judge runs int8) and in batches of ``--acc-batch``: argmax agreement
with (a), mean and max |probability difference| against (a) (probabilities are
``softmax(logits / temperature)`` for all four), accuracy against gold: S-vs-R (SUPPORTED iff
p_S >= p_R) and 3-way argmax (NOT_ENOUGH_INFO counted wrong), and whether a pair's
probabilities are the same alone and inside a batch (dynamic int8 quantises activations per
tensor, so they need not be). Speed: pairs/s of the model call alone on already tokenised
batches (tokenisation is the same for all four; its cost is printed beside them) at each size
of ``--batches`` (1: how the reader judge runs int8; 3: one claim against three evidence
windows), the variants taking turns on every batch (in a rotating order) so that all see the
same load on a noisy, shared machine; ratios are against (b) one pair at a time, the default
on CPU before ONNX Runtime. One thread each (``torch.set_num_threads(1)``, ORT
``intra_op_num_threads=1``), so that the numbers do not depend on what else is running.

Needs onnxruntime and onnx (dependencies of factforge). The export uses
the TorchScript-based exporter (``dynamo=False``: torch marks it deprecated; the dynamo
exporter would also need ``onnxscript``).

    python bench/factcheck_int8.py [--weights PATH] [--pairs 600] [--acc-batch 8] [--speed-pairs 300]
        [--batches 1,8]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch
import train_factcheck_judge as tr

from knowledge.embeddings import resolve_model_path
from plugins.factcheck.reader_model import ReaderModel, load_reader, quantize_int8
from plugins.factcheck.reader_onnx import INPUTS, export_onnx

DEFAULT_WEIGHTS = ROOT / "plugins" / "factcheck" / "reader_judge.safetensors"


def ort_session(path: Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def torch_call(model):
    def call(batch: dict) -> np.ndarray:
        with torch.inference_mode():
            return model(batch["torch"]).numpy()

    return call


def ort_call(session):
    def call(batch: dict) -> np.ndarray:
        return session.run(["logits"], batch["numpy"])[0]

    return call


def make_batches(model: ReaderModel, evidences: list[str], claims: list[str], size: int):
    batches = []
    for i in range(0, len(claims), size):
        enc = model.tokenize(evidences[i : i + size], claims[i : i + size])
        batches.append(
            {
                "torch": enc,
                "numpy": {name: enc[name].numpy().astype(np.int64) for name in INPUTS},
                "n": len(claims[i : i + size]),
            }
        )
    return batches


def softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def interleaved_rates(
    batches: list[dict], calls: list, repeats: int
) -> tuple[list[float], list[float]]:
    """Pairs per wall second and per CPU second of each call (one thread each, so its CPU
    time is the calling thread's), the calls taking turns on every batch in a rotating
    order."""
    wall = [0.0] * len(calls)
    cpu = [0.0] * len(calls)
    pairs = 0
    order = list(range(len(calls)))
    for _ in range(repeats):
        for batch in batches:
            for j in order:
                t0, c0 = time.perf_counter(), time.thread_time()
                calls[j](batch)
                cpu[j] += time.thread_time() - c0
                wall[j] += time.perf_counter() - t0
            pairs += batch["n"]
            order = order[1:] + order[:1]
    return [pairs / s for s in wall], [pairs / s for s in cpu]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    parser.add_argument("--pairs", type=int, default=600, help="FEVER-Symmetric test pairs")
    parser.add_argument("--batches", default="1,8", help="batch sizes timed (comma-separated)")
    parser.add_argument(
        "--acc-batch", type=int, default=8, help="batch size of the alone-vs-batch check"
    )
    parser.add_argument(
        "--speed-pairs",
        type=int,
        default=300,
        help="pairs timed per batch size and variant (the first N)",
    )
    parser.add_argument("--repeats", type=int, default=1, help="passes over the timed pairs")
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    test = tr.load_fever_sym("test")[: args.pairs]
    claims = [tr.clean_fever(x["claim"]) for x in test]
    evidences = [tr.clean_fever(x["evidence"]) for x in test]
    gold = np.array([0 if x["gold_label"] == "SUPPORTS" else 1 for x in test])

    model = load_reader(args.weights, resolve_model_path("all-MiniLM-L6-v2"))
    with tempfile.TemporaryDirectory(prefix="factcheck_int8_") as tmp:
        run(args, model, claims, evidences, gold, Path(tmp))


def run(
    args, model: ReaderModel, claims: list[str], evidences: list[str], gold: np.ndarray, tmp: Path
) -> None:
    from onnxruntime import __version__ as ort_version
    from onnxruntime.quantization import QuantType, quantize_dynamic

    temperature = float(model.temperature)
    fp32_onnx, int8_onnx = tmp / "reader.onnx", tmp / "reader.int8.onnx"
    t0 = time.perf_counter()
    export_onnx(model, fp32_onnx)
    t_export = time.perf_counter() - t0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quantize_dynamic(fp32_onnx, int8_onnx, weight_type=QuantType.QInt8)
    torch_int8 = quantize_int8(model)  # a quantised copy; ``model`` stays fp32
    variants = [
        ("(a) torch fp32", torch_call(model), None),
        ("(b) torch int8 (quantize_int8)", torch_call(torch_int8), None),
        ("(c) ORT fp32", ort_call(ort_session(fp32_onnx)), fp32_onnx),
        ("(d) ORT int8 (quantize_dynamic QInt8)", ort_call(ort_session(int8_onnx)), int8_onnx),
    ]
    calls = [call for _, call, _ in variants]

    print(
        f"reader weights {args.weights} (temperature {temperature:.3f}); torch "
        f"{torch.__version__}, onnxruntime {ort_version}; one thread each "
        f"(the machine is shared: {os.cpu_count()} cores, other jobs running)"
    )
    print(
        f"ONNX export {t_export:.1f} s; files: fp32 {fp32_onnx.stat().st_size / 1e6:.1f} MB, "
        f"int8 {int8_onnx.stat().st_size / 1e6:.1f} MB"
    )

    # --- accuracy ---------------------------------------------------------------------------
    alone = make_batches(model, evidences, claims, 1)
    batched = make_batches(model, evidences, claims, args.acc_batch)
    probs1 = [softmax(np.concatenate([call(b) for b in alone]), temperature) for call in calls]
    probsb = [softmax(np.concatenate([call(b) for b in batched]), temperature) for call in calls]
    ref = probs1[0]
    print(
        f"\naccuracy on {len(claims)} FEVER-Symmetric test pairs (gold SUPPORTS/REFUTES), one "
        f"pair at a time; last two columns: the same pairs alone vs. in batches of "
        f"{args.acc_batch} (max |dp| and argmax changes):"
    )
    print(
        f"  {'variant':40s} {'argmax=fp32':>11s} {'mean|dp|':>9s} {'max|dp|':>8s} "
        f"{'S-vs-R':>7s} {'3-way':>6s} {'alone~batch':>11s} {'flips':>5s}"
    )
    for (name, _, _), p, pb in zip(variants, probs1, probsb):
        agree = float(np.mean(p.argmax(1) == ref.argmax(1)))
        diff = np.abs(p - ref)
        s_vs_r = float(np.mean(np.where(p[:, 0] >= p[:, 1], 0, 1) == gold))
        three = float(np.mean(p.argmax(1) == gold))
        drift = float(np.abs(p - pb).max())
        flips = int(np.sum(p.argmax(1) != pb.argmax(1)))
        print(
            f"  {name:40s} {agree:11.4f} {float(diff.mean()):9.1e} {float(diff.max()):8.1e} "
            f"{s_vs_r:7.3f} {three:6.3f} {drift:11.1e} {flips:5d}"
        )

    # --- speed ------------------------------------------------------------------------------
    sizes = [int(s) for s in args.batches.split(",")]
    n_speed = min(args.speed_pairs, len(claims))
    rates: dict[int, tuple[list[float], list[float]]] = {}
    tokenise: dict[int, float] = {}
    for size in sizes:
        warm = make_batches(model, evidences[: size * 2], claims[: size * 2], size)
        interleaved_rates(warm, calls, 1)
        t0 = time.perf_counter()
        batches = make_batches(model, evidences[:n_speed], claims[:n_speed], size)
        tokenise[size] = n_speed / (time.perf_counter() - t0)
        rates[size] = interleaved_rates(batches, calls, args.repeats)
    base = 1 if 1 in rates else sizes[0]
    print(
        f"\nspeed, pairs/s of the model call ({n_speed} pairs x {args.repeats}, interleaved; "
        f"ratio against (b) at batch {base}); wall = per wall-clock second, cpu = per CPU "
        "second of the calling thread (less sensitive to the other jobs on the machine):"
    )
    header = "".join(f"  {f'batch {s} wall':>16s}  {f'batch {s} cpu':>16s}" for s in sizes)
    print(f"  {'variant':40s}{header}")
    for j, (name, _, _) in enumerate(variants):
        cells = ""
        for s in sizes:
            for r, r0 in zip(rates[s], rates[base]):
                cells += f"  {r[j]:7.1f} ({r[j] / r0[1]:4.2f}x)"
        print(f"  {name:40s}{cells}")
    tok = "".join(f"  {tokenise[s]:7.1f} (wall)    {'':16s}" for s in sizes)
    print(f"  {'tokenisation alone (same for all)':40s}{tok}")


if __name__ == "__main__":
    main()
