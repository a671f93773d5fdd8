"""A job record in OpenAI's shapes: what each result status makes of the message and the
finish_reason (the end-to-end tests, with a real server, are in test_api_openai_compat.py)."""

from __future__ import annotations

import pytest

from factforge.api import openai_format as fmt

CODE = "def f():\n    return 1\n"


def _record(status: str, reason: str) -> dict:
    return {"job_id": "j1", "status": "succeeded", "created_at": 1.5, "result": {
        "job_id": "j1", "status": status, "reason": reason, "code": CODE, "language": "python",
        "explanation": "Returns one.", "experts": [{"name": "a", "weight": 1.0}],
        "verdicts": [{"plugin": "tests", "status": "pass" if status == "verified" else "fail"}],
        "usage": {"calls": 2, "prompt_tokens": 30, "completion_tokens": 12}}}


def test_verified_code_reads_as_a_model_answer():
    answer = fmt.completion(_record("verified", "passed: tests"), "factforge")
    (choice,) = answer["choices"]
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["content"] == "Returns one.\n\n```python\ndef f():\n    return 1\n```"
    assert answer["usage"] == {"prompt_tokens": 30, "completion_tokens": 12, "total_tokens": 42}
    report = answer["factforge"]
    assert report["job_id"] == "j1" and report["verified"] is True
    assert "code" not in report and "explanation" not in report
    assert report["experts"] == [{"name": "a", "weight": 1.0}]


@pytest.mark.parametrize("status, finish, lead", [
    ("failed", "verification_failed", "**Verification failed**: tests failed: 1 of 3."),
    ("unverified", "unverified", "**Not verified**: no blocking check ran on this code "
                                 "(tests failed: 1 of 3)."),
    ("something-new", "verification_failed", "**Verification failed**: "),
])
def test_unverified_code_says_so_first(status, finish, lead):
    answer = fmt.completion(_record(status, "tests failed: 1 of 3"), "factforge")
    (choice,) = answer["choices"]
    assert choice["finish_reason"] == finish
    assert choice["message"]["content"].startswith(lead)
    assert choice["message"]["content"].endswith("```python\ndef f():\n    return 1\n```")
    assert answer["factforge"]["verified"] is False


def test_event_summaries():
    route = {"type": "node", "node": "route", "data": {"experts": [
        {"name": "algorithm_design", "weight": 0.853, "activated": True},
        {"name": "security_review", "weight": 0.01, "activated": False}]}}
    assert fmt.event_summary(route) == "route: algorithm_design 0.85"
    assert fmt.event_summary({"type": "node", "node": "draft",
                              "data": {"candidates": 2, "tests": True}}) == \
        "draft: candidates=2, tests=True"
    assert fmt.event_summary({"type": "status", "status": "succeeded"}) == "job succeeded"


def test_sse_lines():
    assert fmt.sse("[DONE]") == "data: [DONE]\n\n"
    assert fmt.sse({"a": 1}) == 'data: {"a":1}\n\n'
