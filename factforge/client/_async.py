"""The asyncio client, :class:`AsyncFactForge` (the twin of :class:`FactForge`)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from factforge.client import _base
from factforge.client._errors import JobFailed, Timeout
from factforge.client._models import (
    FactCheckOut,
    IngestOut,
    JobAcceptedOut,
    JobEvent,
    JobOut,
    SearchOut,
)

M = TypeVar("M", bound=BaseModel)


class AsyncFactForge:
    """A FactForge server's API, awaitable:
    ``AsyncFactForge("http://127.0.0.1:8000", api_key="...")``.

    ``base_url`` and ``api_key`` default to ``FACTFORGE_SERVER`` and ``FACTFORGE_API_KEY``;
    ``timeout`` bounds each request (a long poll gets its wait on top). Use it as a context
    manager (``async with``), or await :meth:`close`. Errors: :mod:`factforge.client` (``APIError`` with the
    server's ``code`` and ``status``; ``ConnectionFailed``; ``Timeout``).
    """

    def __init__(self, base_url: str | None = None, api_key: str | None = None, *,
                 timeout: float = _base.DEFAULT_TIMEOUT_S) -> None:
        url, key = _base.resolve(base_url, api_key)
        self.base_url = url
        self.timeout = timeout
        self._http = httpx.AsyncClient(base_url=url, headers=_base.headers(key),
                                       timeout=timeout)
        self.kb = AsyncKnowledgeBase(self)

    async def __aenter__(self) -> AsyncFactForge:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    async def _call(self, method: str, path: str, model: type[M], **kwargs: Any) -> M:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise _base.transport_error(exc) from exc
        return _base.parse(response, model)

    # -- jobs --------------------------------------------------------------------------------
    async def submit(self, prompt: str, *, idempotency_key: str | None = None,
               **options: Any) -> JobAcceptedOut:
        """Queue a code-generation job (``POST /v1/jobs``); ``options``: language, samples,
        top_k, max_rounds, max_new_tokens, temperature, seed."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key is not None else {}
        return await self._call("POST", "/v1/jobs", JobAcceptedOut, headers=headers,
                          json=_base.drop_none({"prompt": prompt, **options}))

    async def get(self, job_id: str) -> JobOut:
        """The job's record now."""
        return await self._call("GET", f"/v1/jobs/{job_id}", JobOut)

    async def wait(self, job_id: str, timeout: float = _base.DEFAULT_WAIT_S) -> JobOut:
        """The job's record once it has ended (succeeded, failed or cancelled); ``Timeout``
        after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            poll = max(0.0, min(left, _base.MAX_POLL_S))
            record = await self._call("GET", f"/v1/jobs/{job_id}", JobOut,
                                params={"wait": round(poll, 3)}, timeout=poll + self.timeout)
            if record.status in _base.TERMINAL:
                return record
            if time.monotonic() >= deadline:
                raise Timeout(f"job {job_id} still {record.status} after {timeout:g} s")

    async def events(self, job_id: str, *,
                     last_event_id: str | None = None) -> AsyncIterator[JobEvent]:
        """The job's events as they happen (node events, then the terminal ``status`` event);
        resumes after ``last_event_id``. The connection closes when the iteration ends."""
        try:
            async with self._http.stream("GET", f"/v1/jobs/{job_id}/events",
                                   headers=_base.event_headers(last_event_id),
                                   timeout=httpx.Timeout(self.timeout, read=None)) as response:
                if response.status_code >= 400:
                    await response.aread()
                    _base.raise_for(response)
                decoder = _base.SSEDecoder()
                async for line in response.aiter_lines():
                    event = decoder.feed(line)
                    if event is not None:
                        yield event
                        if event.terminal:
                            return
        except httpx.TransportError as exc:
            raise _base.transport_error(exc) from exc

    async def cancel(self, job_id: str) -> JobOut:
        """Cancel the job (``DELETE /v1/jobs/{id}``): a queued one ends now, a running one at
        its next node. Returns the record."""
        return await self._call("DELETE", f"/v1/jobs/{job_id}", JobOut)

    async def generate(self, prompt: str, *, timeout: float = _base.DEFAULT_WAIT_S,
                 idempotency_key: str | None = None, **options: Any) -> JobOut:
        """Submit and wait: the succeeded job's record (``.result`` is the job result).
        ``JobFailed`` when it failed or was cancelled."""
        accepted = await self.submit(prompt, idempotency_key=idempotency_key, **options)
        record = await self.wait(accepted.job_id, timeout)
        if record.status != "succeeded":
            raise JobFailed(record)
        return record

    # -- fact-check ----------------------------------------------------------------------------
    async def factcheck(self, text: str | None = None, *, claims: Iterable[str] | None = None,
                  documents: Iterable[_base.Document] | None = None,
                  collection: str | None = None, top_k: int | None = None,
                  judge: str | None = None) -> FactCheckOut:
        """Fact-check ``text`` (claims extracted) or ``claims`` (as given) against the
        knowledge base's ``collection`` or the given ``documents`` (strings or
        ``{"text", "source"}``; nothing is stored)."""
        payload = _base.factcheck_payload(text, claims, documents, collection, top_k, judge)
        return await self._call("POST", "/v1/factcheck", FactCheckOut, json=payload)


class AsyncKnowledgeBase:
    """``client.kb``: the server's knowledge base."""

    def __init__(self, client: AsyncFactForge) -> None:
        self._client = client

    async def add(self, documents: Iterable[_base.Document], *,
            collection: str | None = None) -> IngestOut:
        """Add documents (strings, or ``{"text", "source", "title", "id"}``); chunks already
        stored are skipped."""
        payload = _base.drop_none({
            "documents": _base.documents_payload(documents, what="documents"),
            "collection": collection})
        return await self._client._call("POST", "/v1/knowledge/documents", IngestOut, json=payload)

    async def search(self, query: str, *, collection: str | None = None,
               top_k: int = 5) -> SearchOut:
        """Hybrid search of one collection."""
        params = _base.drop_none({"q": query, "collection": collection, "top_k": top_k})
        return await self._client._call("GET", "/v1/knowledge/search", SearchOut, params=params)
