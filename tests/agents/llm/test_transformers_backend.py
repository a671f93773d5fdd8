"""TransformersBackend on a tiny random Llama built locally (no download)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from agents.errors import AgentsError, ModelCallError, ModelLoadError, PromptTooLongError
from agents.llm import GenerationRequest, ModelSpec, load_backend
from agents.llm._hf_decoding import plain_prompt
from agents.llm.transformers_backend import TransformersBackend
from tests.fixtures.tiny_model import build_tiny_model

SYSTEM = "You are a careful Python programmer."
PROMPTS = (
    "x",
    "def add(a, b):",
    "Write a function that returns the sum of a list of numbers, with tests and docs.",
)


@pytest.fixture(scope="module")
def backend(tiny_model_dir: Path) -> TransformersBackend:
    return TransformersBackend(ModelSpec(str(tiny_model_dir)))


@pytest.fixture(scope="module")
def plain_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model whose tokenizer has neither chat template nor pad token."""
    return build_tiny_model(
        tmp_path_factory.mktemp("tiny_plain"), chat_template=False, pad_token=False
    )


@pytest.fixture(scope="module")
def token_type_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model whose tokenizer also returns ``token_type_ids``."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny_token_types"), token_type_ids=True)


def _req(user: str, **options: object) -> GenerationRequest:
    return GenerationRequest.chat(SYSTEM, user, **options)


def _template_prompt_tokens(model_dir: Path, user: str) -> int:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]
    text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


def test_importing_agents_llm_does_not_import_torch() -> None:
    code = (
        "import sys, agents.llm, agents.llm.transformers_backend, agents.llm.openai_backend;"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    )
    root = Path(__file__).resolve().parents[3]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, timeout=60)


def test_batch_keeps_order_and_counts_tokens(
    backend: TransformersBackend, tiny_model_dir: Path
) -> None:
    budgets = (4, 9, 6)
    requests = [_req(p, max_new_tokens=n) for p, n in zip(PROMPTS, budgets, strict=True)]
    batch = backend.generate(requests)
    assert len(batch) == 3
    for generation, prompt, budget in zip(batch, PROMPTS, budgets, strict=True):
        assert generation.prompt_tokens == _template_prompt_tokens(tiny_model_dir, prompt)
        if generation.finish_reason == "length":
            assert generation.completion_tokens == budget
        assert 1 <= generation.completion_tokens <= budget
    # prompts of different lengths really differ, so padding had to be added and excluded
    assert len({g.prompt_tokens for g in batch}) == 3


def test_left_padding_gives_the_same_greedy_output_alone_and_batched(
    backend: TransformersBackend,
) -> None:
    requests = [_req(p, max_new_tokens=n) for p, n in zip(PROMPTS, (12, 5, 8), strict=True)]
    batched = backend.generate(requests)
    alone = [backend.generate([r])[0] for r in requests]
    assert batched == alone
    assert len({g.text for g in batched}) == 3  # the outputs differ: the order is checkable


def test_greedy_is_deterministic_and_ignores_seed(backend: TransformersBackend) -> None:
    first = backend.generate([_req(PROMPTS[1], max_new_tokens=10)])
    second = backend.generate([_req(PROMPTS[1], max_new_tokens=10, seed=99)])
    assert first == second


def test_seed_reproduces_sampling(backend: TransformersBackend) -> None:
    def sample(seed: int) -> str:
        request = _req(PROMPTS[1], max_new_tokens=16, temperature=1.0, top_p=0.95, seed=seed)
        return backend.generate([request])[0].text

    greedy = backend.generate([_req(PROMPTS[1], max_new_tokens=16)])[0].text
    assert sample(7) == sample(7)
    assert sample(7) != sample(8)
    assert greedy not in {sample(7), sample(8)}


def test_sampling_does_not_disturb_global_rng(backend: TransformersBackend) -> None:
    import torch

    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    backend.generate([_req("x", max_new_tokens=4, temperature=0.8, seed=3)])
    assert torch.equal(torch.rand(3), expected)


def test_stop_string_truncates_and_stops_early(backend: TransformersBackend) -> None:
    full = backend.generate([_req(PROMPTS[2], max_new_tokens=24)])[0]
    assert full.finish_reason == "length"
    stop = full.text[6:9]
    assert len(stop) == 3
    expected = full.text[: full.text.find(stop)]

    other = _req(PROMPTS[0], max_new_tokens=24)
    stopped, unaffected = backend.generate(
        [_req(PROMPTS[2], max_new_tokens=24, stop=(stop,)), other]
    )
    assert stopped.text == expected
    assert stop not in stopped.text
    assert stopped.finish_reason == "stop"
    assert stopped.completion_tokens < full.completion_tokens
    assert unaffected == backend.generate([other])[0]


def test_max_new_tokens_is_respected(backend: TransformersBackend) -> None:
    for budget in (1, 3):
        (generation,) = backend.generate([_req(PROMPTS[1], max_new_tokens=budget)])
        assert generation.finish_reason == "length"
        assert generation.completion_tokens == budget


def test_mixed_temperatures_keep_request_order(backend: TransformersBackend) -> None:
    greedy = [_req(PROMPTS[0], max_new_tokens=6), _req(PROMPTS[2], max_new_tokens=6)]
    sampled = _req(PROMPTS[1], max_new_tokens=6, temperature=0.7, seed=1)
    mixed = backend.generate([greedy[0], sampled, greedy[1]])
    assert mixed[0] == backend.generate([greedy[0]])[0]
    assert mixed[2] == backend.generate([greedy[1]])[0]
    assert mixed[1] == backend.generate([sampled])[0]


def test_tokenizer_without_template_or_pad_token(plain_model_dir: Path) -> None:
    from transformers import AutoTokenizer

    backend = TransformersBackend(ModelSpec(str(plain_model_dir)))
    requests = [_req(PROMPTS[0], max_new_tokens=5), _req(PROMPTS[2], max_new_tokens=5)]
    batched = backend.generate(requests)
    assert batched == [backend.generate([r])[0] for r in requests]
    tokenizer = AutoTokenizer.from_pretrained(plain_model_dir)
    for generation, request in zip(batched, requests, strict=True):
        expected = len(tokenizer(plain_prompt(request.messages))["input_ids"])
        assert generation.prompt_tokens == expected
        assert generation.completion_tokens == 5


def test_plain_prompt_format() -> None:
    request = _req("Say hi")
    assert plain_prompt(request.messages) == f"System: {SYSTEM}\n\nUser: Say hi\n\nAssistant:"


def test_dtype_override(tiny_model_dir: Path) -> None:
    import torch

    backend = TransformersBackend(ModelSpec(str(tiny_model_dir), dtype="bfloat16", device="cpu"))
    loaded = backend.load()
    assert loaded.model.dtype == torch.bfloat16
    assert backend.device == "cpu"
    (generation,) = backend.generate([_req(PROMPTS[1], max_new_tokens=3)])
    assert generation.completion_tokens == 3


def test_unknown_dtype_is_a_load_error(tiny_model_dir: Path) -> None:
    with pytest.raises(ModelLoadError, match="Unknown dtype 'int3'"):
        TransformersBackend(ModelSpec(str(tiny_model_dir), dtype="int3")).load()


def test_loads_once_across_threads(tiny_model_dir: Path) -> None:
    backend = TransformersBackend(ModelSpec(str(tiny_model_dir)))
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(backend.load())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 4 and all(s is seen[0] for s in seen)


def test_unknown_hub_id_offline_explains_the_fix() -> None:
    from huggingface_hub import constants

    assert constants.is_offline_mode(), "tests must run with HF_HUB_OFFLINE=1"
    backend = TransformersBackend(ModelSpec("factforge-tests/no-such-model"))
    with pytest.raises(ModelLoadError) as info:
        backend.generate([_req("x")])
    message = str(info.value)
    assert "FACTFORGE_MODEL" in message and "config.json" in message
    assert "FACTFORGE_BACKEND=openai" in message and "FACTFORGE_OPENAI_BASE_URL" in message


def test_missing_local_path_is_a_clear_load_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "model"
    with pytest.raises(ModelLoadError, match="does not exist"):
        TransformersBackend(ModelSpec(str(missing))).load()


def test_directory_without_config_is_a_clear_load_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="has no config.json"):
        TransformersBackend(ModelSpec(str(tmp_path))).load()


def test_8bit_without_bitsandbytes_is_a_load_error(tiny_model_dir: Path) -> None:
    try:
        import bitsandbytes  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("bitsandbytes is installed")
    with pytest.raises(ModelLoadError, match="bitsandbytes"):
        TransformersBackend(ModelSpec(str(tiny_model_dir), load_in_8bit=True)).load()


def test_bad_requests_are_call_errors(backend: TransformersBackend) -> None:
    assert backend.generate([]) == []
    with pytest.raises(ModelCallError, match="max_new_tokens"):
        backend.generate([_req("x", max_new_tokens=0)])
    with pytest.raises(ModelCallError, match="top_p"):
        backend.generate([_req("x", temperature=0.5, top_p=0.0)])


def test_load_backend_by_kind(tiny_model_dir: Path) -> None:
    backend = load_backend("transformers", ModelSpec(str(tiny_model_dir)))
    assert isinstance(backend, TransformersBackend)
    with pytest.raises(AgentsError, match="Unknown model backend 'vllm'"):
        load_backend("vllm", ModelSpec("x"))
    with pytest.raises(ModelLoadError, match="FACTFORGE_OPENAI_BASE_URL"):
        load_backend("openai", ModelSpec("x"))


def test_prompt_longer_than_the_context_is_a_client_error(backend: TransformersBackend) -> None:
    too_long = "\u00e9\u00df " * 3000  # byte-level BPE: several tokens per character
    # not a ModelCallError: the graph's retry policy and the Celery task do not retry it
    with pytest.raises(PromptTooLongError, match=r"does not fit the context .*\(2048 tokens\)"):
        backend.generate([_req(too_long, max_new_tokens=2)])


def test_tokenizer_outputs_the_model_does_not_take_are_not_passed(
    token_type_model_dir: Path, backend: TransformersBackend
) -> None:
    """Issue 13: a tokenizer returning token_type_ids failed every call ('model_kwargs are not
    used by the model'); only what the model's forward/generate takes goes to generate."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(token_type_model_dir)
    assert "token_type_ids" in tokenizer(["x"])  # the case under test is real
    typed = TransformersBackend(ModelSpec(str(token_type_model_dir)))
    requests = [_req(p, max_new_tokens=6) for p in PROMPTS]
    generations = typed.generate(requests)
    assert all(0 < g.completion_tokens <= 6 and g.prompt_tokens > 0 for g in generations)
    # same weights (same seed), so the same greedy text as the stock tokenizer's model
    assert [g.text for g in generations] == [g.text for g in backend.generate(requests)]
