from __future__ import annotations

import ast

import pytest

from plugins.builtin._api_refs import api_refs
from plugins.builtin.api_check import ApiCheckVerifier
from plugins.sandbox import Sandbox
from plugins.verdict import Candidate

HALLUCINATED = """\
import json
import numpy as np
import totally_made_up_pkg
from os import path, pathx
from collections import OrderedDict


def f(x):
    data = json.loadz(x)
    return np.linalg.norm(data) + np.linalg.normalize_all(data)
"""


def test_references_are_found_without_running_code() -> None:
    refs = api_refs(ast.parse(HALLUCINATED + "np = None\n"))
    dotted = {r.dotted for r in refs}
    assert {
        "json",
        "numpy",
        "totally_made_up_pkg",
        "os.path",
        "os.pathx",
        "collections.OrderedDict",
        "json.loadz",
    } <= dotted
    assert not any(d.startswith("numpy.linalg") for d in dotted)  # np was rebound


@pytest.mark.integration
def test_hallucinated_package_and_functions_fail_with_lines(sandbox: Sandbox) -> None:
    verdict = ApiCheckVerifier(sandbox).verify(Candidate(code=HALLUCINATED))
    assert verdict.status == "fail"
    missing = {
        f.message.split(" (")[0]: f.location for f in verdict.findings if f.kind == "api_missing"
    }
    assert missing == {
        "module 'totally_made_up_pkg' does not exist": "line 3, column 1",
        "name 'os.pathx' does not exist": "line 4, column 1",
        "name 'json.loadz' does not exist": "line 9, column 12",
        "name 'numpy.linalg.normalize_all' does not exist": "line 10, column 35",
    }
    assert 0 < verdict.score < 1


@pytest.mark.integration
def test_real_apis_pass_and_guarded_imports_warn(sandbox: Sandbox) -> None:
    code = (
        "import os.path\nimport collections.abc as cabc\n\n"
        "try:\n    import ujson_not_here\nexcept ImportError:\n    ujson_not_here = None\n\n"
        "print(os.path.join('a', 'b'), cabc.Mapping, os.sep)\n"
    )
    verdict = ApiCheckVerifier(sandbox).verify(Candidate(code=code))
    assert verdict.status == "warn", verdict
    assert [f.kind for f in verdict.findings] == ["api_optional_missing"]
    plain = ApiCheckVerifier(sandbox).verify(Candidate(code="import math\nmath.sqrt(2)\n"))
    assert plain.status == "pass"


@pytest.mark.integration
def test_api_index_knows_documented_but_uninstalled_apis(sandbox: Sandbox) -> None:
    asked: list[str] = []

    def index(name: str) -> bool | None:
        asked.append(name)
        return name.startswith("fancylib")

    code = "import fancylib\nimport nothinglib\n"
    verdict = ApiCheckVerifier(sandbox, api_index=index).verify(Candidate(code=code))
    kinds = {f.location: f.kind for f in verdict.findings}
    assert kinds == {"line 1, column 1": "api_not_installed", "line 2, column 1": "api_missing"}
    assert verdict.status == "fail" and set(asked) == {"fancylib", "nothinglib"}


def test_without_sandbox_top_level_modules_are_checked() -> None:
    verdict = ApiCheckVerifier(None).verify(Candidate(code="import os\nimport nopkg_zz\n"))
    assert verdict.status == "fail" and len(verdict.findings) == 1
    assert ApiCheckVerifier(None).verify(Candidate(code="x = (")).status == "skipped"
    assert ApiCheckVerifier(None).verify(Candidate(code="x = 1")).status == "pass"


def test_empty_code_is_skipped():
    from plugins.builtin.api_check import ApiCheckVerifier
    from plugins.verdict import Candidate

    verdict = ApiCheckVerifier(sandbox=None).verify(Candidate(code=""))
    assert verdict.status == "skipped"
