"""What the sync and async clients share: request building, answer parsing, SSE decoding."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from factforge.client._errors import ClientError, ConnectionFailed, Timeout, api_error
from factforge.client._models import JobEvent

M = TypeVar("M", bound=BaseModel)

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_WAIT_S = 600.0  # wait()/generate(): a job that takes longer raises Timeout
MAX_POLL_S = 60.0  # the server's longest long poll (GET /v1/jobs/{id}?wait=)
SERVER_ENV = "FACTFORGE_SERVER"
API_KEY_ENV = "FACTFORGE_API_KEY"
TERMINAL = ("succeeded", "failed", "cancelled")

Document = str | Mapping[str, Any] | BaseModel


def _settings():  # type: ignore[no-untyped-def]
    """FACTFORGE_SERVER / FACTFORGE_API_KEY (and .env), read by the one settings class."""
    from pydantic import ValidationError

    from factforge.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        raise ClientError(f"invalid FACTFORGE_* settings: {exc}") from exc


def resolve(base_url: str | None, api_key: str | None) -> tuple[str, str | None]:
    """The server URL and key: the arguments, else FACTFORGE_SERVER / FACTFORGE_API_KEY."""
    settings = _settings() if base_url is None or api_key is None else None
    url = base_url or (settings.server if settings is not None else None) or ""
    if not url:
        raise ClientError(f"no server URL: pass base_url or set {SERVER_ENV}")
    if not url.startswith(("http://", "https://")):
        raise ClientError(f"server URL must start with http:// or https://, got {url!r}")
    if api_key is None and settings is not None:
        api_key = settings.api_key
    return url.rstrip("/"), api_key


def headers(api_key: str | None) -> dict[str, str]:
    out = {"Accept": "application/json", "User-Agent": "factforge-client/0.1"}
    if api_key:
        out["Authorization"] = f"Bearer {api_key}"
    return out


def transport_error(exc: httpx.TransportError) -> ClientError:
    if isinstance(exc, httpx.TimeoutException):
        return Timeout(f"the server did not answer in time: {exc}")
    return ConnectionFailed(f"cannot reach the server: {exc}")


def parse(response: httpx.Response, model: type[M]) -> M:
    """The answer as ``model``, or the mapped error for a 4xx/5xx."""
    if response.status_code >= 400:
        raise_for(response)
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise ClientError(f"unexpected answer from {response.request.url}: {exc}") from exc


def raise_for(response: httpx.Response) -> None:
    try:
        body = response.json()
    except ValueError:
        body = None
    raise api_error(response.status_code, body)


def drop_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def documents_payload(documents: Iterable[Document] | None, *, what: str) -> list[Any] | None:
    """Documents as the API takes them: a string is a document's text; a mapping or a model
    (DocumentIn, ContextDocumentIn) is sent as its fields."""
    if documents is None:
        return None
    if isinstance(documents, str | bytes | Mapping):
        raise TypeError(f"{what} is a list of documents, not one")
    out: list[Any] = []
    for doc in documents:
        if isinstance(doc, str):
            out.append({"text": doc})
        elif isinstance(doc, BaseModel):
            out.append(doc.model_dump(exclude_none=True))
        elif isinstance(doc, Mapping):
            out.append(drop_none(doc))
        else:
            raise TypeError(f"a document is a str, a mapping or a model, not {type(doc).__name__}")
    return out


def factcheck_payload(text: str | None, claims: Iterable[str] | None,
                      documents: Iterable[Document] | None, collection: str | None,
                      top_k: int | None, judge: str | None) -> dict[str, Any]:
    if (text is None) == (claims is None):
        raise TypeError("factcheck() takes text or claims (one of them)")
    if isinstance(claims, str):
        raise TypeError("claims is a list of strings, not one string")
    return drop_none({
        "text": text, "claims": list(claims) if claims is not None else None,
        "documents": documents_payload(documents, what="documents"),
        "collection": collection, "top_k": top_k, "judge": judge,
    })


def event_headers(last_event_id: str | None) -> dict[str, str]:
    out = {"Accept": "text/event-stream"}
    if last_event_id is not None:
        out["Last-Event-ID"] = last_event_id
    return out


class SSEDecoder:
    """Server-Sent Events, a line at a time: :meth:`feed` returns the event a blank line ends
    (comments, such as the server's pings, are skipped)."""

    def __init__(self) -> None:
        self._id: str | None = None
        self._event = ""
        self._data: list[str] = []

    def feed(self, line: str) -> JobEvent | None:
        if line == "":
            if not self._data:
                self._event = ""
                return None
            raw = "\n".join(self._data)
            event_type, event_id = self._event or "message", self._id
            self._event, self._data = "", []
            try:
                data = json.loads(raw)
            except ValueError:
                data = {"data": raw}
            if not isinstance(data, dict):
                data = {"data": data}
            return JobEvent(id=event_id, type=str(data.get("type", event_type)), data=data)
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            self._id = value
        return None
