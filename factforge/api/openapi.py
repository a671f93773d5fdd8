"""What the OpenAPI schema declares beyond FastAPI's defaults, so that it tells the truth.

Each route lists the statuses it really answers (:func:`responses`), each with the JSON error
body, and its Protobuf media type next to JSON. :func:`install_openapi` adds what only the
running server knows: whether Bearer keys are required, the served model's name, the judges
that exist and the claim limit.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from factforge.api.proto.codec import PROTOBUF

__all__ = ["ErrorOut", "install_openapi", "responses"]

_REASONS = {
    400: "Malformed header (e.g. Last-Event-ID).",
    401: "Missing or wrong Bearer key (when FACTFORGE_API_KEYS is set).",
    404: "No such job or collection.",
    406: "The client accepts none of the media types this route sends.",
    413: "Request body over FACTFORGE_MAX_REQUEST_BYTES (or a fact-check limit).",
    422: "Invalid request: the message names the field (details lists every problem).",
    503: "A dependency is unavailable (job queue, model, knowledge base, judge).",
}


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable code.")
    message: str = Field(description="What is wrong and, where it helps, how to fix it.")
    details: list[ErrorDetail] | None = Field(None, description="Validation errors (422).")


class ErrorOut(BaseModel):
    """Every error: ``{"error": {"code", "message"}}``, always JSON."""

    error: ErrorBody


def responses(*statuses: int, protobuf: str | None = None, ok: int = 200,
              ok_description: str = "Successful Response") -> dict[int | str, Any]:
    """The ``responses=`` of a route: its error statuses, and Protobuf beside JSON on ``ok``."""
    declared: dict[int | str, Any] = {
        status: {"model": ErrorOut, "description": _REASONS[status]} for status in statuses
    }
    if protobuf:
        declared[ok] = {
            "description": ok_description,
            "content": {PROTOBUF: {
                "schema": {"type": "string", "format": "binary",
                           "description": f"factforge.v1.{protobuf} (factforge.proto)"},
            }},
        }
    return declared


def install_openapi(app: FastAPI) -> None:
    """Replace ``app.openapi`` by one that adds what the running server knows (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)
            _server_facts(schema, app.state.services)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _errors_are_error_out(schema: dict[str, Any]) -> None:
    """FastAPI declares its own ``{"detail": [...]}`` 422 where a route lists none; this API
    answers ``{"error": ...}`` (factforge.api.errors) everywhere."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            declared = operation.get("responses", {}).get("422")
            if declared and "openai" in operation.get("tags", ()):  # OpenAI's: invalid is 400
                del operation["responses"]["422"]
            elif declared and "HTTPValidationError" in str(declared):
                declared.update(description=_REASONS[422], content={"application/json": {
                    "schema": {"$ref": "#/components/schemas/ErrorOut"}}})
    models = schema.get("components", {}).get("schemas", {})
    if "ErrorOut" in models and "HTTPValidationError" not in str(schema.get("paths")):
        models.pop("HTTPValidationError", None)
        models.pop("ValidationError", None)


def _optional_parameters_are_not_null(schema: dict[str, Any]) -> None:
    """An optional header or query parameter is absent or a string, never JSON ``null``
    (FastAPI writes ``anyOf: [..., {"type": "null"}]`` for ``str | None``)."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                declared = parameter.get("schema", {})
                options = declared.get("anyOf")
                if parameter.get("required") or not options:
                    continue
                rest = [o for o in options if o != {"type": "null"}]
                if len(rest) == 1:
                    del declared["anyOf"]
                    declared.update(rest[0])


def _server_facts(schema: dict[str, Any], services: Any) -> None:
    settings = services.settings
    components = schema.setdefault("components", {})
    _errors_are_error_out(schema)
    _optional_parameters_are_not_null(schema)
    if settings.api_keys:
        components.setdefault("securitySchemes", {})["bearer"] = {
            "type": "http", "scheme": "bearer",
            "description": "One of FACTFORGE_API_KEYS.",
        }
        for path, operations in schema.get("paths", {}).items():
            if path.startswith("/v1/"):
                for operation in operations.values():
                    operation["security"] = [{"bearer": []}]
    else:  # an open API answers no 401
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                operation.get("responses", {}).pop("401", None)
    models = components.get("schemas", {})
    served = {settings.model, services.job_queue().backend().name}
    if "GenerateBody" in models:
        models["GenerateBody"]["properties"]["model"] = {
            "anyOf": [{"type": "string", "enum": sorted(served)}, {"type": "null"}],
            "description": "Must name the served model when given.",
        }
    if "FactCheckRequest" in models:
        from plugins.factcheck import JUDGE_NAMES

        judges = [*JUDGE_NAMES, *(s.name for s in services.plugin_registry().judges())]
        properties = models["FactCheckRequest"]["properties"]
        properties["judge"]["anyOf"][0]["enum"] = judges
        properties["claims"]["anyOf"][0]["maxItems"] = settings.factcheck_max_claims
