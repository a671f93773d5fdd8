"""Fixtures of the workers tests: a real redis-server for the session, flushed per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from agents import JobDeps, RouterConfig
from agents.experts import load_experts
from agents.router import EmbeddingRouter
from plugins.builtin.syntax import SyntaxVerifier
from plugins.builtin.tests import TestsVerifier
from plugins.sandbox import Sandbox
from tests.fixtures.services import RedisServer


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    return redis_server.url


@pytest.fixture(scope="session")
def job_experts():
    return load_experts()


@pytest.fixture(scope="session")
def job_router(job_experts, embedder):
    return EmbeddingRouter(job_experts, embedder.embed, RouterConfig(always_on=("test_writer",)))


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as jail:
        yield jail


@pytest.fixture
def make_deps(job_router, job_experts, sandbox):
    def make(model) -> JobDeps:
        return JobDeps(backend=model, router=job_router, experts=job_experts,
                       verifiers=[SyntaxVerifier(), TestsVerifier(sandbox)])

    return make
