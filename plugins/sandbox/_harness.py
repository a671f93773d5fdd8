"""Child-side harness (stdlib only): run candidate code, docstring examples and tests.

Tests may be module-level asserts, a HumanEval-style ``check(candidate)`` function (called
with the entry point), zero-argument ``test_*`` functions, or ``unittest.TestCase`` classes.
The candidate is importable as ``solution`` / ``candidate`` from the tests.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import inspect
import io
import math
import sys
import traceback
import types
import unittest
from typing import Any

_MAX_MESSAGE = 2000


def _where(exc: BaseException, filename: str) -> int | None:
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == filename:
            line = lineno
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        line = exc.lineno
    return line


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text[:_MAX_MESSAGE]


def _outcome(
    name: str, exc: BaseException | None, filename: str, line: int | None = None, **extra: Any
) -> dict[str, Any]:
    if exc is None:
        return {"name": name, "status": "pass", "message": "", "line": line, **extra}
    status = "fail" if isinstance(exc, AssertionError) else "error"
    return {
        "name": name,
        "status": status,
        "message": _describe(exc),
        "line": _where(exc, filename) or line,
        **extra,
    }


def _same(value: Any, printed: str, want: str) -> bool:
    want = want.strip()
    if printed.strip():
        shown = printed.strip() if value is None else f"{printed.strip()}\n{value!r}"
        return " ".join(shown.split()) == " ".join(want.split())
    if value is None:
        return want in ("", "None")
    if not want:  # ``>>> f(x) == y`` with no output line: the expression is the claim
        return value is not False
    if repr(value) == want or str(value) == want:
        return True
    try:
        expected = ast.literal_eval(want)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    if isinstance(value, float) or isinstance(expected, float):
        try:
            return math.isclose(value, expected, rel_tol=1e-6, abs_tol=1e-9)
        except TypeError:
            return False
    return bool(value == expected)


def _run_example(example: dict[str, Any], ns: dict[str, Any]) -> dict[str, Any]:
    source, want, line = example["source"], example["want"], example["line"]
    printed = io.StringIO()
    value = None
    try:
        with contextlib.redirect_stdout(printed):
            try:
                code = compile(source, "<example>", "eval")
            except SyntaxError:
                exec(compile(source, "<example>", "exec"), ns)
            else:
                value = eval(code, ns)
    except BaseException as exc:
        if not isinstance(exc, Exception):
            raise
        if want.strip().startswith("Traceback") and type(exc).__name__ in want:
            return _outcome(source.strip(), None, "<example>", line)
        return _outcome(source.strip(), exc, "<example>", line, expected=want.strip())
    if _same(value, printed.getvalue(), want):
        return _outcome(source.strip(), None, "<example>", line)
    got = printed.getvalue().strip() or repr(value)
    failure = AssertionError(f"expected {want.strip()[:300]}, got {got[:300]}")
    return _outcome(source.strip(), failure, "<example>", line, expected=want.strip())


def _run_tests(tests: str, ns: dict[str, Any], entry_point: str | None) -> list[dict]:
    outcomes: list[dict[str, Any]] = []
    tns = dict(ns, __name__="__main__")
    try:
        exec(compile(tests, "<tests>", "exec"), tns)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            outcomes.append(_outcome("tests", RuntimeError(f"tests exited {exc.code}"), ""))
            return outcomes
    except Exception as exc:  # noqa: BLE001
        return [_outcome("tests (module level)", exc, "<tests>")]
    outcomes.append(_outcome("tests (module level)", None, "<tests>"))
    check = tns.get("check")
    if entry_point and callable(check) and entry_point in tns:
        try:
            check(tns[entry_point])
            outcomes.append(_outcome(f"check({entry_point})", None, "<tests>"))
        except Exception as exc:  # noqa: BLE001
            outcomes.append(_outcome(f"check({entry_point})", exc, "<tests>"))
    for name, obj in list(tns.items()):
        if (
            name.startswith("test")
            and isinstance(obj, types.FunctionType)
            and obj.__code__.co_filename == "<tests>"
        ):
            if inspect.signature(obj).parameters:
                outcomes.append(
                    {
                        "name": name,
                        "status": "skipped",
                        "message": "takes arguments (fixtures unsupported)",
                        "line": obj.__code__.co_firstlineno,
                    }
                )
                continue
            try:
                obj()
                outcomes.append(_outcome(name, None, "<tests>", obj.__code__.co_firstlineno))
            except Exception as exc:  # noqa: BLE001
                outcomes.append(_outcome(name, exc, "<tests>", obj.__code__.co_firstlineno))
        elif (
            isinstance(obj, type)
            and issubclass(obj, unittest.TestCase)
            and obj.__module__ == "__main__"
        ):
            outcomes.extend(_run_case(obj))
    return outcomes


def _run_case(case: type[unittest.TestCase]) -> list[dict[str, Any]]:
    result = unittest.TestResult()
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(case)
    tests = list(suite)  # running a suite replaces its tests with None
    suite.run(result)
    bad = {
        t.id(): (k, m)
        for k, pairs in (("fail", result.failures), ("error", result.errors))
        for t, m in pairs
    }
    outcomes = []
    for test in tests:
        kind, message = bad.get(test.id(), ("pass", ""))
        outcomes.append(
            {
                "name": test.id().removeprefix("__main__."),
                "status": kind,
                "message": message.strip().splitlines()[-1][:_MAX_MESSAGE] if message else "",
                "line": None,
            }
        )
    return outcomes


def run(request: dict[str, Any]) -> dict[str, Any]:
    """Execute the program; never raises for candidate errors (they are in the result)."""
    module = types.ModuleType("solution")
    module.__dict__["__builtins__"] = builtins
    sys.modules["solution"] = sys.modules["candidate"] = module
    ns = module.__dict__
    result: dict[str, Any] = {"code": None, "examples": [], "tests": []}
    try:
        exec(compile(request["code"], "<candidate>", "exec"), ns)
    except SystemExit as exc:
        result["code"] = {
            "status": "error",
            "line": None,
            "message": f"the code called exit({exc.code!r}) at import",
        }
        return result
    except Exception as exc:  # noqa: BLE001
        result["code"] = _outcome("code", exc, "<candidate>")
        return result
    result["code"] = _outcome("code", None, "<candidate>")
    for example in request.get("examples", ()):
        result["examples"].append(_run_example(example, ns))
    if request.get("tests", "").strip():
        result["tests"] = _run_tests(request["tests"], ns, request.get("entry_point"))
    return result
