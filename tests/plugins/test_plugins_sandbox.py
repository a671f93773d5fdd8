from __future__ import annotations

import os
import signal
import textwrap
import threading
from pathlib import Path

import pytest

from plugins.errors import SandboxError
from plugins.sandbox import Program, Sandbox, SandboxLimits, extract_examples

pytestmark = pytest.mark.integration

CODE = "def add(a, b):\n    return a + b\n"
PROMPT = textwrap.dedent('''
    def add(a, b):
        """Add.
        >>> add(1, 2)
        3
        >>> add([1], [2])
        [1, 2]
        >>> add(0.1, 0.2)
        0.3
        >>> print(add('a', 'b'))
        ab
        >>> add(1, 1) == 2
        """
''')


def test_examples_are_extracted_with_lines() -> None:
    examples = extract_examples(PROMPT)
    assert [e.source for e in examples][:2] == ["add(1, 2)", "add([1], [2])"]
    assert examples[0].want == "3" and examples[0].line == 4
    assert examples[-1].want == ""  # closing quotes are not expected output
    assert extract_examples("no examples here") == ()


def test_docstring_examples_pass_and_fail(sandbox: Sandbox) -> None:
    good = sandbox.run(Program(CODE, examples=extract_examples(PROMPT)))
    assert good.passed, good
    bad = sandbox.run(
        Program("def add(a, b):\n    return a - b\n", examples=extract_examples(PROMPT))
    )
    assert bad.status == "failed"
    first = bad.examples[0]
    assert first.status == "fail" and first.line == 4 and "expected 3, got -1" in first.message


def test_every_test_style_runs(sandbox: Sandbox) -> None:
    tests = textwrap.dedent("""
        import unittest
        from solution import add as imported_add
        assert add(1, 1) == 2

        def check(candidate):
            assert candidate(2, 2) == 4

        def test_plain():
            assert imported_add(3, 3) == 6

        def test_broken():
            assert add(1, 1) == 3, "one and one"

        class AddCase(unittest.TestCase):
            def test_case(self):
                self.assertEqual(add(0, 0), 0)
    """)
    result = sandbox.run(Program(CODE, tests, (), "add"))
    outcomes = {o.name: o for o in result.tests}
    assert outcomes["check(add)"].status == "pass"
    assert outcomes["test_plain"].status == "pass"
    assert outcomes["AddCase.test_case"].status == "pass"
    broken = outcomes["test_broken"]
    assert broken.status == "fail" and "one and one" in broken.message and broken.line == 13
    assert result.status == "failed"


def test_code_errors_and_output(sandbox: Sandbox) -> None:
    result = sandbox.run(Program("print('hello')\nx = 1 / 0\n"))
    assert result.status == "failed" and result.stdout == "hello\n"
    assert result.code_error.line == 2 and "ZeroDivisionError" in result.code_error.message
    exits = sandbox.run(Program("import sys\nsys.exit(3)\n"))
    assert exits.status == "failed" and "exit(3)" in exits.code_error.message


def test_containment_is_reported(sandbox: Sandbox) -> None:
    result = sandbox.run(Program("import os\nprint(os.getuid(), os.getcwd(), sorted(os.environ))"))
    assert result.passed and result.message == "ran without errors"
    report = result.containment
    assert {"network", "filesystem", "limits", "privileges"} <= set(report)
    if os.geteuid() == 0:
        uid, cwd, env = result.stdout.split(" ", 2)
        assert int(uid) >= 64000 and report["privileges"].startswith("dropped")
        assert "HOME" in env and "FACTFORGE" not in env


def test_cpu_limit_and_output_cap() -> None:
    with Sandbox(SandboxLimits(wall_s=20, cpu_s=1, output_kb=4), workers=1) as box:
        spin = box.run(Program("while True:\n    pass\n"))
        assert spin.status == "cpu_limit", spin
        loud = box.run(Program("print('x' * 100000)\n"))
        assert loud.passed and len(loud.stdout) == 4096


def test_parallel_runs_and_server_recovery(sandbox: Sandbox) -> None:
    results = []

    def work(i: int) -> None:
        results.append(sandbox.run(Program(f"x = {i}", f"assert x == {i}")).passed)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 6

    with Sandbox(workers=1) as box:
        assert box.run(Program("x = 1")).passed
        server = box._all[0]
        os.killpg(server.proc.pid, signal.SIGKILL)
        with pytest.raises(SandboxError):
            box.run(Program("x = 1"))
        assert box.run(Program("x = 1")).passed  # a fresh server replaces the dead one


def test_bad_limits_are_clear_errors() -> None:
    from plugins.errors import PluginConfigError

    with pytest.raises(PluginConfigError):
        SandboxLimits(wall_s=0)
    with pytest.raises(PluginConfigError):
        SandboxLimits(uid_base=0)


def test_without_namespaces_the_weaker_isolation_is_reported() -> None:
    from plugins.builtin._verdicts import sandbox_verdict

    code = (
        "import os, socket\nprint(os.getcwd().startswith('/tmp/factforge-sandbox-'))\n"
        "try:\n    socket.create_connection(('127.0.0.1', 9), timeout=1)\n"
        "except OSError as exc:\n    print(exc)\n"
    )
    with Sandbox(SandboxLimits(wall_s=10), workers=1, namespaces=False) as box:
        result = box.run(Program(code))
    assert result.passed, result
    assert result.stdout.splitlines() == [
        "True",
        "[Errno 101] network disabled by the FactForge sandbox",
    ]
    assert result.containment["network"].startswith("socket guard")
    assert result.containment["filesystem"].startswith("private temp dir")
    verdict = sandbox_verdict("sandbox", result, "module execution")
    assert verdict.status == "pass" and verdict.findings[-1].kind == "containment"


def test_escaped_processes_die_even_without_uid_isolation() -> None:
    """Orphans re-parent to the fork server (a subreaper), which kills what is left."""
    import time

    code = (
        "import os, sys, time\nif os.fork() == 0:\n    os.setsid()\n"
        "    print(os.getpid(), flush=True)\n    time.sleep(600)\ntime.sleep(0.5)\n"
    )
    with Sandbox(SandboxLimits(wall_s=10), workers=1, namespaces=False) as box:
        result = box.run(Program(code))
        assert result.passed and result.stdout.strip().isdigit(), result
        escapee = Path(f"/proc/{result.stdout.strip()}")
        deadline = time.monotonic() + 5
        while escapee.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not escapee.exists()


def test_a_killed_server_takes_its_running_child_along() -> None:
    import time

    with Sandbox(SandboxLimits(wall_s=30), workers=1) as box:
        box.warm()
        server = box._all[0]
        runner = threading.Thread(
            target=lambda: pytest.raises(
                SandboxError,
                box.run,
                Program(
                    "import os, time\nopen('/tmp/work/pid', 'w')\nprint(os.getpid(), flush=True)\n"
                    "time.sleep(600)\n"
                ),
            )
        )
        runner.start()
        time.sleep(1.0)
        kids = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text()
        [child] = kids.split()
        os.kill(server.proc.pid, signal.SIGKILL)
        runner.join()
        deadline = time.monotonic() + 5
        while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{child}").exists()


def test_sandbox_verifier_skips_empty_code():
    from plugins.builtin.sandbox import SandboxVerifier
    from plugins.verdict import Candidate

    verdict = SandboxVerifier(sandbox=None).verify(Candidate(code="  \n"))
    assert verdict.status == "skipped" and "no code" in verdict.message


def test_each_run_starts_on_an_empty_private_tmp() -> None:
    """The server's /tmp is reused, so whatever a run leaves there must be gone next time."""
    look = (
        "import os\nw = os.stat('/tmp/work')\n"
        "print(sorted(os.listdir('/tmp')), os.listdir('/tmp/work'), oct(w.st_mode & 0o777),"
        " w.st_uid == os.getuid())\n"
    )
    # besides work/, /tmp holds the host paths the jail exposes when the interpreter lives
    # under /tmp (a checkout there): the first run's view is the clean one
    clean_tail = "] [] 0o700 True"
    litter = [  # files, nested dirs, a loosened work dir, and the work dir swapped for a link
        "open('/tmp/a', 'w').write('x')\nopen('/tmp/work/b', 'w').write('y')\n",
        "import os\nos.makedirs('/tmp/work/d/e/f')\nos.mkfifo('/tmp/p')\n",
        "import os\nos.chmod('/tmp/work', 0o777)\n",
        "import os\nos.rmdir('/tmp/work')\nos.symlink('/etc', '/tmp/work')\n",
    ]
    with Sandbox(SandboxLimits(wall_s=10), workers=1) as box:
        first = box.run(Program(look))
        if not first.containment["filesystem"].startswith("private tmpfs"):
            pytest.skip("no mount namespace here: each run gets a fresh temp dir instead")
        clean = first.stdout.strip()
        assert clean.endswith(clean_tail) and "'work'" in clean, first
        for code in litter:
            assert box.run(Program(code)).passed
            after = box.run(Program(look))
            assert after.stdout.strip() == clean, (code, after)
        assert not Path("/etc/b").exists()


def test_the_private_tmp_has_the_size_each_run_asks_for() -> None:
    fill = "open('/tmp/work/big', 'wb').write(b'x' * (3 << 20))\n"
    with Sandbox(SandboxLimits(wall_s=10), workers=1) as box:
        small = box.run(Program(fill), SandboxLimits(wall_s=10, tmpfs_mb=2))
        if not small.containment["filesystem"].startswith("private tmpfs"):
            pytest.skip("no mount namespace here: the temp dir is on the host's file system")
        assert small.status == "failed" and "No space left" in small.code_error.message
        assert box.run(Program(fill)).passed  # the default 64 MiB again
