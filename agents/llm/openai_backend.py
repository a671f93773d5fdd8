"""Any OpenAI-compatible chat server (vLLM, SGLang, Ollama, DeepSeek API) over plain httpx."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, Self

import httpx

from agents.errors import AdapterError, ModelCallError, ModelLoadError
from agents.llm.base import Adapter, Generation, GenerationRequest, ModelSpec

__all__ = ["OpenAIBackend"]

logger = logging.getLogger(__name__)

_RETRY_STATUS = frozenset({408, 409, 425, 429})
_MAX_RETRY_AFTER_S = 30.0


class OpenAIBackend:
    """POSTs each request to ``{base_url}/chat/completions``, a batch concurrently, in order.

    ``spec.base_url`` includes the API prefix, e.g. ``http://localhost:8000/v1``. Rate limits
    (429), server errors (5xx) and connection failures are retried up to ``max_retries`` times
    with exponential backoff (``backoff_s``, doubled each attempt, or the server's Retry-After);
    a request that times out while waiting for the answer is not retried (the server may still
    be working on it) and raises :class:`ModelCallError`, like every other failure. Those
    errors are not ``retryable``: this backend owns the retries of its HTTP calls, and the
    layers above (graph nodes, Celery) do not send them again (README, "Who retries what").

    A request with an ``adapter`` (an expert's LoRA adapter) asks for the adapter's served
    name as ``model`` (vLLM ``--lora-modules name=path``, SGLang ``--lora-paths name=path``);
    :meth:`check_adapters` asks the server's ``/models`` whether it serves them.
    """

    def __init__(
        self,
        spec: ModelSpec,
        *,
        max_concurrency: int = 8,
        max_retries: int = 3,
        backoff_s: float = 0.5,
    ) -> None:
        if not spec.base_url or not spec.base_url.strip():
            raise ModelLoadError(
                "The openai backend needs the server's base URL: set FACTFORGE_OPENAI_BASE_URL "
                "(e.g. http://localhost:8000/v1 for vLLM, http://localhost:11434/v1 for Ollama)."
            )
        if not spec.base_url.startswith(("http://", "https://")):
            raise ModelLoadError(
                f"FACTFORGE_OPENAI_BASE_URL must start with http:// or https://, got "
                f"{spec.base_url!r}."
            )
        if max_concurrency < 1 or max_retries < 0 or backoff_s < 0:
            raise ModelLoadError("max_concurrency >= 1, max_retries >= 0 and backoff_s >= 0.")
        self.spec = spec
        self.name = spec.model
        self.base_url = spec.base_url.rstrip("/")
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        headers = {"Content-Type": "application/json"}
        if spec.api_key:
            headers["Authorization"] = f"Bearer {spec.api_key}"
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(spec.timeout_s, connect=min(10.0, spec.timeout_s)),
            limits=httpx.Limits(max_connections=max_concurrency),
        )
        self._pool = ThreadPoolExecutor(max_concurrency, thread_name_prefix="factforge-openai")
        self._closed = threading.Event()

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        if self._closed.is_set():
            raise ModelCallError("This OpenAIBackend is closed.")
        requests = list(requests)
        if len(requests) == 1:
            return [self._complete(requests[0])]
        futures: list[Future[Generation]] = [self._pool.submit(self._complete, r) for r in requests]
        try:
            # every call settles (its retries included) before any error is raised: a job that
            # fails on one call leaves no other call retrying behind its back
            wait(futures)
            return [future.result() for future in futures]
        finally:
            for future in futures:
                future.cancel()

    def served_models(self) -> list[str]:
        """The model ids ``{base_url}/models`` lists; :class:`AdapterError` when the server
        cannot be asked or answers something else."""
        url = f"{self.base_url}/models"
        try:
            response = self._client.get(url)
        except httpx.HTTPError as exc:
            raise AdapterError(f"cannot list the served models at {url} to check the experts' "
                               f"adapters: {type(exc).__name__}: {exc}") from exc
        if not response.is_success:
            raise AdapterError(f"cannot list the served models to check the experts' adapters: "
                               f"{_failure(url, response, 1)}")
        try:
            return [str(m["id"]) for m in response.json()["data"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise AdapterError(f"{url} answered no model list: {response.text[:300]!r}") from exc

    def check_adapters(self, adapters: Sequence[Adapter]) -> None:
        """Raise :class:`AdapterError` naming each adapter the server does not serve."""
        if not adapters:
            return
        served = self.served_models()
        missing = sorted({a.name for a in adapters} - set(served))
        if missing:
            raise AdapterError(
                f"the model server at {self.base_url} does not serve the expert adapter(s) "
                f"{', '.join(missing)} (it serves: {', '.join(served) or 'nothing'}); start it "
                "with the adapters (vLLM: --enable-lora --lora-modules NAME=PATH) or set the "
                "experts' adapter_model to the names it serves")

    def close(self) -> None:
        """Release the connection pool and worker threads."""
        self._closed.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _complete(self, request: GenerationRequest) -> Generation:
        url = f"{self.base_url}/chat/completions"
        model = request.adapter.name if request.adapter is not None else self.spec.model
        payload = _payload(model, request)
        attempt = 0
        while True:
            try:
                response = self._client.post(url, json=payload)
            except httpx.ReadTimeout as exc:
                raise ModelCallError(
                    f"{url} did not answer within {self.spec.timeout_s:g} s (timeout_s)."
                ) from exc
            except httpx.TransportError as exc:
                if attempt >= self.max_retries:
                    raise ModelCallError(
                        f"Could not reach {url} after {attempt + 1} attempts: "
                        f"{type(exc).__name__}: {exc}"
                    ) from exc
                delay = self._delay(attempt, None)
            else:
                if response.is_success:
                    return _parse(response, request)
                retryable = response.status_code in _RETRY_STATUS or response.status_code >= 500
                if not retryable or attempt >= self.max_retries:
                    raise ModelCallError(_failure(url, response, attempt + 1))
                delay = self._delay(attempt, response.headers.get("Retry-After"))
                logger.warning(
                    "model server answered %s; retry %d/%d in %.2f s",
                    response.status_code,
                    attempt + 1,
                    self.max_retries,
                    delay,
                )
            attempt += 1
            if self._closed.wait(delay):
                raise ModelCallError("The backend was closed while a request was retrying.")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            try:
                return min(max(float(retry_after), 0.0), _MAX_RETRY_AFTER_S)
            except ValueError:
                pass
        base = self.backoff_s * (2**attempt)
        return base + random.uniform(0, self.backoff_s)


def _payload(model: str, request: GenerationRequest) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "model": model,
        "messages": [{"role": m.role, "content": m.content} for m in request.messages],
        "max_tokens": request.max_new_tokens,
        "temperature": request.temperature,
        "top_p": request.top_p,
        "stream": False,
    }
    if request.stop:
        payload["stop"] = list(request.stop)
    if request.seed is not None:
        payload["seed"] = request.seed
    return payload


def _estimate_tokens(text: str) -> int:
    """About four characters a token: used only when the server reports no usage."""
    return (len(text) + 3) // 4


def _parse(response: httpx.Response, request: GenerationRequest) -> Generation:
    try:
        body = response.json()
        choice = body["choices"][0]
        text = (choice.get("message") or {}).get("content") or choice.get("text") or ""
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ModelCallError(
            f"Unexpected answer from {response.request.url}: {response.text[:300]!r}"
        ) from exc
    reason = "length" if choice.get("finish_reason") == "length" else "stop"
    cuts = [text.find(s) for s in request.stop if s and s in text]
    if cuts:  # some servers leave the stop string in the text
        text, reason = text[: min(cuts)], "stop"
    usage = body.get("usage") or {}
    prompt_tokens = usage.get("prompt_tokens")
    if not isinstance(prompt_tokens, int):
        prompt_tokens = _estimate_tokens("".join(m.content for m in request.messages))
    completion_tokens = usage.get("completion_tokens")
    if not isinstance(completion_tokens, int):
        completion_tokens = _estimate_tokens(text)
    return Generation(text, prompt_tokens, completion_tokens, reason)


def _server_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:500] or response.reason_phrase
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            for key in ("message", "detail", "msg"):
                if error.get(key):
                    return str(error[key])[:500]
        elif error:
            return str(error)[:500]
    return str(body)[:500]


def _failure(url: str, response: httpx.Response, attempts: int) -> str:
    message = (
        f"{url} answered {response.status_code} after {attempts} attempt(s): "
        f"{_server_message(response)}"
    )
    if response.status_code == 404 and not url.rsplit("/chat/completions", 1)[0].endswith("/v1"):
        message += " (OpenAI-compatible servers usually serve under /v1: is the base URL right?)"
    return message
