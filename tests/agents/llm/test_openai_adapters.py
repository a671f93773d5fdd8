"""OpenAIBackend with expert adapters: each adapter's served name is the request's ``model``,
and ``check_adapters`` asks a real HTTP server's ``/v1/models``."""

from __future__ import annotations

import pytest

from agents.errors import AdapterError
from agents.llm import Adapter, GenerationRequest, ModelSpec, OpenAIBackend
from tests.fixtures.served_models import ServedModelsServer

pytestmark = pytest.mark.integration

SQL = Adapter("sql-lora", "/adapters/sql")
SEC = Adapter("sec-lora", "org/sec")


def _req(adapter: Adapter | None) -> GenerationRequest:
    return GenerationRequest.chat("s", "u", max_new_tokens=5, adapter=adapter)


def test_each_request_asks_for_its_adapter_by_served_name() -> None:
    with ServedModelsServer(["base", "sql-lora", "sec-lora"]) as server, \
            OpenAIBackend(ModelSpec("base", base_url=server.url)) as backend:
        backend.check_adapters([SQL, SEC])
        texts = [g.text for g in backend.generate([_req(SQL), _req(None), _req(SEC)])]
    assert texts == ["served by sql-lora", "served by base", "served by sec-lora"]
    assert sorted(b["model"] for b in server.bodies) == ["base", "sec-lora", "sql-lora"]


def test_an_adapter_the_server_does_not_serve_is_a_clear_error() -> None:
    with ServedModelsServer(["base", "sql-lora"]) as server, \
            OpenAIBackend(ModelSpec("base", base_url=server.url)) as backend:
        backend.check_adapters([SQL])
        with pytest.raises(AdapterError, match=r"does not serve the expert adapter\(s\) "
                           r"sec-lora \(it serves: base, sql-lora\).*--lora-modules"):
            backend.check_adapters([SQL, SEC])
        assert server.bodies == []  # checked before any generation


def test_a_server_without_a_model_list_is_a_clear_error() -> None:
    with ServedModelsServer(["base"], models_status=500) as server, \
            OpenAIBackend(ModelSpec("base", base_url=server.url)) as backend:
        with pytest.raises(AdapterError, match="cannot list the served models.*answered 500"):
            backend.check_adapters([SQL])
        backend.check_adapters([])  # nothing to check: the server is not asked


def test_an_unreachable_server_is_a_clear_error() -> None:
    with ServedModelsServer([]) as server:
        url = server.url
    with OpenAIBackend(ModelSpec("base", base_url=url), max_retries=0) as backend:
        with pytest.raises(AdapterError, match="cannot list the served models at .*/v1/models"):
            backend.check_adapters([SQL])
