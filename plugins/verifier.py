"""The verifier contract and the isolated runner every verifier goes through."""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from plugins.verdict import Candidate, Finding, Verdict

__all__ = ["Verifier", "run_verifier", "run_verifiers"]

log = logging.getLogger(__name__)


@runtime_checkable
class Verifier(Protocol):
    """Checks one candidate answer and returns exactly one :class:`Verdict`.

    ``name`` is the verdict's ``plugin`` field. ``verify`` may be a coroutine function. A
    verifier must not raise for a bad candidate (that is a ``fail`` verdict); an exception it
    raises, or a call running past the time limit, becomes an ``error`` verdict and the job
    goes on.
    """

    name: str

    def verify(self, candidate: Candidate) -> Verdict: ...


def _call(verifier: Verifier, candidate: Candidate) -> Any:
    result = verifier.verify(candidate)
    if inspect.isawaitable(result):
        return asyncio.run(_await(result))
    return result


async def _await(awaitable: Any) -> Any:
    return await awaitable


def _error(name: str, message: str, kind: str) -> Verdict:
    return Verdict(name, "error", None, message, (Finding(kind, message),))


def run_verifier(
    verifier: Verifier, candidate: Candidate, timeout_s: float | None = None
) -> Verdict:
    """Run one verifier in its own thread; exceptions and overruns become ``error`` verdicts.

    A verifier still running at ``timeout_s`` is abandoned (a daemon thread cannot be
    killed); its late answer is discarded.
    """
    name = str(getattr(verifier, "name", type(verifier).__name__))
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = _call(verifier, candidate)
        except BaseException as exc:  # noqa: BLE001 - isolation is the point
            box["exc"] = exc

    started = time.perf_counter()
    thread = threading.Thread(target=target, name=f"verifier-{name}", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        log.warning("verifier %s ran past %.3g s; abandoned", name, timeout_s)
        return _error(name, f"verifier ran longer than {timeout_s:g} s", "timeout")
    if "exc" in box:
        exc = box["exc"]
        log.warning("verifier %s raised %r", name, exc)
        return _error(name, f"verifier raised {type(exc).__name__}: {exc}", "exception")
    result = box.get("result")
    if not isinstance(result, Verdict):
        return _error(name, f"verifier returned {type(result).__name__}, not a Verdict", "contract")
    log.debug("verifier %s: %s in %.3f s", name, result.status, time.perf_counter() - started)
    return result


def run_verifiers(
    candidate: Candidate, verifiers: Sequence[Verifier], timeout_s: float | None = None
) -> list[Verdict]:
    """Run every verifier on ``candidate`` in order, each isolated by :func:`run_verifier`."""
    return [run_verifier(v, candidate, timeout_s) for v in verifiers]
