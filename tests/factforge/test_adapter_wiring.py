"""The composition root checks the experts' adapters at start: a missing one is a ConfigError."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from agents.experts import load_experts
from agents.llm import ModelSpec, OpenAIBackend
from agents.llm.transformers_backend import TransformersBackend
from factforge.errors import ConfigError
from factforge.wiring import check_adapters
from tests.fixtures.served_models import ServedModelsServer
from tests.fixtures.tiny_lora import build_tiny_adapter


def _experts(**adapters: tuple[str, str | None]):
    experts = load_experts()
    for name, (source, served) in adapters.items():
        experts[name] = replace(experts[name], adapter=source, adapter_model=served)
    return experts


def test_openai_backend_adapters_are_checked_against_the_server() -> None:
    experts = _experts(security_review=("/srv/sec", "sec-lora"))
    with ServedModelsServer(["base", "sec-lora"]) as server, \
            OpenAIBackend(ModelSpec("base", base_url=server.url)) as backend:
        check_adapters(backend, experts)
        experts = _experts(security_review=("/srv/sec", "sec-lora"),
                           algorithm_design=("/srv/algo", None))
        with pytest.raises(ConfigError, match="does not serve the expert adapter.*algorithm_des"):
            check_adapters(backend, experts)
        check_adapters(backend, load_experts())  # no adapters: nothing asked


def test_transformers_backend_local_adapters_are_checked_without_loading(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    backend = TransformersBackend(ModelSpec(str(tiny_model_dir)))
    adapter = build_tiny_adapter(tiny_model_dir, tmp_path / "sql", seed=1)
    check_adapters(backend, _experts(security_review=(str(adapter), None)))
    with pytest.raises(ConfigError, match="'algorithm_design'.*is not a directory"):
        check_adapters(backend, _experts(algorithm_design=(str(tmp_path / "none"), None)))
    assert backend._loaded is None  # the check loaded nothing
