"""The README's plugin guide, installed as written (pip, entry point) and used end to end.

The test knows nothing about the plugin but what the README shows: it copies the README's
``pyproject.toml`` and module blocks into a package, installs it into a temp ``--target`` and
uses its verifier in a job, its expert in the router and its judge in a fact-check.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents import JobRequest, run_job
from factforge.settings import Settings
from factforge.wiring import build_job_deps, build_judge, describe_plugins, plugin_config
from plugins import PluginRegistry
from plugins.factcheck import FactChecker
from plugins.factcheck.memory import InMemoryRetriever, Passage
from tests.fixtures.scripted_model import AUTHOR, QUICKSORT_TESTS, TESTER, ScriptedModel

pytestmark = [pytest.mark.integration, pytest.mark.slow]

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_plugin_files() -> dict[str, str]:
    """``{relative path: text}`` of the code blocks in "Writing a plugin" that start with a
    ``# path`` comment."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Writing a plugin") :]
    section = section[: section.index("\n## ", 1)]
    files = {}
    for body in re.findall(r"```(?:toml|python)\n(.*?)```", section, flags=re.DOTALL):
        first, _, rest = body.partition("\n")
        if first.startswith("# ") and ("/" in first or first.endswith(".toml")):
            files[first[2:].strip()] = rest
    return files


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    files = readme_plugin_files()
    assert set(files) == {"pyproject.toml", "factforge_safety/__init__.py"}
    source = tmp_path_factory.mktemp("readme-plugin")
    for name, body in files.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(body, encoding="utf-8")
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=240,
    )
    sys.path.insert(0, str(target))
    yield target
    sys.path.remove(str(target))
    for name in [m for m in sys.modules if m.startswith("factforge_safety")]:
        del sys.modules[name]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # the plugin's items by their own names (not the plugin's), plus one built-in verifier
    return Settings(data_dir=tmp_path, plugins_allow="no_eval,sql_reviewer,keywords,syntax")


def test_readme_plugin_is_listed_with_what_it_provides(installed, settings) -> None:
    with PluginRegistry(plugin_config(settings)) as registry:
        registry.check()
        summary = describe_plugins(settings, registry)
    safety = {p["name"]: p for p in summary["plugins"]}["safety"]
    assert safety["status"] == "loaded" and safety["source"] == "factforge-safety"
    assert sorted(safety["provides"]) == ["keywords", "no_eval", "sql_reviewer"]
    assert [v["name"] for v in summary["verifiers"]] == ["syntax", "no_eval"]
    assert {
        "name": "sql_reviewer",
        "plugin": "safety",
        "role": "reviewer",
        "description": "Reviews code that builds SQL queries: parameters, injection, indexes.",
    } in summary["experts"]
    assert "algorithm_design" in {e["name"] for e in summary["experts"]}
    assert [j["name"] for j in summary["judges"]] == [
        "reader",
        "builtin",
        "cross",
        "nli",
        "llm",
        "keywords",
    ]


def test_readme_plugin_is_served_by_the_api(installed, settings) -> None:
    from fastapi.testclient import TestClient

    from factforge.api import create_app

    with TestClient(create_app(settings)) as client:
        plugins = client.get("/v1/plugins").json()
        experts = client.get("/v1/experts").json()
    assert {"safety", "syntax"} <= {
        p["name"] for p in plugins["plugins"] if p["status"] == "loaded"
    }
    assert "keywords" in {j["name"] for j in plugins["judges"]}
    by_name = {e["name"]: e for e in experts}
    assert by_name["sql_reviewer"]["source"] == "plugin"  # the router's experts, plugins too
    assert "algorithm_design" in by_name


def test_readme_plugin_verifier_and_expert_take_part_in_jobs(installed, settings, embedder) -> None:
    evil = "```python\ndef run_query(db, text):\n    return eval(text)\n```"
    clean = "```python\ndef run_query(db, email):\n    return db.execute('SELECT 1', (email,))\n```"
    prompt = "Write a SQL query that selects users by email from a sqlite table"
    with PluginRegistry(plugin_config(settings)) as registry:
        for code, status in ((evil, "failed"), (clean, "verified")):
            model = ScriptedModel({AUTHOR: code, TESTER: QUICKSORT_TESTS})
            deps = build_job_deps(settings, registry=registry, backend=model, embedder=embedder)
            result = run_job(JobRequest(prompt, max_rounds=0), deps, job_id=f"readme-{status}")
            verdicts = {v["plugin"]: v for v in result["verdicts"]}
            assert set(verdicts) == {"no_eval", "syntax"}
            assert result["status"] == status, result["reason"]
            experts = {e["name"]: e for e in result["experts"]}
            assert experts["sql_reviewer"]["activated"]
            assert any(
                "You review code that talks to SQL databases" in r.messages[0].content
                for r in model.calls
            )
        assert verdicts["no_eval"]["status"] == "pass"
    assert result["reason"] == "passed: syntax, no_eval"


def test_readme_plugin_judge_fact_checks(installed, settings, embedder) -> None:
    with PluginRegistry(plugin_config(settings)) as registry:
        judge = build_judge(
            settings, "keywords", registry=registry, encoder=embedder, backend=lambda: None
        )
        retriever = InMemoryRetriever(embedder)
        retriever.add([Passage("w", "Pure water boils at 100 degrees Celsius at sea level.")])
        report = FactChecker(retriever, judge).check_claims(
            ["Water boils at 100 degrees Celsius.", "Water boils at 50 degrees on Mars."]
        )
        assert registry.judge("keywords") is judge  # built once
    assert report.judge == "keywords"
    assert [c.verdict for c in report.claims] == ["SUPPORTED", "NOT_ENOUGH_INFO"]
