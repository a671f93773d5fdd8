"""``factforge experts adapt``: a LoRA adapter trained on a tiny random model (CPU, nothing
downloaded) whose loss falls and which then runs as the expert's adapter."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agents.experts import expert_from_toml, load_experts
from agents.llm import GenerationRequest, ModelSpec
from agents.llm.transformers_backend import TransformersBackend
from factforge.cli import app

ANSWER = "def add(a, b):\n    return a + b\n"
PROMPTS = ("Write add", "add two numbers", "sum a and b", "a plus b")


def _data(path: Path, rows: list[object]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def _adapt(model_dir: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.setenv("FACTFORGE_MODEL", str(model_dir))
    monkeypatch.setenv("FACTFORGE_DEVICE", "cpu")
    return CliRunner().invoke(app, ["experts", "adapt", *args, "--threads", "1"])


def test_adapt_trains_an_adapter_whose_loss_falls_and_the_expert_uses_it(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [{"messages": [{"role": "user", "content": p},
                          {"role": "assistant", "content": ANSWER}]} for p in PROMPTS]
    data = _data(tmp_path / "data.jsonl", rows)
    out = tmp_path / "adapter"
    result = _adapt(tiny_model_dir, monkeypatch, "algorithm_design", "--data", str(data),
                    "--out", str(out), "--epochs", "12", "--lr", "0.01", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    losses = report["epoch_losses"]
    assert (report["examples"], report["steps"], len(losses)) == (4, 12, 12)
    assert losses[-1] < 0.2 * losses[0]  # it learnt the answer
    assert (out / "adapter_config.json").is_file()

    expert = load_experts()["algorithm_design"]
    toml = tmp_path / "algorithm_design.toml"
    toml.write_text(
        f'name = "algorithm_design"\nrole = "author"\ndescription = "d"\n'
        f'examples = ["e"]\nsystem_prompt = """{expert.system_prompt}"""\n'
        f'adapter = "./adapter"\n'
    )
    adapted = expert_from_toml(toml)
    backend = TransformersBackend(ModelSpec(str(tiny_model_dir)))
    base, tuned = backend.generate([
        GenerationRequest.chat(adapted.system_prompt, PROMPTS[0], max_new_tokens=20,
                               adapter=a)
        for a in (None, adapted.adapter_ref)
    ])
    assert tuned.text == ANSWER.rstrip("\n") or tuned.text == ANSWER
    assert base.text != tuned.text  # the base model never saw the data
    assert replace(adapted, adapter=None).adapter_ref is None


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        (["not json"], "data.jsonl:1: not JSON"),
        ([{"text": "x"}], "data.jsonl:1: expected"),
        ([{"messages": [{"role": "user", "content": "q"}, {"role": "user", "content": "a"}]}],
         "last message must be the assistant"),
        ([{"messages": [{"role": "boss", "content": "q"},
                        {"role": "assistant", "content": "a"}]}], "message 0 needs a role"),
        ([{"messages": [{"role": "system", "content": "s"},
                        {"role": "assistant", "content": "a"}]}], "no user message"),
        ([""], "no examples"),
    ],
)
def test_bad_data_is_a_clear_error_with_exit_2(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows, problem: str
) -> None:
    data = _data(tmp_path / "data.jsonl", rows)
    result = _adapt(tiny_model_dir, monkeypatch, "algorithm_design", "--data", str(data),
                    "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert problem in " ".join(result.stderr.split())
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["nobody"], "unknown expert 'nobody'"),
        (["algorithm_design", "--epochs", "0"], "must be at least 1"),
        (["algorithm_design", "--lr", "2"], "learning rate must be in"),
        (["algorithm_design", "--model", "/no/such/model"], "does not exist"),
    ],
)
def test_bad_options_are_clear_errors_with_exit_2(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args, problem
) -> None:
    rows = [{"messages": [{"role": "user", "content": "q"},
                          {"role": "assistant", "content": "a"}]}]
    data = _data(tmp_path / "data.jsonl", rows)
    result = _adapt(tiny_model_dir, monkeypatch, *args, "--data", str(data),
                    "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert problem in " ".join(result.stderr.split())


def test_a_non_empty_out_directory_is_refused(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    data = _data(tmp_path / "data.jsonl", [{"messages": [
        {"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}])
    result = _adapt(tiny_model_dir, monkeypatch, "algorithm_design", "--data", str(data),
                    "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "not an empty directory" in result.stderr
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"
