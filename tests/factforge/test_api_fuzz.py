"""Schemathesis against the real app: every operation of /openapi.json, every check, bounded
examples. Clean means the schema tells the truth: each status and media type the app answers
is declared, valid requests are accepted, invalid ones rejected, 401 without the key, 405 with
Allow, and never a 5xx. Jobs run on the scripted test model; the nli judge on a tiny
cross-encoder built here, so that no valid request meets a missing model (a real 503)."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="dev extra: pip install -e .[dev]")

from fastapi.testclient import TestClient  # noqa: E402

from factforge.api import create_app  # noqa: E402
from factforge.services import Services  # noqa: E402
from factforge.settings import Settings  # noqa: E402
from tests.fixtures.scripted_model import quicksort_model  # noqa: E402

KEY = "fuzz-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
MAX_EXAMPLES = 15  # per operation and phase: ~700 cases, ~1 CPU-minute


def _tiny_nli(path):
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    path.mkdir()
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "paris", "is", "in", "france", "."]
    (path / "vocab.txt").write_text("\n".join(words) + "\n")
    BertTokenizer(str(path / "vocab.txt")).save_pretrained(path)
    labels = {0: "contradiction", 1: "entailment", 2: "neutral"}
    config = BertConfig(vocab_size=len(words), hidden_size=16, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=32,
                        max_position_embeddings=512, num_labels=3, id2label=labels,
                        label2id={v: k for k, v in labels.items()})
    BertForSequenceClassification(config).save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("fuzz")
    settings = Settings(
        data_dir=root / "data", api_keys=[KEY], model="served-model", max_rounds=0,
        max_request_bytes=200_000, plugins_allow=["syntax"],
        factcheck_nli_model=str(_tiny_nli(root / "nli")),
    )
    services = Services(settings, backend=quicksort_model(), embedder=embedder)
    application = create_app(settings, services)
    with TestClient(application) as client:
        seeded = client.post("/v1/knowledge/documents", headers=AUTH, json={
            "documents": [{"text": "Paris is the capital of France.", "source": "geo"}]})
        assert seeded.status_code == 200, seeded.text
        yield application


def _cancel_keeps_the_job(check) -> bool:
    """``DELETE /v1/jobs/{id}`` cancels: the job stays readable with status ``cancelled``
    (the documented contract), which use_after_free reads as a resource still there."""
    failure = check.failure_info.failure if check.failure_info else None
    return check.name == "use_after_free" and str(getattr(failure, "free", "")).startswith(
        "DELETE /v1/jobs/")


def _run_schemathesis(app) -> tuple[dict[str, int], list[str], float]:
    """Schemathesis's own engine (as ``schemathesis run --checks all``): every phase, every
    check. Returns test cases per operation, the failures, and the running time."""
    from schemathesis.config import HealthCheck, SchemathesisConfig
    from schemathesis.engine import Status, events, from_schema

    config = SchemathesisConfig()
    project = config.projects.default
    # timeouts: POST /v1/chat/completions answers when its job has ended
    project.update(headers=AUTH, workers=1, suppress_health_check=[HealthCheck.all],
                   request_timeout=120)
    project.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")
    project.checks.update(included_check_names=["all"], max_response_time=60)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)
    cases: dict[str, int] = {}
    failures: list[str] = []
    running_time = 0.0
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            label = event.recorder.label
            cases[label] = cases.get(label, 0) + len(event.recorder.cases)
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status == Status.FAILURE and not _cancel_keeps_the_job(check):
                        interaction = event.recorder.interactions.get(case_id)
                        answer = (f"{interaction.request.uri} {interaction.request.headers} "
                                  f"{(interaction.request.body or b'')[:300]!r} -> "
                                  f"{interaction.response.status_code} "
                                  f"{interaction.response.content[:200]!r}"
                                  if interaction and interaction.response else "")
                        failures.append(f"{label} [{event.phase.value}] {check.name}: "
                                        f"{check.failure_info.failure.title if check.failure_info else ''}"
                                        f" -> {answer}")
            if event.status == Status.ERROR:
                failures.append(f"{label} [{event.phase.value}]: error {event.skip_reason or ''}")
        elif isinstance(event, events.NonFatalError):
            failures.append(f"{event.label}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            failures.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            running_time = event.running_time
            failures.extend(f"after run: {f.title}" for f in event.failures)
    return cases, failures, running_time


@pytest.mark.slow
# Jobs run in background threads, where LangGraph's checkpointer draws from the global
# `random` (checkpoint versions) while Hypothesis generates the next case in this one: its
# "random inside strategies" deprecation is about that thread, not a strategy.
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
def test_api_conforms_to_its_schema(app):
    cases, failures, running_time = _run_schemathesis(app)
    operations = {f"{m.upper()} {p}" for p, ops in app.openapi()["paths"].items() for m in ops}
    print(f"schemathesis: {len(operations)} operations, {sum(cases.values())} test cases "
          f"(stateful included) in {running_time:.0f} s, {len(failures)} failures")
    for label, count in sorted(cases.items()):
        print(f"  {label}: {count}")
    assert operations <= set(cases), f"not tested: {operations - set(cases)}"
    assert not failures, "\n".join(sorted(set(failures)))
