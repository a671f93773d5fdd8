"""GET /v1/experts: the experts the router chooses from."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from factforge.api.openapi import responses
from factforge.api.proto.codec import experts_message, respond

router = APIRouter(tags=["experts"])


class ExpertOut(BaseModel):
    name: str
    role: str
    description: str
    examples: list[str]
    source: str
    adapter: str | None = Field(None, description="LoRA adapter the expert runs with (a "
                                "directory or hub id); null: the base model.")
    adapter_model: str | None = Field(None, description="The adapter's served model name on an "
                                      "OpenAI-compatible server; null: the expert's name.")


@router.get("/experts", response_model=list[ExpertOut],
            responses=responses(401, protobuf="ExpertList"))
def list_experts(request: Request) -> Response:
    """Every loaded expert (built-in, user directory, plugins) with its routing examples."""
    from factforge.wiring import build_experts, plugin_experts

    services = request.app.state.services
    experts = build_experts(services.settings, plugin_experts(services.plugin_registry()))
    payload = [
        ExpertOut(name=e.name, role=e.role, description=e.description,
                  examples=list(e.examples), source=e.source,
                  adapter=None if e.adapter is None else str(e.adapter),
                  adapter_model=e.adapter_model).model_dump()
        for e in experts.values()
    ]
    return respond(request, payload, experts_message)
