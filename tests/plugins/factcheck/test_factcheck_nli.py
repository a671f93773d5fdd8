"""The nli judge on a tiny cross-encoder built here (random weights, real transformers code)."""

import pytest

from knowledge.types import SearchHit
from plugins.factcheck.errors import JudgeLoadError
from plugins.factcheck.judge import make_judge
from plugins.factcheck.nli import NLIJudge, label_order

WORDS = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "[MASK]",
    "water",
    "boils",
    "at",
    "100",
    "50",
    "degrees",
    "the",
    "moon",
    "is",
    "made",
    "of",
    "cheese",
    "rock",
    ".",
]


def _tiny_cross_encoder(path, id2label):
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    path.mkdir()
    (path / "vocab.txt").write_text("\n".join(WORDS) + "\n")
    BertTokenizer(str(path / "vocab.txt")).save_pretrained(path)
    config = BertConfig(
        vocab_size=len(WORDS),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        num_labels=len(id2label),
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )
    BertForSequenceClassification(config).save_pretrained(path)
    return str(path)


@pytest.fixture(scope="module")
def tiny_nli(tmp_path_factory):
    return _tiny_cross_encoder(
        tmp_path_factory.mktemp("nli") / "model",
        {0: "contradiction", 1: "entailment", 2: "neutral"},
    )


def test_label_order_reads_any_casing():
    assert label_order({0: "CONTRADICTION", 1: "Entailment", 2: "neutral"}) == [1, 0, 2]
    with pytest.raises(JudgeLoadError, match="NLI"):
        label_order({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})


@pytest.mark.slow
def test_tiny_cross_encoder_judges(tiny_nli):
    judge = make_judge("nli", model=tiny_nli, device="cpu")
    hits = [
        SearchHit("a", "kb", "water boils at 100 degrees .", 0.9),
        SearchHit("b", "kb", "the moon is made of rock .", 0.4),
    ]
    j = judge.judge("water boils at 50 degrees .", hits)
    assert j.label in ("SUPPORTED", "REFUTED", "NOT_ENOUGH_INFO")
    assert len(j.evidence_scores) == 2
    for scores in j.evidence_scores:
        assert abs(sum(scores.values()) - 1.0) < 1e-5
    # deterministic: same input, same answer
    again = judge.judge("water boils at 50 degrees .", hits)
    assert again.evidence_scores == j.evidence_scores
    assert judge.judge("anything", []).label == "NOT_ENOUGH_INFO"


@pytest.mark.slow
def test_loading_prints_no_progress_bar_and_leaves_bars_on(tiny_nli, capfd):
    from transformers.utils import logging as hf_logging

    capfd.readouterr()
    NLIJudge(tiny_nli, device="cpu").pair_probs(["water boils ."], ["water boils at 100 ."])
    out, err = capfd.readouterr()
    assert "Loading weights" not in out + err
    assert hf_logging.is_progress_bar_enabled()


def test_missing_model_is_a_load_error(tmp_path):
    judge = NLIJudge(str(tmp_path / "no-such-model"))  # lazy: nothing loads yet
    with pytest.raises(JudgeLoadError, match="cannot load NLI model"):
        judge.judge("claim", [SearchHit("a", "kb", "text", 0.5)])


@pytest.mark.slow
def test_non_nli_model_is_a_load_error(tmp_path):
    path = _tiny_cross_encoder(tmp_path / "m", {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
    with pytest.raises(JudgeLoadError, match="not entailment"):
        NLIJudge(path).judge("claim", [SearchHit("a", "kb", "text", 0.5)])
