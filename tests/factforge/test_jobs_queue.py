"""factforge.jobs: the embedded queue's contract and the worker composition root."""

from __future__ import annotations

import pytest

from agents import JobDeps, JobRequest, RouterConfig
from agents.experts import load_experts
from agents.router import EmbeddingRouter
from factforge.errors import ConfigError
from factforge.jobs import EmbeddedJobQueue, JobQueue, build_job_queue, worker_config
from factforge.jobs.worker_runtime import SettingsRuntime
from factforge.settings import Settings
from plugins.builtin.syntax import SyntaxVerifier
from tests.fixtures.scripted_model import ScriptedModel, quicksort_model
from workers.errors import JobNotFound


@pytest.fixture(scope="module")
def deps(embedder):
    experts = load_experts()
    router = EmbeddingRouter(experts, embedder.embed, RouterConfig(always_on=("test_writer",)))
    return JobDeps(backend=quicksort_model(), router=router, experts=experts,
                   verifiers=[SyntaxVerifier()])


def test_embedded_queue_runs_jobs_and_streams_events(deps):
    queue = EmbeddedJobQueue(lambda: deps)
    assert isinstance(queue, JobQueue) and queue.mode == "embedded"
    record = queue.submit(JobRequest("Implement quicksort", max_rounds=0), "key")
    assert queue.submit(JobRequest("other"), "key").job_id == record.job_id
    events = [e for _, e in queue.events(record.job_id, timeout_s=60)]
    assert events[0]["node"] == "route" and events[-1]["status"] == "succeeded"
    final = queue.get(record.job_id)
    assert final.result["status"] == "verified" and final.result_writes == 1
    # resuming the stream after an event id gives only what followed
    ids = [i for i, _ in queue.events(record.job_id)]
    assert [i for i, _ in queue.events(record.job_id, ids[1])] == ids[2:]
    with pytest.raises(JobNotFound):
        queue.get("nope")
    queue.close()


def test_worker_runtime_uses_the_test_hook_and_refuses_a_remote_inference_worker():
    settings = Settings(redis_url="redis://localhost:6379/0", backend="remote")
    runtime = SettingsRuntime(settings)
    with pytest.raises(ConfigError, match="inference worker needs a local model"):
        runtime.backend()
    hooked = SettingsRuntime(Settings(test_model_factory="tests.fixtures.scripted_model:"
                                                        "quicksort_model"))
    model = hooked.backend()
    assert isinstance(model, ScriptedModel) and hooked.backend() is model


def test_build_job_queue_picks_the_mode(tmp_path, deps):
    embedded = build_job_queue(Settings(data_dir=tmp_path), lambda: deps)
    assert embedded.mode == "embedded"
    embedded.close()
    distributed = build_job_queue(Settings(redis_url="redis://127.0.0.1:1/0"), lambda: deps)
    assert distributed.mode == "distributed"
    assert worker_config(Settings(redis_url="redis://h:2/3")).redis_url == "redis://h:2/3"
    distributed.close()


def test_embedded_queue_close_closes_the_checkpoint_database(tmp_path, deps):
    import sqlite3

    queue = build_job_queue(Settings(data_dir=tmp_path), lambda: deps)
    record = queue.submit(JobRequest("Implement quicksort", max_rounds=0))
    events = [e for _, e in queue.events(record.job_id, timeout_s=60)]
    assert events[-1]["status"] == "succeeded"
    connection = queue._runner.checkpointer.conn
    assert connection.execute("SELECT count(*) FROM checkpoints").fetchone()[0] > 0
    queue.close()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        connection.execute("SELECT 1")
    queue.close()  # a second close is harmless
    # the checkpoints were committed: a new connection reads them
    with sqlite3.connect(tmp_path / "checkpoints.sqlite") as again:
        assert again.execute("SELECT count(*) FROM checkpoints").fetchone()[0] > 0
