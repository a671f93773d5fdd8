from __future__ import annotations

import threading
import time

from plugins.verdict import Candidate, Verdict
from plugins.verifier import run_verifier, run_verifiers

CANDIDATE = Candidate(code="pass")


class _Slow:
    name = "slow"

    def __init__(self) -> None:
        self.release = threading.Event()

    def verify(self, candidate: Candidate) -> Verdict:
        self.release.wait(5)
        return Verdict(self.name, "pass")


class _Raises:
    name = "raises"

    def verify(self, candidate: Candidate) -> Verdict:
        raise KeyError("nope")


class _Async:
    name = "async"

    async def verify(self, candidate: Candidate) -> Verdict:
        return Verdict(self.name, "pass", 1.0, candidate.code)


class _WrongType:
    name = "wrong"

    def verify(self, candidate: Candidate) -> dict:
        return {"status": "pass"}


class _Ok:
    name = "ok"

    def verify(self, candidate: Candidate) -> Verdict:
        return Verdict(self.name, "pass")


def test_time_limit_becomes_error_and_job_goes_on() -> None:
    slow = _Slow()
    started = time.perf_counter()
    verdicts = run_verifiers(CANDIDATE, [slow, _Ok()], timeout_s=0.2)
    slow.release.set()
    assert time.perf_counter() - started < 2
    assert [v.status for v in verdicts] == ["error", "pass"]
    assert verdicts[0].findings[0].kind == "timeout"


def test_exception_becomes_error_verdict() -> None:
    verdict = run_verifier(_Raises(), CANDIDATE)
    assert verdict.status == "error" and "KeyError" in verdict.message
    assert verdict.findings[0].kind == "exception"


def test_async_verifier_is_awaited() -> None:
    assert run_verifier(_Async(), CANDIDATE) == Verdict("async", "pass", 1.0, "pass")


def test_contract_violation_is_an_error() -> None:
    verdict = run_verifier(_WrongType(), CANDIDATE)  # type: ignore[arg-type]
    assert verdict.status == "error" and verdict.findings[0].kind == "contract"
