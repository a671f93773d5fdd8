"""The composition root: turn Settings into the objects each layer receives as arguments."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agents import EmbeddingRouter, JobDeps, JobRequest, RouterConfig, load_experts
from agents.errors import AdapterError
from agents.experts import BUILTIN_DIR, Expert
from agents.llm import GenerationRequest, ModelBackend, ModelSpec
from agents.selection import evidence_selector
from factforge.errors import ConfigError
from factforge.settings import Settings
from knowledge import Embedder, KnowledgeConfig, Retriever
from plugins import ExpertSpec, PluginConfig, PluginLoadError, PluginRegistry, Verifier
from plugins.factcheck import (
    JUDGE_DESCRIPTIONS,
    JUDGE_NAMES,
    FactChecker,
    FactCheckLimits,
    Judge,
    make_judge,
)
from plugins.factcheck.errors import JudgeLoadError, UnknownJudgeError
from plugins.sandbox import SandboxLimits
from workers.config import WorkerConfig

if TYPE_CHECKING:
    from knowledge import KnowledgeBase

log = logging.getLogger(__name__)


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


def worker_config(settings: Settings) -> WorkerConfig:
    """What the Celery app, its tasks and the remote backend get: every WorkerConfig field
    from the Settings field of the same name (Settings is the only reader of the env)."""
    values = {f.name: getattr(settings, f.name) for f in fields(WorkerConfig)
              if getattr(settings, f.name, None) is not None}
    return WorkerConfig(**values)


def build_local_backend(settings: Settings) -> ModelBackend:
    """The model this process holds: transformers or openai (never the remote backend), or
    the test hook's stand-in when ``FACTFORGE_TEST_MODEL_FACTORY`` is set."""
    if settings.test_model_factory:
        from workers.runtime import resolve

        log.warning("test hook FACTFORGE_TEST_MODEL_FACTORY=%s: using a stand-in model",
                    settings.test_model_factory)
        return resolve(settings.test_model_factory)()
    if settings.backend == "remote":
        raise ConfigError(
            "this process needs a local model: set FACTFORGE_BACKEND to transformers or openai "
            "(FACTFORGE_BACKEND=remote sends model calls to `-Q inference` workers)"
        )
    from agents.llm import load_backend

    return load_backend(settings.backend, model_spec(settings))


def build_backend(settings: Settings) -> ModelBackend:
    """The configured model backend (nothing is loaded until the first call)."""
    if settings.backend == "remote":
        if not settings.redis_url:
            raise ConfigError("FACTFORGE_BACKEND=remote needs FACTFORGE_REDIS_URL")
        from workers.remote_backend import RemoteBackend

        return RemoteBackend.from_config(worker_config(settings))
    return build_local_backend(settings)


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
        labels={"allow": "FACTFORGE_PLUGINS_ALLOW", "order": "FACTFORGE_PLUGINS_ORDER"},
    )


def build_plugin_registry(
    settings: Settings, factcheck_verifier: Callable[[], Verifier] | None = None
) -> PluginRegistry:
    """The one plugin registry of a process (close it at shutdown: it owns the sandbox).

    ``factcheck_verifier`` builds the fact-check verifier (it needs the knowledge base)."""
    config = plugin_config(settings)
    if factcheck_verifier is not None:
        config = replace(config, options={**config.options,
                                          "factcheck": {"build": factcheck_verifier}})
    return PluginRegistry(config)


def build_judge(
    settings: Settings,
    name: str,
    *,
    registry: PluginRegistry,
    encoder: Any,
    backend: Callable[[], ModelBackend],
) -> Judge:
    """A built-in judge by name, or one a plugin registered (``register_judges``)."""
    if name == "reader":
        return make_judge(
            "reader",
            quantize=settings.factcheck_quantize,
            device=settings.factcheck_device,
            runtime=settings.factcheck_runtime,
        )
    if name in ("builtin", "cross"):
        return make_judge(name, encoder=encoder)
    if name == "nli":
        return make_judge("nli", model=settings.factcheck_nli_model)
    if name == "llm":
        return make_judge(
            "llm",
            backend=backend(),
            make_request=lambda system, user: GenerationRequest.chat(
                system, user, max_new_tokens=256, temperature=0.0
            ),
        )
    plugin_judges = [spec.name for spec in registry.judges()]
    if name not in plugin_judges:
        known = [*JUDGE_NAMES, *plugin_judges]
        raise UnknownJudgeError(f"unknown judge {name!r}; choose one of {', '.join(known)}")
    try:
        return registry.judge(name)  # built once, isolated: a broken judge is listed failed
    except PluginLoadError as exc:
        raise JudgeLoadError(str(exc)) from exc


def build_fact_checker(settings: Settings, knowledge_base: Retriever, judge: Judge) -> FactChecker:
    return FactChecker(
        knowledge_base,
        judge,
        top_k=settings.factcheck_top_k,
        evidence_windows=settings.factcheck_evidence_windows,
        slot_check=settings.factcheck_slot_check,
        encoder=getattr(knowledge_base, "embedder", None),
        limits=FactCheckLimits(max_claims=settings.factcheck_max_claims,
                               max_chars=settings.max_request_bytes),
    )


def expert_from_spec(spec: ExpertSpec) -> Expert:
    return Expert(
        name=spec.name,
        role=spec.role,
        description=spec.description,
        examples=tuple(spec.examples),
        system_prompt=spec.system_prompt,
        source="plugin",
        adapter=spec.adapter,
        adapter_model=spec.adapter_model,
    )


def knowledge_config(settings: Settings) -> KnowledgeConfig:
    """The server when FACTFORGE_CHROMA_URL is set, else embedded Chroma under the data dir."""
    if settings.chroma_url:
        return KnowledgeConfig(url=settings.chroma_url, embedding_model=settings.embedding_model)
    return KnowledgeConfig(
        path=settings.data_dir / "chroma", embedding_model=settings.embedding_model
    )


def build_knowledge_base(settings: Settings, embedder: Embedder | None = None) -> KnowledgeBase:
    from knowledge import KnowledgeBase

    return KnowledgeBase(knowledge_config(settings), embedder=embedder or build_embedder(settings))


def build_experts(settings: Settings, extra: Iterable[Expert] = ()) -> dict[str, Expert]:
    directories = [settings.experts_dir] if settings.experts_dir else []
    return load_experts(directories, extra)


def plugin_experts(registry: PluginRegistry) -> list[Expert]:
    """The experts plugins registered, as the router's ``Expert`` (the registry already
    validated each with the same rule, so none is dropped here)."""
    return [expert_from_spec(spec) for spec in registry.experts()]


def describe_plugins(settings: Settings, registry: PluginRegistry) -> dict[str, Any]:
    """What ``plugins list`` and ``GET /v1/plugins`` show: the registry's summary, with the
    built-in (and ``FACTFORGE_EXPERTS_DIR``) experts and the built-in judges added."""
    summary = registry.describe()
    by_plugin = {e["name"]: e for e in summary["experts"]}
    experts = []
    for expert in build_experts(settings).values():
        if expert.name in by_plugin:
            continue  # a plugin's expert of the same name replaces it (load_experts)
        builtin = Path(expert.source).parent == BUILTIN_DIR
        experts.append({"name": expert.name, "plugin": "builtin" if builtin else "experts_dir",
                        "role": expert.role, "description": expert.description})
    summary["experts"] = experts + summary["experts"]
    summary["judges"] = [
        {"name": name, "plugin": "builtin", "description": JUDGE_DESCRIPTIONS[name],
         "status": "loaded", "error": None}
        for name in JUDGE_NAMES
    ] + summary["judges"]
    return summary


def build_job_deps(
    settings: Settings,
    *,
    registry: PluginRegistry,
    backend: ModelBackend | None = None,
    embedder: Embedder | None = None,
) -> JobDeps:
    """Everything a job needs; verifiers and plugin experts come from ``registry``."""
    experts = build_experts(settings, plugin_experts(registry))
    config = RouterConfig(
        top_k=settings.top_k,
        temperature=settings.router_temperature,
        always_on=tuple(settings.always_on),
    )
    embedder = embedder or build_embedder(settings)
    router = EmbeddingRouter(experts, embedder.embed, config)
    backend = backend or build_backend(settings)
    check_adapters(backend, experts)
    return JobDeps(
        backend=backend,
        router=router,
        experts=experts,
        verifiers=registry.verifiers(),
        verifier_timeout_s=registry.config.timeout_s,
        # the registry's current sandbox (shared with the tests verifier; new after a close)
        selector=evidence_selector(sandbox=lambda: registry.context().sandbox),
    )


def check_adapters(backend: ModelBackend, experts: dict[str, Expert]) -> None:
    """At start: the backend can run every expert's adapter (the openai backend asks the
    server's ``/models``; the transformers backend checks local adapter directories). A
    backend without ``check_adapters`` (remote: the inference worker loads them) is trusted.
    Raises :class:`ConfigError` naming what is missing."""
    adapters = list({a.name: a for e in experts.values() if (a := e.adapter_ref)}.values())
    check = getattr(backend, "check_adapters", None)
    if not adapters or not callable(check):
        return
    try:
        check(adapters)
    except AdapterError as exc:
        raise ConfigError(str(exc)) from exc


def job_request(settings: Settings, fields: dict[str, Any]) -> JobRequest:
    """A JobRequest from the given fields, the rest from settings (raises JobError)."""
    defaults = {
        "samples": settings.samples,
        "top_k": settings.top_k,
        "max_rounds": settings.max_rounds,
        "max_new_tokens": settings.max_new_tokens,
        "temperature": settings.temperature,
        "seed": settings.seed,
    }
    return JobRequest.from_dict({**defaults, **{k: v for k, v in fields.items() if v is not None}})


def checkpoint_path(settings: Settings) -> Path:
    return settings.data_dir / "checkpoints.sqlite"


def configure_sqlite(connection: sqlite3.Connection) -> None:
    """WAL journal and NORMAL sync: durable across process crashes, one fsync per checkpoint
    batch instead of per write (a power loss can drop the last checkpoint, never corrupt)."""
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")


def open_checkpointer(settings: Settings):
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
