import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "factforge", "worker", *args], cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", **(env or {})}, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        ((), {}, "needs FACTFORGE_REDIS_URL"),
        (("--queues", "gpu"), {"FACTFORGE_REDIS_URL": "redis://127.0.0.1:1/0"}, "unknown queue"),
        (("--queues", "inference", "--pool", "prefork"),
         {"FACTFORGE_REDIS_URL": "redis://127.0.0.1:1/0"}, "must not use the prefork pool"),
        (("--queues", "jobs"),
         {"FACTFORGE_REDIS_URL": "redis://127.0.0.1:1/0", "FACTFORGE_PLUGINS_ORDER": "sintax"},
         "FACTFORGE_PLUGINS_ORDER names no verifier: 'sintax'"),
    ],
)
def test_worker_refuses_bad_setups_with_exit_2(args, env, message):
    proc = _run(*args, env=env)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
