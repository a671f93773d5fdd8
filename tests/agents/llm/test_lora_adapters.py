"""Per-expert LoRA adapters on the transformers backend: a tiny random base model and two tiny
random adapters built here (nothing downloaded)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.errors import AdapterError, ModelLoadError
from agents.llm import BASE_ADAPTER, Adapter, GenerationRequest, ModelSpec
from agents.llm.transformers_backend import TransformersBackend
from tests.fixtures.tiny_lora import build_tiny_adapter

PROMPT = "def add(a, b):"


@pytest.fixture(scope="module")
def adapters(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Adapter]:
    root = tmp_path_factory.mktemp("adapters")
    return {
        "sql": Adapter("sql", str(build_tiny_adapter(tiny_model_dir, root / "sql", seed=1))),
        "sec": Adapter("sec", str(build_tiny_adapter(tiny_model_dir, root / "sec", seed=2))),
    }


def _req(adapter: Adapter | None, user: str = PROMPT, **options: object) -> GenerationRequest:
    return GenerationRequest.chat("You write Python.", user, max_new_tokens=10,
                                  adapter=adapter, **options)


def _fresh_base(model_dir: Path):
    import torch
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()


def _input_ids(model_dir: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(model_dir)(PROMPT, return_tensors="pt")["input_ids"]


def test_adapters_change_logits_and_the_base_stays_untouched(
    tiny_model_dir: Path, adapters: dict[str, Adapter]
) -> None:
    import torch

    reference = _fresh_base(tiny_model_dir)
    ids = _input_ids(tiny_model_dir)
    with torch.inference_mode():
        base_logits = reference(ids).logits
    backend = TransformersBackend(ModelSpec(str(tiny_model_dir)))
    generations = backend.generate([_req(None), _req(adapters["sql"]), _req(adapters["sec"])])
    assert len({g.text for g in generations}) == 3  # each expert answers as its adapter says

    model = backend._adapters.model  # the PeftModel over the backend's base
    names = backend._adapters.row_names([None, adapters["sql"], adapters["sec"]])
    assert names[0] == BASE_ADAPTER
    with torch.inference_mode():
        rows = model(ids.repeat(3, 1), adapter_names=names).logits
    assert torch.allclose(rows[0], base_logits[0], atol=1e-5)  # base rows: the base model
    assert not torch.allclose(rows[1], base_logits[0], atol=1e-2)
    assert not torch.allclose(rows[2], base_logits[0], atol=1e-2)
    assert not torch.allclose(rows[1], rows[2], atol=1e-2)
    # the base weights themselves are unchanged (LoRA sits beside them; nothing merged)
    expected = reference.state_dict()
    base_weights = {k.replace("base_layer.", ""): v
                    for k, v in backend.load().model.state_dict().items() if "lora_" not in k}
    assert base_weights.keys() == expected.keys()
    assert all(torch.equal(base_weights[k], expected[k]) for k in expected)
    # and a request without an adapter still gets what the base model alone gives
    alone = TransformersBackend(ModelSpec(str(tiny_model_dir))).generate([_req(None)])
    assert backend.generate([_req(None)]) == alone


def test_a_batch_mixing_two_adapters_and_the_base_equals_separate_calls(
    tiny_model_dir: Path, adapters: dict[str, Adapter]
) -> None:
    requests = [
        _req(adapters["sec"], "Write a function that returns the sum of a list of numbers."),
        _req(None),
        _req(adapters["sql"], "x"),
        _req(adapters["sql"]),
        _req(None, "import os"),
    ]
    separate = []
    for request in requests:  # a fresh backend each: no adapter attached before the call
        separate += TransformersBackend(ModelSpec(str(tiny_model_dir))).generate([request])
    mixed_backend = TransformersBackend(ModelSpec(str(tiny_model_dir)))
    assert mixed_backend.generate(requests) == separate
    assert separate[1].text != separate[3].text  # same prompt, base vs adapter
    assert len(mixed_backend.adapters) == 2  # loaded once each, kept
    assert mixed_backend.generate(requests) == separate


def test_sampling_with_adapters_is_reproducible(
    tiny_model_dir: Path, adapters: dict[str, Adapter]
) -> None:
    backend = TransformersBackend(ModelSpec(str(tiny_model_dir)))
    requests = [_req(a, temperature=1.0, seed=5) for a in (None, adapters["sql"])]
    assert backend.generate(requests) == backend.generate(requests)


def test_a_missing_adapter_directory_is_a_clear_error(tiny_model_dir: Path,
                                                      tmp_path: Path) -> None:
    backend = TransformersBackend(ModelSpec(str(tiny_model_dir)))
    missing = Adapter("sql", str(tmp_path / "nowhere"))
    with pytest.raises(AdapterError, match="'sql'.*is not a directory"):
        backend.generate([_req(missing)])
    with pytest.raises(AdapterError, match="is not a directory"):
        backend.check_adapters([missing])
    assert issubclass(AdapterError, ModelLoadError) and AdapterError.code == "adapter_invalid"


def test_a_directory_that_is_no_adapter_is_a_clear_error(tiny_model_dir: Path) -> None:
    backend = TransformersBackend(ModelSpec(str(tiny_model_dir)))
    with pytest.raises(AdapterError, match="no adapter_config.json"):
        backend.generate([_req(Adapter("sql", str(tiny_model_dir)))])


def test_an_offline_unknown_hub_adapter_is_a_clear_error(
    tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    backend = TransformersBackend(ModelSpec(str(tiny_model_dir)))
    with pytest.raises(AdapterError, match="'hub'.*cannot read the adapter config"):
        backend.generate([_req(Adapter("hub", "nobody-here/no-such-adapter"))])


def test_a_broken_adapter_fails_clearly_and_the_backend_recovers(
    tiny_model_dir: Path, adapters: dict[str, Adapter], tmp_path: Path
) -> None:
    good_dir = Path(adapters["sql"].source)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "adapter_config.json").write_text((good_dir / "adapter_config.json").read_text())
    (broken / "adapter_model.safetensors").write_bytes(b"not safetensors")
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    config = json.loads((good_dir / "adapter_config.json").read_text())
    config["target_modules"] = ["no_such_proj"]
    (wrong / "adapter_config.json").write_text(json.dumps(config))
    (wrong / "adapter_model.safetensors").write_bytes(
        (good_dir / "adapter_model.safetensors").read_bytes())

    reference = TransformersBackend(ModelSpec(str(tiny_model_dir))).generate(
        [_req(None), _req(adapters["sql"])])
    backend = TransformersBackend(ModelSpec(str(tiny_model_dir)))
    with pytest.raises(AdapterError, match="'broken': cannot attach"):
        backend.generate([_req(None), _req(Adapter("broken", str(broken)))])
    # the first attach failed half-way: the base model is reloaded, untouched
    assert backend.generate([_req(None), _req(adapters["sql"])]) == reference
    with pytest.raises(AdapterError, match="'wrong': cannot attach"):
        backend.generate([_req(Adapter("wrong", str(wrong)))])
    assert backend.generate([_req(None), _req(adapters["sql"])]) == reference
    assert list(backend.adapters) == [adapters["sql"].source]
