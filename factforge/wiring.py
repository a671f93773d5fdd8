"""The composition root: turn Settings into the objects each layer receives as arguments."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from agents import EmbeddingRouter, JobDeps, RouterConfig, load_experts
from agents.experts import Expert
from agents.llm import ModelBackend, ModelSpec
from factforge.errors import ConfigError
from factforge.settings import Settings
from knowledge import Embedder
from plugins import ExpertSpec, PluginConfig, PluginRegistry
from plugins.sandbox import SandboxLimits


def model_spec(settings: Settings) -> ModelSpec:
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return ModelSpec(
        model=settings.model,
        device=settings.device,
        dtype=settings.dtype,
        load_in_8bit=settings.load_in_8bit,
        base_url=settings.openai_base_url,
        api_key=key,
        timeout_s=settings.openai_timeout_s,
    )


def build_backend(settings: Settings) -> ModelBackend:
    """The configured model backend (nothing is loaded until the first call)."""
    if settings.backend == "remote":
        if not settings.redis_url:
            raise ConfigError("FACTFORGE_BACKEND=remote needs FACTFORGE_REDIS_URL")
        from workers.remote_backend import RemoteBackend

        return RemoteBackend.from_settings(settings)
    from agents.llm import load_backend

    return load_backend(settings.backend, model_spec(settings))


def build_embedder(settings: Settings) -> Embedder:
    return Embedder(settings.embedding_model)


def plugin_config(settings: Settings) -> PluginConfig:
    limits = SandboxLimits(
        wall_s=settings.test_timeout_s,
        cpu_s=settings.sandbox_cpu_s,
        memory_mb=settings.sandbox_memory_mb,
        nproc=settings.sandbox_nproc,
        fsize_mb=settings.sandbox_fsize_mb,
        uid_base=settings.sandbox_uid_base,
    )
    return PluginConfig(
        allow=tuple(settings.plugins_allow),
        deny=tuple(settings.plugins_deny),
        order=tuple(settings.plugins_order),
        timeout_s=settings.verifier_timeout_s,
        sandbox=limits,
        sandbox_workers=settings.sandbox_workers,
    )


def build_plugin_registry(settings: Settings) -> PluginRegistry:
    """The one plugin registry of a process (close it at shutdown: it owns the sandbox)."""
    return PluginRegistry(plugin_config(settings))


def expert_from_spec(spec: ExpertSpec, plugin: str = "plugin") -> Expert:
    return Expert(
        name=spec.name,
        role=spec.role,
        description=spec.description,
        examples=tuple(spec.examples),
        system_prompt=spec.system_prompt,
        source=f"plugin:{plugin}",
    )


def build_experts(settings: Settings, extra: Iterable[Expert] = ()) -> dict[str, Expert]:
    directories = [settings.experts_dir] if settings.experts_dir else []
    return load_experts(directories, extra)


def build_job_deps(
    settings: Settings,
    *,
    registry: PluginRegistry,
    backend: ModelBackend | None = None,
    embedder: Embedder | None = None,
) -> JobDeps:
    """Everything a job needs; verifiers and plugin experts come from ``registry``."""
    experts = build_experts(settings, (expert_from_spec(s) for s in registry.experts()))
    config = RouterConfig(
        top_k=settings.top_k,
        temperature=settings.router_temperature,
        always_on=tuple(settings.always_on),
    )
    embedder = embedder or build_embedder(settings)
    router = EmbeddingRouter(experts, embedder.embed, config)
    return JobDeps(
        backend=backend or build_backend(settings),
        router=router,
        experts=experts,
        verifiers=registry.verifiers(),
        verifier_timeout_s=registry.config.timeout_s,
    )


def checkpoint_path(settings: Settings) -> Path:
    return settings.data_dir / "checkpoints.sqlite"


def configure_sqlite(connection: sqlite3.Connection) -> None:
    """WAL journal and NORMAL sync: durable across process crashes, one fsync per checkpoint
    batch instead of per write (a power loss can drop the last checkpoint, never corrupt)."""
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")


def open_checkpointer(settings: Settings):  # noqa: ANN201 - langgraph type, imported lazily
    """The embedded-mode checkpointer: LangGraph's SQLite saver under the data dir."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = checkpoint_path(settings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(str(path), check_same_thread=False)
        configure_sqlite(connection)
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError(f"cannot open checkpoints at {path}: {exc}") from exc
    return SqliteSaver(connection)
