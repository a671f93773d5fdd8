"""Orchestrator: LangGraph graph, job state, experts, router and model backends."""
