"""Celery configuration and worker config: reliability settings, routing, env validation."""

from __future__ import annotations

import pytest

from agents.errors import ModelCallError
from workers.celery_app import GENERATE, PING, RUN_JOB, celery_settings, create_app
from workers.config import WorkerConfig
from workers.errors import WorkerConfigError
from workers.job_store import RedisJobStore
from workers.runtime import resolve


def test_reliability_settings_and_routing():
    config = WorkerConfig(redis_url="redis://example:6379/1", broker_visibility_timeout_s=120)
    settings = celery_settings(config)
    assert settings["broker_url"] == settings["result_backend"] == "redis://example:6379/1"
    assert settings["task_acks_late"] and settings["task_reject_on_worker_lost"]
    assert settings["worker_prefetch_multiplier"] == 1
    assert settings["broker_transport_options"]["visibility_timeout"] == 120
    assert {q.name for q in settings["task_queues"]} == {"jobs", "inference"}
    assert settings["task_routes"][RUN_JOB]["queue"] == "jobs"
    assert settings["task_routes"][GENERATE]["queue"] == "inference"
    assert settings["accept_content"] == ["json"]


def test_tasks_are_registered_by_name_with_limits_and_retries():
    app = create_app(WorkerConfig(job_time_limit_s=60))
    run_job = app.tasks[RUN_JOB]
    assert run_job.soft_time_limit == 60 and run_job.time_limit == 120
    assert run_job.autoretry_for and run_job.retry_backoff
    assert GENERATE in app.tasks and PING in app.tasks
    app.close()


def test_config_validation():
    assert WorkerConfig().redis_url == "redis://localhost:6379/0"
    with pytest.raises(WorkerConfigError, match="redis://"):
        WorkerConfig(redis_url="http://nope")
    with pytest.raises(WorkerConfigError, match="must be positive"):
        WorkerConfig(job_time_limit_s=0)
    assert WorkerConfig(batch_max_wait_ms=0).batch_max_wait_ms == 0  # Settings allows 0 too
    with pytest.raises(WorkerConfigError, match="BATCH_MAX_WAIT_MS must be >= 0"):
        WorkerConfig(batch_max_wait_ms=-1)


def test_runtime_factory_resolution_errors_are_clear():
    assert resolve("workers.config:WorkerConfig") is WorkerConfig
    with pytest.raises(WorkerConfigError, match="module:callable"):
        resolve("no-colon")
    with pytest.raises(WorkerConfigError, match="cannot import"):
        resolve("workers.config:Missing")


@pytest.mark.integration
def test_exhausted_retries_end_the_job_as_failed(redis_url):
    app = create_app(WorkerConfig(redis_url=redis_url))
    store = RedisJobStore.from_url(redis_url)
    record, _ = store.create({"prompt": "x"})
    with store.claim(record.job_id, {"prompt": "x"}, 30):  # a worker ran it
        pass
    app.tasks[RUN_JOB].on_failure(ModelCallError("server down"), record.job_id, (),
                                  {"job_id": record.job_id, "request": {"prompt": "x"}}, None)
    failed = store.get(record.job_id)
    assert failed.status == "failed" and failed.error["code"] == "model_call_failed"
    assert "server down" in failed.error["message"]
    app.close()
