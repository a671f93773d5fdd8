"""The reader judge on ONNX Runtime (``runtime="onnx"``): export into a cache keyed by the
weights, agreement with torch fp32, batch independence, and its errors. Tests that run the
model skip when onnxruntime or onnx is not installed (the ``onnx`` extra)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from plugins.factcheck import make_judge, reader_onnx
from plugins.factcheck.errors import JudgeLoadError
from plugins.factcheck.reader import ReaderJudge
from tests.fixtures.judge_cases import CASES, hit

CLAIMS = [c for c, _, _ in CASES]
EVIDENCES = [e for _, e, _ in CASES]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    return tmp_path_factory.mktemp("reader_onnx")


@pytest.fixture(scope="module")
def reader_onnx_int8(cache_dir):
    return make_judge("reader", runtime="onnx", cache_dir=cache_dir)


@pytest.fixture(scope="module")
def reader_fp32():
    return make_judge("reader", quantize="none")


def test_onnx_int8_is_exported_once_into_the_cache(reader_onnx_int8, cache_dir, monkeypatch):
    assert reader_onnx_int8.runtime == "onnx" and reader_onnx_int8.int8
    first = reader_onnx_int8.pair_probs(CLAIMS[:3], EVIDENCES[:3])
    files = sorted(p.name for p in cache_dir.iterdir())
    assert len(files) == 1 and files[0].startswith("reader-") and files[0].endswith("-int8.onnx")

    def no_export(*args, **kwargs):
        raise AssertionError("exported again although the cache holds the model")

    monkeypatch.setattr(reader_onnx, "_build", no_export)
    again = ReaderJudge(runtime="onnx", cache_dir=cache_dir)
    assert np.array_equal(again.pair_probs(CLAIMS[:3], EVIDENCES[:3]), first)


def test_onnx_int8_agrees_with_torch_fp32(reader_onnx_int8, reader_fp32):
    q = reader_onnx_int8.pair_probs(CLAIMS, EVIDENCES)
    f = reader_fp32.pair_probs(CLAIMS, EVIDENCES)
    assert q.shape == f.shape == (len(CASES), 3)
    assert np.allclose(q.sum(1), 1.0, atol=1e-5)  # temperature and softmax are in the graph
    # the same bounds as torch int8 (test_factcheck_reader.test_int8_agrees_with_fp32)
    assert abs(q - f).mean() < 0.06
    assert abs(q - f).max() < 0.3
    assert (q.argmax(1) == f.argmax(1)).mean() >= 0.85


def test_onnx_int8_judges_a_pair_the_same_alone_and_among_others(reader_onnx_int8):
    # ONNX Runtime's dynamic int8 quantises activations per tensor too
    together = reader_onnx_int8.pair_probs(CLAIMS, EVIDENCES)
    alone = np.stack([reader_onnx_int8.pair_probs([c], [e])[0] for c, e in zip(CLAIMS, EVIDENCES)])
    assert abs(together - alone).max() < 1e-5


def test_onnx_judge_cases(reader_onnx_int8):
    got = reader_onnx_int8.judge_many(CLAIMS, [[hit(e)] for e in EVIDENCES])
    right = [j.label == want for j, (_, _, want) in zip(got, CASES, strict=True)]
    assert sum(right) >= len(CASES) - 1, [(c, j.label) for j, c in zip(got, CLAIMS)]


def test_onnx_fp32_matches_torch_fp32(cache_dir, reader_fp32):
    fp32 = ReaderJudge(runtime="onnx", quantize="none", cache_dir=cache_dir)
    assert not fp32.int8
    got = fp32.pair_probs(CLAIMS, EVIDENCES)
    assert abs(got - reader_fp32.pair_probs(CLAIMS, EVIDENCES)).max() < 1e-4
    assert any(p.name.endswith("-fp32.onnx") for p in cache_dir.iterdir())


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"runtime": "tensorflow"}, "runtime must be auto, torch or onnx"),
        ({"runtime": "onnx", "device": "cuda"}, "CPU only"),
    ],
)
def test_bad_runtime_options_are_load_errors(options, message):
    with pytest.raises(JudgeLoadError, match=message):
        ReaderJudge(**options)


def test_onnx_runtime_without_onnxruntime_is_a_clear_error(monkeypatch):
    real = importlib.util.find_spec

    def find_spec(name, *args):
        return None if name == "onnxruntime" else real(name, *args)

    monkeypatch.setattr(reader_onnx.importlib.util, "find_spec", find_spec)
    with pytest.raises(JudgeLoadError, match=r"needs onnxruntime: pip install -e '\.\[onnx\]'"):
        make_judge("reader", runtime="onnx")
