"""Bearer API keys and the request body size limit."""

from __future__ import annotations

import hmac

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from factforge.api.errors import error_response
from factforge.errors import ApiError


def require_api_key(request: Request) -> None:
    """FastAPI dependency: 401 unless ``Authorization: Bearer <key>`` matches a configured key.

    With no keys configured the API is open (``factforge serve`` then binds loopback only).
    """
    keys: list[str] = request.app.state.services.settings.api_keys
    if not keys:
        return
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "unauthorized", "missing bearer token: send Authorization: Bearer KEY")
    if not any(hmac.compare_digest(token.strip(), key) for key in keys):
        raise ApiError(401, "unauthorized", "invalid API key")


class BodySizeLimit:
    """ASGI middleware: 413 for bodies over ``max_bytes``, declared or streamed.

    A body without ``Content-Length`` (``Transfer-Encoding: chunked``) is read here, up to the
    limit, before the app sees it: an app that parses the body itself would otherwise turn the
    overflow into its own "cannot parse the body" 400.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send)
            return
        if declared is None:
            buffered = await self._read_up_to_limit(receive)
            if buffered is None:
                await self._reject(scope, receive, send)
                return
            receive = _replay(buffered, receive)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._reject(scope, receive, send)

    async def _read_up_to_limit(self, receive: Receive) -> list[Message] | None:
        """The request's body messages, or None once they exceed the limit."""
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages  # disconnected: the app sees it
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                return None
            if not message.get("more_body", False):
                return messages

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413, "payload_too_large", f"request body exceeds {self.max_bytes} bytes"
        )
        await response(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


class _TooLarge(Exception):
    pass
