"""The job graph on a scripted stand-in model (orchestration logic only)."""

from __future__ import annotations

import sqlite3

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

from agents import JobDeps, JobError, JobRequest, JobRunner, RouterConfig, run_job
from agents.errors import ModelCallError
from agents.experts import load_experts
from agents.router import EmbeddingRouter
from plugins import Verdict
from plugins.builtin.syntax import SyntaxVerifier
from plugins.builtin.tests import TestsVerifier
from plugins.sandbox import Sandbox, SandboxLimits
from tests.fixtures.scripted_model import (
    AUTHOR,
    QUICKSORT,
    QUICKSORT_TESTS,
    REVIEWER,
    TESTER,
    CrashingReviewerModel,
    ScriptedModel,
    quicksort_model,
)

TASK = "Implement quicksort in Python"
BROKEN = "```python\ndef quicksort(items):\n    return sorted(items)[::-1]\n```"


@pytest.fixture(scope="module")
def experts():
    return load_experts()


@pytest.fixture(scope="module")
def router(experts, embedder):
    return EmbeddingRouter(experts, embedder.embed, RouterConfig(always_on=("test_writer",)))


@pytest.fixture(scope="module")
def verifiers():
    with Sandbox(SandboxLimits(wall_s=10), workers=1) as sandbox:
        yield [SyntaxVerifier(), TestsVerifier(sandbox)]


@pytest.fixture
def make_deps(router, experts, verifiers):
    def build(model, **kwargs):
        kwargs.setdefault("verifiers", verifiers)
        return JobDeps(backend=model, router=router, experts=experts, **kwargs)

    return build


def test_verified_job_result_contract(make_deps):
    events = []
    result = run_job(JobRequest(TASK), make_deps(quicksort_model()),
                     job_id="ok", on_event=events.append)
    assert result["status"] == "verified"
    assert "def quicksort" in result["code"] and result["tests"].startswith("assert")
    assert result["explanation"].startswith("Quicksort partitions")
    assert {v["plugin"]: v["status"] for v in result["verdicts"]} == {"syntax": "pass",
                                                                       "tests": "pass"}
    assert result["experts"][0]["name"] == "algorithm_design"
    assert sum(e["weight"] for e in result["experts"]) == pytest.approx(1, abs=1e-3)
    assert result["candidates"] == {"n": 1, "chosen": 0}
    assert result["rounds"] == 1
    reviewers = [e for e in result["experts"] if e["activated"] and e["role"] == "reviewer"]
    # author + tester in one batch, then one call per activated reviewer
    assert result["usage"]["calls"] == 2 + len(reviewers)
    assert result["usage"]["prompt_tokens"] > 0 and result["usage"]["completion_tokens"] > 0
    assert {"route", "draft", "verify", "total"} <= set(result["timings"])
    nodes = [e["node"] for e in events if e["type"] == "node"]
    assert nodes[:3] == ["route", "draft", "select"]
    assert nodes.count("review") == len(reviewers)
    assert nodes[-2:] == ["synthesise", "verify"]
    assert events[-1] == {"type": "done", "ts": events[-1]["ts"], "data": {"status": "verified"}}


def test_repair_loop_feeds_failures_back_and_recovers(make_deps):
    model = ScriptedModel({AUTHOR: [BROKEN, QUICKSORT], TESTER: QUICKSORT_TESTS, REVIEWER: "LGTM"})
    result = run_job(JobRequest(TASK, max_rounds=2), make_deps(model), job_id="rep")
    assert result["status"] == "verified"
    assert result["rounds"] == 2
    repair_prompts = [r.messages[1].content for r in model.calls if AUTHOR in
                      r.messages[0].content and "failed verification" in r.messages[1].content]
    assert len(repair_prompts) == 1
    assert "tests" in repair_prompts[0] and "sorted(items)[::-1]" in repair_prompts[0]


def test_repair_loop_is_bounded(make_deps):
    model = ScriptedModel({AUTHOR: BROKEN, TESTER: QUICKSORT_TESTS, REVIEWER: "LGTM"})
    result = run_job(JobRequest(TASK, max_rounds=1), make_deps(model), job_id="bd")
    assert result["status"] == "failed"
    assert result["rounds"] == 2
    assert any(v["plugin"] == "tests" and v["status"] == "fail" for v in result["verdicts"])


def test_reviewer_revision_that_parses_replaces_the_draft(make_deps):
    fixed = QUICKSORT.replace("Return a new sorted list", "Sort a copy")
    model = ScriptedModel({
        AUTHOR: "```python\ndef quicksort(items)\n    return items\n```",
        TESTER: QUICKSORT_TESTS,
        "syntax": "Missing colon.\n" + fixed[fixed.index("```"):],
        REVIEWER: "LGTM",
    })
    result = run_job(JobRequest(TASK, max_rounds=0), make_deps(model), job_id="rv")
    assert result["status"] == "verified"
    assert "Sort a copy" in result["code"]
    assert result["history"][0]["revision_by"] == "syntax_check"


def test_samples_choose_the_candidate_that_passes(make_deps):
    model = ScriptedModel({AUTHOR: [BROKEN, QUICKSORT, BROKEN], TESTER: QUICKSORT_TESTS,
                           REVIEWER: "LGTM"})
    result = run_job(JobRequest(TASK, samples=3, max_rounds=0), make_deps(model),
                     job_id="bo3")
    assert result["candidates"] == {"n": 3, "chosen": 1}
    assert result["status"] == "verified"
    temperatures = {r.temperature for r in model.calls if AUTHOR in r.messages[0].content}
    assert temperatures == {0.2}
    seeds = [r.seed for r in model.calls if AUTHOR in r.messages[0].content]
    assert len(set(seeds)) == 3


def test_custom_selector_is_used(make_deps):
    model = ScriptedModel({AUTHOR: [QUICKSORT, QUICKSORT], TESTER: QUICKSORT_TESTS})
    deps = make_deps(model, selector=lambda cands, verdicts: len(cands) - 1)
    result = run_job(JobRequest(TASK, samples=2, max_rounds=0), deps, job_id="sel")
    assert result["candidates"]["chosen"] == 1


def test_request_top_k_narrows_reviewers(make_deps):
    model = quicksort_model()
    result = run_job(JobRequest(TASK, top_k=1), make_deps(model), job_id="k1")
    active = {e["name"] for e in result["experts"] if e["activated"]}
    assert active == {"algorithm_design", "test_writer"}
    assert result["usage"]["calls"] == 2


def test_interrupted_job_resumes_from_its_last_checkpoint(make_deps, tmp_path):
    connection = sqlite3.connect(tmp_path / "cp.sqlite", check_same_thread=False)
    runner = JobRunner(SqliteSaver(connection))
    model = CrashingReviewerModel({AUTHOR: QUICKSORT, TESTER: QUICKSORT_TESTS, REVIEWER: "LGTM"})
    deps = make_deps(model)
    with pytest.raises(RuntimeError, match="worker died"):
        runner.run(JobRequest(TASK), deps, job_id="resume-me")
    author_calls = sum(AUTHOR in r.messages[0].content for r in model.calls)
    assert author_calls == 1
    model.healthy = True
    # a fresh runner over the same database, as a restarted process would have
    resumed = JobRunner(SqliteSaver(sqlite3.connect(tmp_path / "cp.sqlite",
                                                    check_same_thread=False)))
    result = resumed.run(JobRequest(TASK), deps, job_id="resume-me")
    assert result["status"] == "verified"
    assert sum(AUTHOR in r.messages[0].content for r in model.calls) == author_calls
    # finished jobs are not re-run
    calls = len(model.calls)
    again = resumed.run(JobRequest(TASK), deps, job_id="resume-me")
    assert again["code"] == result["code"] and len(model.calls) == calls


def test_a_run_stopped_inside_a_parallel_step_resumes_and_is_not_taken_as_finished(
        make_deps, tmp_path):
    """Stopped (by its event sink) once both reviewers of the review step had saved their
    writes, before the step's checkpoint: LangGraph's snapshot then lists no ``next`` task,
    yet the job has not finished; the next run must go on from there."""

    class Stop(Exception):
        pass

    reviews = []

    def stop_after_both_reviews(event):
        if event.get("node") == "review":
            reviews.append(event)
            if len(reviews) == 2:
                raise Stop

    connection = sqlite3.connect(tmp_path / "cp.sqlite", check_same_thread=False)
    runner = JobRunner(SqliteSaver(connection))
    model = quicksort_model()
    with pytest.raises(Stop):
        runner.run(JobRequest(TASK), make_deps(model), job_id="mid-step",
                   on_event=stop_after_both_reviews)
    calls = len(model.calls)
    nodes = []
    result = runner.run(JobRequest(TASK), make_deps(model), job_id="mid-step",
                        on_event=lambda e: nodes.append(e.get("node")))
    assert result["status"] == "verified" and result["verdicts"], result
    assert nodes[:2] == ["synthesise", "verify"]
    assert len(model.calls) == calls  # nothing asked twice (synthesise and verify ask none)


def test_a_drained_run_stops_at_a_step_boundary_and_resumes(make_deps, tmp_path):
    """RunControl.request_drain() (what a stopping server does) ends the run after the step
    that is running, with JobDrained; the same job id then goes on from there."""
    from agents.errors import JobDrained
    from agents.run import RunControl

    connection = sqlite3.connect(tmp_path / "cp.sqlite", check_same_thread=False)
    runner = JobRunner(SqliteSaver(connection))
    model = quicksort_model()
    reference = []
    runner.run(JobRequest(TASK), make_deps(model), job_id="whole",
               on_event=lambda e: reference.append(e.get("node")))
    control = RunControl()
    nodes = []

    def drain_at_first_review(event):
        nodes.append(event.get("node"))
        if event.get("node") == "review":  # the other reviewer is still at work
            control.request_drain("test")

    with pytest.raises(JobDrained, match="step boundary"):
        runner.run(JobRequest(TASK), make_deps(model), job_id="drained",
                   on_event=drain_at_first_review, control=control)
    assert nodes.count("review") == reference.count("review") >= 2  # the step finished
    calls = len(model.calls)
    result = runner.run(JobRequest(TASK), make_deps(model), job_id="drained",
                        on_event=lambda e: nodes.append(e.get("node")))
    assert result["status"] == "verified"
    assert nodes == reference  # each node reported once across both runs
    assert len(model.calls) == calls  # the rest (synthesise, verify) asks the model nothing


def test_unanswered_model_calls_are_retried(make_deps):
    class Flaky(ScriptedModel):
        failures = 1

        def generate(self, requests):
            if self.failures:
                self.failures -= 1
                raise ModelCallError("no answer from the inference queue", retryable=True)
            return super().generate(requests)

    model = Flaky({AUTHOR: QUICKSORT, TESTER: QUICKSORT_TESTS, REVIEWER: "LGTM"})
    result = run_job(JobRequest(TASK), make_deps(model), job_id="retry")
    assert result["status"] == "verified"


def test_errors_the_backend_already_retried_are_not_retried_again(make_deps):
    class Failing(ScriptedModel):
        attempts = 0

        def generate(self, requests):
            self.attempts += 1
            raise ModelCallError("answered 503 after 4 attempt(s)")

    model = Failing({})
    with pytest.raises(ModelCallError, match="503 after 4"):
        run_job(JobRequest(TASK), make_deps(model), job_id="no-retry")
    assert model.attempts == 1


class _Fixed:
    """A verifier that answers one status (or raises), to pin the status decision."""

    def __init__(self, name, status):
        self.name, self.status = name, status

    def verify(self, candidate):
        if self.status == "raise":
            raise RuntimeError("plugin bug")
        return Verdict(self.name, self.status, None, f"always {self.status}")


def test_no_verifier_is_unverified_not_verified(make_deps):
    """Fail closed: with every verifier disabled nothing checked the code (issue 13)."""
    model = ScriptedModel({AUTHOR: "no code at all", TESTER: "", REVIEWER: "LGTM"})
    events = []
    result = run_job(JobRequest(TASK, max_rounds=2), make_deps(model, verifiers=[]),
                     job_id="none", on_event=events.append)
    assert result["status"] == "unverified" and result["code"] == ""
    assert result["verdicts"] == []
    assert result["reason"] == "no blocking check ran: no verifier is enabled"
    assert result["rounds"] == 1  # nothing failed, so there is nothing to repair
    assert events[-1]["data"] == {"status": "unverified"}
    verify_events = [e for e in events if e["type"] == "node" and e["node"] == "verify"]
    assert verify_events[0]["data"]["reason"] == result["reason"]


@pytest.mark.parametrize(
    ("statuses", "expected", "reason"),
    [
        (["skipped", "skipped"], "unverified", "no blocking check ran: a (skipped), b (skipped)"),
        (["warn", "skipped"], "unverified", "no blocking check ran: a (warn), b (skipped)"),
        (["pass", "skipped"], "verified", "passed: a"),
        (["pass", "warn"], "verified", "passed: a"),
        (["pass", "fail"], "failed", "blocking verdicts: b (fail: always fail)"),
        (["pass", "raise"], "failed", "blocking verdicts: b (error: verifier raised"),
        (["skipped", "error"], "failed", "blocking verdicts: b (error: always error)"),
    ],
)
def test_status_needs_a_passing_check_and_no_failure(make_deps, statuses, expected, reason):
    verifiers = [_Fixed(name, status) for name, status in zip("ab", statuses, strict=True)]
    result = run_job(JobRequest(TASK, max_rounds=0),
                     make_deps(quicksort_model(), verifiers=verifiers), job_id="st-" + "-".join(statuses))
    assert result["status"] == expected
    assert result["reason"].startswith(reason)
    if "raise" in statuses:
        assert result["verdicts"][1]["status"] == "error"  # a raising plugin is never a pass


def test_verified_result_names_the_checks_that_passed(make_deps):
    result = run_job(JobRequest(TASK), make_deps(quicksort_model()), job_id="why")
    assert result["status"] == "verified" and result["reason"] == "passed: syntax, tests"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prompt": "  "}, "non-empty"),
        ({"prompt": "x", "samples": 0}, "samples"),
        ({"prompt": "x", "language": "cobol"}, "not supported"),
        ({"prompt": "x" * 60_000}, "longer"),
        ({"prompt": "x", "temperature": 3.0}, "temperature"),
        ({"prompt": "x", "top_k": True}, "top_k"),
    ],
)
def test_invalid_requests_are_rejected(kwargs, message):
    with pytest.raises(JobError, match=message):
        JobRequest(**kwargs)


def test_request_round_trips_and_rejects_unknown_fields():
    request = JobRequest("Implement quicksort", samples=2)
    assert JobRequest.from_dict(request.to_dict()) == request
    with pytest.raises(JobError, match="unknown job field"):
        JobRequest.from_dict({"prompt": "x", "colour": "red"})
