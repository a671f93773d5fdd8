"""GET /v1/experts: the experts the router chooses from."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

router = APIRouter(tags=["experts"])


class ExpertOut(BaseModel):
    name: str
    role: str
    description: str
    examples: list[str]
    source: str


@router.get("/experts", response_model=list[ExpertOut])
def list_experts(request: Request) -> list[ExpertOut]:
    """Every loaded expert (built-in, user directory, plugins) with its routing examples."""
    from factforge.wiring import build_experts, plugin_experts

    services = request.app.state.services
    experts = build_experts(services.settings, plugin_experts(services.plugin_registry()))
    return [
        ExpertOut(name=e.name, role=e.role, description=e.description,
                  examples=list(e.examples), source=e.source)
        for e in experts.values()
    ]
