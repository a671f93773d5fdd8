"""The LangGraph StateGraph: route -> draft -> select -> reviewers (Send) -> synthesise ->
verify -> (repair loop back to draft | end)."""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import RetryPolicy, Send

from agents import nodes
from agents.errors import ModelCallError
from agents.job import JobDeps
from agents.state import JobState



def _retryable(exc: Exception) -> bool:
    """Only calls the model never answered (the backend has already retried the others)."""
    return isinstance(exc, ModelCallError) and exc.retryable


MODEL_RETRY = RetryPolicy(max_attempts=3, initial_interval=0.5, retry_on=_retryable)
NODE_NAMES = ("route", "draft", "select", "review", "synthesise", "verify", "next_round")


def _fan_out_reviews(state: JobState) -> list[Send] | str:
    reviewers = [e for e in state["experts"] if e["activated"] and e["role"] == "reviewer"]
    if not reviewers:
        return "synthesise"
    return [
        Send(
            "review",
            {
                "expert": e["name"],
                "weight": e["weight"],
                "round": state.get("round", 0),
                "task": state["request"]["prompt"],
                "code": state["code"],
                "request": state["request"],
            },
        )
        for e in reviewers
    ]


def _after_verify(state: JobState) -> str:
    if state.get("status") != "failed":
        return END  # verified, or unverified: no failing verdict a repair round could fix
    if state.get("round", 0) >= state["request"]["max_rounds"]:
        return END
    return "next_round"


def build_graph(checkpointer: BaseCheckpointSaver | None = None) -> Any:
    """Compile the job graph. Dependencies arrive per run as ``context`` (a JobDeps)."""
    graph = StateGraph(JobState, context_schema=JobDeps)
    graph.add_node("route", nodes.route)
    graph.add_node("draft", nodes.draft, retry_policy=MODEL_RETRY)
    graph.add_node("select", nodes.select)
    graph.add_node("review", nodes.review, retry_policy=MODEL_RETRY)
    graph.add_node("synthesise", nodes.synthesise)
    graph.add_node("verify", nodes.verify)
    graph.add_node("next_round", nodes.next_round)
    graph.add_edge(START, "route")
    graph.add_edge("route", "draft")
    graph.add_edge("draft", "select")
    graph.add_conditional_edges("select", _fan_out_reviews, ["review", "synthesise"])
    graph.add_edge("review", "synthesise")
    graph.add_edge("synthesise", "verify")
    graph.add_conditional_edges("verify", _after_verify, ["next_round", END])
    graph.add_edge("next_round", "draft")
    return graph.compile(checkpointer=checkpointer)
