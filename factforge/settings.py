"""All FactForge settings in one typed class (env prefix ``FACTFORGE_``, optional ``.env``).

Every field is documented in README.md's configuration table; ``tests/factforge/test_docs.py``
fails when the two drift apart. Lower layers never read settings: the composition root
(:mod:`factforge.wiring`) turns them into the plain config objects each layer takes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_MODEL = "Qwen/Qwen2.5-Coder-0.5B-Instruct"
DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"

CommaList = Annotated[list[str], NoDecode]


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """FactForge configuration, validated when the process starts."""

    model_config = SettingsConfigDict(
        env_prefix="FACTFORGE_", env_file=".env", extra="ignore", validate_default=True
    )

    # --- model -----------------------------------------------------------------------------
    model: str = Field(DEFAULT_MODEL, description="Chat model: hub id or local directory.")
    backend: Literal["transformers", "openai", "remote"] = Field(
        "transformers", description="Model backend: transformers, openai or remote (Celery)."
    )
    openai_base_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible server (vLLM, SGLang, Ollama, ...)."
    )
    openai_api_key: SecretStr | None = Field(None, description="API key for the openai backend.")
    openai_timeout_s: float = Field(120.0, gt=0, description="Per-request timeout, openai backend.")
    device: str = Field("auto", description="Torch device: auto, cpu, cuda, cuda:1, mps.")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        "auto", description="Model dtype; auto is bf16 on GPU, fp32 on CPU."
    )
    load_in_8bit: bool = Field(False, description="Load in 8-bit (needs bitsandbytes and a GPU).")
    max_new_tokens: int = Field(768, ge=1, le=32768, description="Token budget per model call.")
    temperature: float = Field(0.2, ge=0, le=2, description="Sampling temperature (0 = greedy).")
    seed: int = Field(0, description="Random seed for sampling.")

    # --- orchestration ---------------------------------------------------------------------
    samples: int = Field(1, ge=1, le=32, description="Candidate solutions drafted per job.")
    top_k: int = Field(3, ge=1, le=16, description="Experts the router activates per job.")
    always_on: CommaList = Field(
        default_factory=lambda: ["test_writer"],
        description="Experts activated on every job (comma-separated).",
    )
    router_temperature: float = Field(
        0.1, gt=0, le=10, description="Softmax temperature over expert similarities."
    )
    max_rounds: int = Field(2, ge=0, le=10, description="Repair rounds after failed checks.")
    experts_dir: Path | None = Field(None, description="Extra directory of expert TOML files.")
    test_timeout_s: float = Field(
        10.0, gt=0, le=600, description="Wall-time limit of one sandboxed run (tests, examples)."
    )

    # --- plugins and sandbox ---------------------------------------------------------------
    plugins_allow: CommaList = Field(
        default_factory=list,
        description="Only these plugins, or verifiers/experts/judges of plugins, are used "
        "(empty: all); an unknown name is a start-up error.",
    )
    plugins_deny: CommaList = Field(
        default_factory=list,
        description="Plugins, or verifiers/experts/judges of plugins, never used.",
    )
    plugins_order: CommaList = Field(
        default_factory=list,
        description="Verifiers that run first, in this order; an unknown name is a start-up "
        "error.",
    )
    verifier_timeout_s: float = Field(
        60.0, gt=0, le=3600, description="Time limit of one verifier call (then an error verdict)."
    )
    sandbox_cpu_s: int = Field(10, ge=1, le=3600, description="CPU-seconds limit per sandbox run.")
    sandbox_memory_mb: int = Field(
        1024, ge=64, le=65536, description="Address-space limit per sandbox run (MiB)."
    )
    sandbox_nproc: int = Field(64, ge=1, le=4096, description="Process limit per sandbox run.")
    sandbox_fsize_mb: int = Field(16, ge=1, le=4096, description="Largest file a run may write.")
    sandbox_workers: int = Field(2, ge=1, le=64, description="Warm sandbox fork servers.")
    sandbox_uid_base: int = Field(
        64000, ge=1000, description="First of 64 uids the sandbox drops to when run as root."
    )

    # --- storage and services --------------------------------------------------------------
    data_dir: Path = Field(
        Path.home() / ".factforge",
        description="Embedded Chroma, SQLite checkpoints and the embedded jobs database.",
    )
    redis_url: str | None = Field(None, description="Redis URL; set it for distributed mode.")
    chroma_url: str | None = Field(None, description="Chroma server URL (HttpClient).")
    embedding_model: str = Field(
        DEFAULT_EMBEDDING_MODEL, description="sentence-transformers model (bundled MiniLM)."
    )

    # --- fact-checking ---------------------------------------------------------------------
    factcheck_judge: str = Field(
        "reader",
        description="Fact-check judge: reader, builtin, cross, nli, llm, or a plugin's judge.",
    )
    factcheck_quantize: Literal["auto", "int8", "none"] = Field(
        "auto", description="Reader judge weights: auto (int8 on CPU), int8 or none (fp32)."
    )
    factcheck_runtime: Literal["auto", "torch", "onnx"] = Field(
        "auto",
        description="Reader judge runtime: onnx (ONNX Runtime on CPU, exported once on first "
        "use, about twice torch int8's speed), torch, or auto (onnx on CPU when onnxruntime and "
        "onnx are installed, else torch).",
    )
    factcheck_device: str = Field("cpu", description="Torch device of the reader judge.")
    factcheck_evidence_windows: int = Field(
        3, ge=1, le=20, description="Evidence sentences (or neighbour pairs) judged per claim."
    )
    factcheck_slot_check: bool = Field(
        True,
        description="REFUTED when a claim's number or name conflicts with the same slot of "
        "an evidence sentence, whatever the judge says.",
    )
    factcheck_nli_model: str = Field(
        "cross-encoder/nli-deberta-v3-xsmall",
        description="CrossEncoder NLI model (hub id or local path) for the nli judge.",
    )
    factcheck_collection: str = Field(
        "knowledge", description="Knowledge-base collection claims are checked against."
    )
    factcheck_top_k: int = Field(
        3, ge=1, le=50, description="Knowledge-base chunks retrieved per claim."
    )
    factcheck_fail_confidence: float = Field(
        0.8, ge=0, le=1, description="A refuted claim this confident fails a job (else warns)."
    )
    factcheck_max_claims: int = Field(
        200, ge=1, le=10_000, description="Most claims checked per request."
    )

    # --- distributed mode (Celery workers) ------------------------------------------------
    broker_visibility_timeout_s: int = Field(
        3600,
        ge=1,
        description="Last-resort redelivery of an unacknowledged task (> longest job); a dead "
        "worker's job is taken back by the lease reaper within about two leases.",
    )
    job_time_limit_s: int = Field(900, ge=1, description="Time limit of one job.")
    job_lease_s: int = Field(30, ge=1, description="Lease on a running job, renewed by its worker.")
    job_record_ttl_s: int = Field(
        7 * 24 * 3600, ge=60, description="How long job records and events are kept in Redis "
                          "(embedded: ended jobs, in the jobs database)."
    )
    checkpoint_ttl_s: int = Field(
        7 * 24 * 3600, ge=60, description="How long graph checkpoints are kept in Redis."
    )
    batch_max_size: int = Field(
        8, ge=1, le=256, description="Largest micro-batch: requests an inference worker generates at "
                          "once, and concurrent calls the remote backend sends as one task."
    )
    batch_max_wait_ms: int = Field(
        10, ge=0, le=10_000, description="Longest wait to fill a micro-batch (on both sides)."
    )
    inference_timeout_s: int = Field(
        300, ge=1, description="How long the remote backend waits for an inference worker."
    )
    worker_runtime: str = Field(
        "factforge.jobs.worker_runtime:build_runtime",
        description="module:function that builds a worker process's job dependencies.",
    )
    test_model_factory: str | None = Field(
        None, description="Test hook: module:callable returning a stand-in model (never deploy)."
    )

    # --- HTTP API --------------------------------------------------------------------------
    api_keys: CommaList = Field(
        default_factory=list, description="Bearer keys for the HTTP API (comma-separated)."
    )
    host: str = Field("127.0.0.1", description="Address `factforge serve` binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port `factforge serve` binds.")
    max_request_bytes: int = Field(
        1_000_000, ge=1024, description="Largest accepted request body (413 beyond)."
    )
    log_json: bool | None = Field(None, description="JSON logs; default: when not a terminal.")

    # --- client side (factforge.client, `factforge generate/factcheck --server`) -------------
    server: str | None = Field(
        None, description="URL of a FactForge server the client and `--server` talk to."
    )
    api_key: str | None = Field(None, description="Bearer key the client sends to `server`.")

    _split = field_validator(
        "always_on", "api_keys", "plugins_allow", "plugins_deny", "plugins_order", mode="before"
    )(_split_commas)

    @field_validator("test_model_factory")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("model", "embedding_model")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    @property
    def distributed(self) -> bool:
        """True when jobs go through Redis and Celery workers."""
        return bool(self.redis_url)
