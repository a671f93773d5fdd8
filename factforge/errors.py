"""Errors of the front door. ``ApiError`` carries an HTTP status and a stable code."""

from __future__ import annotations


class FactForgeError(Exception):
    """Base class of every error raised by ``factforge``."""

    code = "factforge_error"


class ConfigError(FactForgeError):
    """Settings are invalid or a configured part cannot be built."""

    code = "config_invalid"


class ApiError(FactForgeError):
    """An error that the HTTP API returns as ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
