"""JSON forms of the model contract, for messages on the ``inference`` queue."""

from __future__ import annotations

from typing import Any

from agents.llm.base import Adapter, ChatMessage, Generation, GenerationRequest


def request_to_dict(request: GenerationRequest) -> dict[str, Any]:
    return {
        "messages": [{"role": m.role, "content": m.content} for m in request.messages],
        "max_new_tokens": request.max_new_tokens,
        "temperature": request.temperature,
        "top_p": request.top_p,
        "stop": list(request.stop),
        "seed": request.seed,
        # the expert's LoRA adapter travels with the request: the inference worker's backend
        # attaches it (transformers) or asks for it by served name (openai)
        "adapter": (None if request.adapter is None else
                    {"name": request.adapter.name, "source": request.adapter.source}),
    }


def request_from_dict(data: dict[str, Any]) -> GenerationRequest:
    return GenerationRequest(
        messages=tuple(ChatMessage(m["role"], m["content"]) for m in data["messages"]),
        max_new_tokens=int(data.get("max_new_tokens", 512)),
        temperature=float(data.get("temperature", 0.0)),
        top_p=float(data.get("top_p", 1.0)),
        stop=tuple(data.get("stop", ())),
        seed=data.get("seed"),
        adapter=_adapter_from_dict(data.get("adapter")),
    )


def _adapter_from_dict(data: Any) -> Adapter | None:
    if data is None:
        return None
    return Adapter(name=str(data["name"]), source=str(data["source"]))


def generation_to_dict(generation: Generation) -> dict[str, Any]:
    return {
        "text": generation.text,
        "prompt_tokens": generation.prompt_tokens,
        "completion_tokens": generation.completion_tokens,
        "finish_reason": generation.finish_reason,
    }


def generation_from_dict(data: dict[str, Any]) -> Generation:
    return Generation(
        text=data["text"],
        prompt_tokens=int(data["prompt_tokens"]),
        completion_tokens=int(data["completion_tokens"]),
        finish_reason=data.get("finish_reason", "stop"),
    )
