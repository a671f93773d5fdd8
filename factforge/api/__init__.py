"""The HTTP API (FastAPI)."""

from factforge.api.app import create_app

__all__ = ["create_app"]
