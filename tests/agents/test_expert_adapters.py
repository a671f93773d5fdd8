"""The ``adapter`` of an expert: TOML and plugin spec validation, requests and job result."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from agents import JobDeps, JobRequest, RouterConfig, run_job
from agents.errors import ExpertError
from agents.experts import expert_from_toml, load_experts
from agents.llm import Adapter
from agents.router import EmbeddingRouter
from plugins import ExpertSpec
from plugins.errors import PluginConfigError
from tests.fixtures.scripted_model import quicksort_model

BODY = ('name = "sql_review"\nrole = "reviewer"\ndescription = "SQL"\n'
        'examples = ["review this SQL query"]\nsystem_prompt = "You review SQL."\n')


def test_a_toml_adapter_relative_to_the_file_and_its_served_name(tmp_path: Path) -> None:
    path = tmp_path / "sql_review.toml"
    path.write_text(BODY + 'adapter = "./adapters/sql"\nadapter_model = "sql-lora"\n')
    expert = expert_from_toml(path)
    assert expert.adapter == str(tmp_path / "adapters" / "sql")
    assert expert.adapter_ref == Adapter("sql-lora", str(tmp_path / "adapters" / "sql"))


def test_a_hub_adapter_is_kept_and_served_under_the_expert_name(tmp_path: Path) -> None:
    path = tmp_path / "sql_review.toml"
    path.write_text(BODY + 'adapter = "org/sql-lora"\n')
    assert expert_from_toml(path).adapter_ref == Adapter("sql_review", "org/sql-lora")
    path.write_text(BODY)
    assert expert_from_toml(path).adapter_ref is None  # no adapter: the base model


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ('adapter = ""\n', "adapter must be a local adapter directory or a hub id"),
        ("adapter = 3\n", "adapter must be"),
        ('adapter = " x"\n', "adapter must be"),
        ('adapter_model = "m"\n', "adapter_model needs an adapter"),
        ('adapter = "a/b"\nadapter_model = "has space"\n', "adapter_model must be"),
        ('adapter = "a/b"\nadapter_model = "__base__"\n', "adapter_model must be"),
        ('adapter = "a/b"\nlora = "x"\n', "unknown field"),
    ],
)
def test_a_bad_adapter_field_names_the_file(tmp_path: Path, extra: str, problem: str) -> None:
    path = tmp_path / "sql_review.toml"
    path.write_text(BODY + extra)
    with pytest.raises(ExpertError, match=problem) as caught:
        expert_from_toml(path)
    assert str(path) in str(caught.value)


def test_plugin_expert_spec_takes_and_checks_an_adapter() -> None:
    spec = ExpertSpec("sql_review", "reviewer", "SQL", "You review SQL.", ("review SQL",),
                      adapter="org/sql-lora", adapter_model="sql")
    assert (spec.adapter, spec.adapter_model) == ("org/sql-lora", "sql")
    with pytest.raises(PluginConfigError, match="adapter_model needs an adapter"):
        ExpertSpec("sql_review", "reviewer", "SQL", "You review SQL.", ("review SQL",),
                   adapter_model="sql")


def test_requests_carry_the_expert_adapter_and_the_result_names_it(embedder) -> None:
    experts = load_experts()
    experts["algorithm_design"] = replace(experts["algorithm_design"], adapter="/adapters/algo")
    experts["security_review"] = replace(experts["security_review"], adapter="org/sec",
                                         adapter_model="sec-lora")
    router = EmbeddingRouter(experts, embedder.embed,
                             RouterConfig(always_on=("test_writer", "security_review")))
    model = quicksort_model()
    result = run_job(JobRequest("Implement quicksort in Python"),
                     JobDeps(backend=model, router=router, experts=experts), job_id="j1")
    by_name = {e["name"]: e for e in result["experts"]}
    assert by_name["algorithm_design"]["adapter"] == "algorithm_design"
    assert by_name["security_review"]["adapter"] == "sec-lora"
    assert by_name["test_writer"]["adapter"] is None
    systems = {e.name: e.system_prompt for e in experts.values()}
    used = {(name, call.adapter) for call in model.calls for name, system in systems.items()
            if call.messages[0].content == system}
    assert ("algorithm_design", Adapter("algorithm_design", "/adapters/algo")) in used
    assert ("security_review", Adapter("sec-lora", "org/sec")) in used
    assert ("test_writer", None) in used
