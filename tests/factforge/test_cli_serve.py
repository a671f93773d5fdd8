"""``factforge serve`` refuses bad set-ups before it binds (a subprocess, the real CLI)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_serve_refuses_an_allow_list_that_matches_nothing(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "factforge", "serve", "--port", "1"], cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "FACTFORGE_DATA_DIR": str(tmp_path),
             "FACTFORGE_PLUGINS_ALLOW": "syntax,no_eval"},
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "FACTFORGE_PLUGINS_ALLOW names no plugin, verifier, expert or judge: 'no_eval'" \
        in proc.stderr
    assert "names that exist" in proc.stderr and "Traceback" not in proc.stderr
