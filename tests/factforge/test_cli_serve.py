"""`factforge serve` refuses bad set-ups (what embedded mode cannot do, unknown plugin names)
with exit 2 and the reason (the restart behaviour with real processes is in
test_serve_restart.py)."""

import subprocess
import sys
from pathlib import Path

from factforge.jobs.sqlite_store import SqliteJobStore

ROOT = Path(__file__).resolve().parents[2]


def _serve(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "factforge", "serve", *args], cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", **env},
                          capture_output=True, text=True, timeout=120)


def test_embedded_mode_refuses_several_worker_processes(tmp_path):
    proc = _serve("--workers", "2", env={"FACTFORGE_DATA_DIR": str(tmp_path)})
    assert proc.returncode == 2
    assert "--workers > 1 needs FACTFORGE_REDIS_URL" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_second_server_on_the_same_data_dir_is_refused(tmp_path):
    held = SqliteJobStore(tmp_path / "jobs.sqlite")  # what a running `serve` holds
    try:
        proc = _serve("--port", "1", env={"FACTFORGE_DATA_DIR": str(tmp_path)})
    finally:
        held.close()
    assert proc.returncode == 2
    assert "another FactForge process is serving jobs from" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_serve_refuses_an_allow_list_that_matches_nothing(tmp_path: Path) -> None:
    proc = _serve("--port", "1", env={"FACTFORGE_DATA_DIR": str(tmp_path),
                                      "FACTFORGE_PLUGINS_ALLOW": "syntax,no_eval"})
    assert proc.returncode == 2, proc.stderr
    assert "FACTFORGE_PLUGINS_ALLOW names no plugin, verifier, expert or judge: 'no_eval'" \
        in proc.stderr
    assert "names that exist" in proc.stderr and "Traceback" not in proc.stderr
