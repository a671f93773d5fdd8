"""Orchestrator: LangGraph graph, job state, experts, router and model backends."""

from agents.errors import (
    AgentsError,
    ExpertError,
    JobCancelled,
    JobError,
    ModelCallError,
    ModelLoadError,
    PromptTooLongError,
    RouterError,
)
from agents.experts import Expert, load_experts
from agents.graph import build_graph
from agents.job import JobDeps, JobRequest, Selector
from agents.result import JOB_STATUSES
from agents.router import EmbeddingRouter, ExpertWeight, RouterConfig
from agents.run import JobRunner, run_job

__all__ = [
    "JOB_STATUSES",
    "AgentsError",
    "EmbeddingRouter",
    "Expert",
    "ExpertError",
    "ExpertWeight",
    "JobCancelled",
    "JobDeps",
    "JobError",
    "JobRequest",
    "JobRunner",
    "ModelCallError",
    "ModelLoadError",
    "PromptTooLongError",
    "RouterConfig",
    "RouterError",
    "Selector",
    "build_graph",
    "load_experts",
    "run_job",
]
