"""The cross-encoder judge: shipped adapters load on the bundled MiniLM and judge hand-written
supported, refuted and unrelated claims; importing the package does not import torch."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from plugins.factcheck.cross import DEFAULT_WEIGHTS, CrossJudge
from plugins.factcheck.errors import JudgeLoadError
from plugins.factcheck.judge import Judge, make_judge
from tests.fixtures.judge_cases import CASES as COMMON_CASES
from tests.fixtures.judge_cases import LISTS, QUICKSORT, hit

CASES = [
    *COMMON_CASES,
    ("Quicksort runs in O(n log n) time on average.", QUICKSORT, "SUPPORTED"),
    pytest.param(
        "Quicksort runs in O(n log n) time in the worst case.",
        QUICKSORT,
        "REFUTED",
        marks=pytest.mark.xfail(
            strict=True,
            reason="known weakness of the shipped cross adapters (454 CPU steps): they call "
            "this SUPPORTED (0.83); strict, so a retrained judge that fixes it fails here",
        ),
    ),
]


def test_importing_the_package_does_not_import_torch():
    code = (
        "import sys, plugins.factcheck, plugins.factcheck.cross; "
        "from plugins.factcheck import make_judge; "
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    done = subprocess.run(
        [sys.executable, "-c", code], check=False, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_shipped_weights_are_small_and_load(cross_judge):
    assert DEFAULT_WEIGHTS.stat().st_size < 5_000_000
    assert isinstance(make_judge("cross", encoder=cross_judge.encoder), Judge)
    model = cross_judge._load()
    base = [p for n, p in model.encoder.named_parameters() if "lora_" not in n]
    assert base and not any(p.requires_grad for p in base)  # the MiniLM weights stay frozen
    assert model.head[-1].out_features == 3


@pytest.mark.parametrize(("claim", "evidence", "label"), CASES)
def test_hand_written_claims(cross_judge, claim, evidence, label):
    judgement = cross_judge.judge(claim, [hit(evidence)])
    assert judgement.label == label, judgement
    scores = judgement.evidence_scores[0]
    assert set(scores) == {"SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO"}
    assert abs(sum(scores.values()) - 1.0) < 1e-4


def test_batch_matches_single_and_no_evidence_is_nei(cross_judge):
    claims = [c for c, _, _ in CASES[:5]]
    hits = [[hit(e)] for _, e, _ in CASES[:5]]
    batch = cross_judge.judge_many(claims, hits)
    single = [cross_judge.judge(c, h) for c, h in zip(claims, hits, strict=True)]
    assert [b.label for b in batch] == [s.label for s in single]
    assert np.allclose([b.confidence for b in batch], [s.confidence for s in single], atol=1e-4)
    assert cross_judge.judge("Python lists are mutable.", []).label == "NOT_ENOUGH_INFO"


def test_bad_weights_are_a_clear_error(tmp_path, embedder):
    with pytest.raises(JudgeLoadError, match="do not exist"):
        CrossJudge(embedder, weights=tmp_path / "missing.safetensors")
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a safetensors file")
    judge = CrossJudge(embedder, weights=bad)
    with pytest.raises(JudgeLoadError, match="cannot read cross judge weights"):
        judge.judge("Python lists are mutable.", [hit(LISTS)])
