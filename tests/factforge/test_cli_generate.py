"""``factforge generate`` end to end, as a user runs it (a subprocess, the real CLI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "FACTFORGE_DATA_DIR": str(tmp_path / "data"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "factforge", *args],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600,
    )


@pytest.mark.integration
@pytest.mark.slow
def test_generate_json_with_real_transformers_backend_on_tiny_model(tiny_model_dir, tmp_path):
    proc = _run(
        ["generate", "Implement quicksort in Python", "--json", "--max-new-tokens", "24",
         "--max-rounds", "1", "--samples", "2"],
        tmp_path,
        FACTFORGE_MODEL=str(tiny_model_dir),
        FACTFORGE_BACKEND="transformers",
    )
    assert proc.returncode in (0, 1), proc.stderr
    result = json.loads(proc.stdout)  # --json prints only the result
    # a random model writes no valid quicksort: verification must say so
    assert proc.returncode == 1 and result["status"] == "failed"
    assert result["language"] == "python"
    assert result["experts"][0]["name"] == "algorithm_design"
    assert any(e["activated"] and e["role"] == "author" for e in result["experts"])
    assert result["candidates"]["n"] == 2
    assert result["rounds"] == 2
    assert result["usage"]["calls"] >= 4
    assert result["usage"]["completion_tokens"] > 0
    assert result["verdicts"] and all(
        set(v) == {"plugin", "status", "score", "message", "findings"} for v in result["verdicts"]
    )
    assert "Traceback" not in proc.stderr


@pytest.mark.integration
def test_unknown_model_offline_gives_one_clear_message_and_exit_2(tmp_path):
    proc = _run(["generate", "Implement quicksort in Python", "--json"], tmp_path,
                FACTFORGE_MODEL="nobody/no-such-model-anywhere")
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert "FACTFORGE_MODEL" in proc.stderr and "openai" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.integration
@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["generate", "   "], {}, "prompt must be a non-empty string"),
        (["generate", "x", "--samples", "0"], {}, "samples"),
        (["generate", "x"], {"FACTFORGE_TOP_K": "many"}, "top_k"),
        (["generate", "x", "--backend", "magic"], {}, "backend"),
    ],
)
def test_bad_input_is_a_usage_error(tmp_path, args, env, message):
    proc = _run(args, tmp_path, **env)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.integration
def test_allow_matching_nothing_is_exit_2_naming_what_exists(tmp_path):
    """Issue 13: ALLOW=no_eval disabled every plugin and an empty answer was 'verified'."""
    proc = _run(["generate", "Implement quicksort in Python", "--json"], tmp_path,
                FACTFORGE_PLUGINS_ALLOW="no_eval", FACTFORGE_MODEL="nobody/unused")
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert "FACTFORGE_PLUGINS_ALLOW names no plugin, verifier, expert or judge: 'no_eval'" \
        in proc.stderr
    assert "verifiers: api_check, factcheck, sandbox, syntax, tests" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.integration
@pytest.mark.slow
def test_no_verifier_enabled_is_unverified_exit_3(tiny_model_dir, tmp_path):
    proc = _run(
        ["generate", "Implement quicksort in Python", "--json", "--max-new-tokens", "8",
         "--max-rounds", "2"],
        tmp_path,
        FACTFORGE_MODEL=str(tiny_model_dir),
        FACTFORGE_BACKEND="transformers",
        FACTFORGE_PLUGINS_DENY="syntax,sandbox,tests,api_check,factcheck",
    )
    assert proc.returncode == 3, proc.stderr
    result = json.loads(proc.stdout)
    assert result["status"] == "unverified" and result["verdicts"] == []
    assert result["reason"] == "no blocking check ran: no verifier is enabled"
    assert result["rounds"] == 1


@pytest.mark.integration
@pytest.mark.slow
def test_an_interrupted_job_resumes_with_the_same_job_id(tmp_path):
    """A job whose model failed mid-way (reviewer calls refused) leaves its checkpoint; the
    same --job-id resumes it: the author and test writer are not asked again."""
    from tests.fixtures.scripted_model import AUTHOR, REVIEWER, TESTER
    from tests.fixtures.scripted_openai import ScriptedOpenAIServer

    args = ["generate", "Implement quicksort in Python", "--json", "--max-rounds", "0",
            "--job-id", "resume-me"]
    with ScriptedOpenAIServer() as model:
        env = {"FACTFORGE_BACKEND": "openai", "FACTFORGE_OPENAI_BASE_URL": model.url}
        model.refuse = REVIEWER
        failed = _run(args, tmp_path, **env)
        assert failed.returncode == 2 and "refused (test)" in failed.stderr, failed.stderr
        assert any(AUTHOR in s for s in model.systems)  # it got past the draft
        model.refuse = None
        before = len(model.systems)
        resumed = _run(args, tmp_path, **env)
        assert resumed.returncode == 0, resumed.stderr
        assert json.loads(resumed.stdout)["status"] == "verified"
        asked = model.systems[before:]
        assert asked and all(REVIEWER in s for s in asked), asked
        assert not any(AUTHOR in s or TESTER in s for s in asked)
