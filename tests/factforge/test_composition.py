"""One composition root: embedded jobs, the API and every worker build their dependencies
with the same functions from the same Settings, so a job gets the same verifiers (the
fact-check verifier included), experts and knowledge base wherever it runs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from agents import JobRequest
from factforge.jobs.worker_runtime import SettingsRuntime
from factforge.services import Services
from factforge.settings import Settings
from factforge.wiring import build_knowledge_base, worker_config
from knowledge import Document
from tests.fixtures.services import ChromaServer, CeleryWorker, RedisServer

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("factforge", "workers", "agents", "plugins", "knowledge")
MODEL = "tests.fixtures.services:quicksort"
TASK = "Implement quicksort in Python"
FACTS = (
    "Quicksort is a divide-and-conquer sorting algorithm. It partitions the list around a "
    "pivot element and sorts the parts recursively. Quicksort returns the items in ascending "
    "order."
)


def _reads_factforge_env(tree: ast.AST) -> list[int]:
    """Lines that read a FACTFORGE_* variable through os.environ / os.getenv."""
    constants = {
        t.id: n.value.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
        and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
        for t in n.targets if isinstance(t, ast.Name)
    }

    def is_factforge(node: ast.AST | None) -> bool:
        value = node.value if isinstance(node, ast.Constant) else (
            constants.get(node.id) if isinstance(node, ast.Name) else None)
        return isinstance(value, str) and value.startswith("FACTFORGE_")

    def is_environ(node: ast.AST) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr == "environ") or \
            (isinstance(node, ast.Name) and node.id == "environ")

    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) \
                and is_environ(node.value) and is_factforge(node.slice):
            lines.append(node.lineno)
        elif isinstance(node, ast.Call) and node.args and is_factforge(node.args[0]):
            func = node.func
            if (isinstance(func, ast.Attribute) and func.attr == "get" and is_environ(func.value)) \
                    or (isinstance(func, ast.Attribute) and func.attr == "getenv") \
                    or (isinstance(func, ast.Name) and func.id == "getenv"):
                lines.append(node.lineno)
    return lines


def test_only_the_settings_class_reads_factforge_variables():
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "factforge" / "settings.py":
                continue
            lines = _reads_factforge_env(ast.parse(path.read_text(), str(path)))
            offenders += [f"{path.relative_to(ROOT)}:{line}" for line in lines]
    assert not offenders, f"FACTFORGE_* read outside factforge/settings.py: {offenders}"
    # the checker itself sees such a read
    sample = 'import os\nNAME = "FACTFORGE_X"\nos.environ.get(NAME)\nos.getenv("FACTFORGE_Y")\n'
    assert _reads_factforge_env(ast.parse(sample)) == [3, 4]


def test_worker_config_comes_from_settings(monkeypatch):
    monkeypatch.setenv("FACTFORGE_BATCH_MAX_SIZE", "16")
    monkeypatch.setenv("FACTFORGE_JOB_LEASE_S", "7")
    config = worker_config(Settings(redis_url="redis://h:2/3"))
    assert (config.redis_url, config.batch_max_size, config.job_lease_s) == \
        ("redis://h:2/3", 16, 7)


def test_a_worker_runtime_has_the_verifiers_embedded_mode_has(tmp_path):
    settings = Settings(data_dir=tmp_path, test_model_factory=MODEL)
    embedded, runtime = Services(settings), SettingsRuntime(settings)
    try:
        names = [v.name for v in embedded.job_deps().verifiers]
        assert "factcheck" in names
        assert [v.name for v in runtime.job_deps().verifiers] == names
        assert sorted(runtime.job_deps().experts) == sorted(embedded.job_deps().experts)
    finally:
        embedded.close()
        runtime.close()


# -- one job in each mode against the same knowledge base (real Redis, worker, Chroma) -------
@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    if not ChromaServer.binary.exists():
        pytest.skip("chroma CLI not found next to the interpreter")
    server = ChromaServer(tmp_path_factory.mktemp("chroma")).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis-compose")).start()
    yield server
    server.stop()


def _verdicts(services: Services) -> list[dict]:
    queue = services.job_queue()
    record = queue.submit(JobRequest(TASK, max_rounds=0))
    final = queue.wait(record.job_id, 240)
    assert final.status == "succeeded", final
    return final.result["verdicts"]


@pytest.mark.integration
@pytest.mark.slow
def test_one_job_in_each_mode_gets_the_same_verdicts_and_a_real_factcheck(
        chroma, redis_server, tmp_path):
    kb = build_knowledge_base(Settings(chroma_url=chroma))
    report = kb.ingest([Document(FACTS, source="algorithms.txt")], collection="knowledge")
    assert report.chunks >= 1

    embedded = Services(Settings(data_dir=tmp_path / "embedded", chroma_url=chroma,
                                 test_model_factory=MODEL))
    try:
        assert embedded.job_queue().mode == "embedded"
        embedded_verdicts = _verdicts(embedded)
    finally:
        embedded.close()

    worker = CeleryWorker(redis_server.url, tmp_path / "jobs.log", name="compose", env={
        "FACTFORGE_CHROMA_URL": chroma, "FACTFORGE_DATA_DIR": str(tmp_path / "worker")})
    worker.start()
    distributed = Services(Settings(redis_url=redis_server.url, chroma_url=chroma,
                                    data_dir=tmp_path / "api"))
    try:
        assert distributed.job_queue().mode == "distributed"
        distributed_verdicts = _verdicts(distributed)
    finally:
        distributed.close()
        worker.stop()

    names = [v["plugin"] for v in embedded_verdicts]
    assert "factcheck" in names
    assert [v["plugin"] for v in distributed_verdicts] == names
    checks = [next(v for v in verdicts if v["plugin"] == "factcheck")
              for verdicts in (embedded_verdicts, distributed_verdicts)]
    for check in checks:
        assert check["status"] != "skipped", check
    # the same knowledge base and judge: the same claims and findings in both modes
    assert checks[0]["message"] == checks[1]["message"]
    assert [(v["plugin"], v["status"]) for v in distributed_verdicts] == \
        [(v["plugin"], v["status"]) for v in embedded_verdicts]
