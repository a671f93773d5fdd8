"""Model backends behind one batched chat-generation protocol.

``TransformersBackend`` and ``OpenAIBackend`` are imported on first access, so importing this
package never imports torch or transformers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agents.llm._factory import BACKEND_KINDS, load_backend
from agents.llm.base import (
    BASE_ADAPTER,
    Adapter,
    ChatMessage,
    Generation,
    GenerationRequest,
    ModelBackend,
    ModelSpec,
    Usage,
)

if TYPE_CHECKING:
    from agents.llm.openai_backend import OpenAIBackend
    from agents.llm.transformers_backend import TransformersBackend

__all__ = [
    "BACKEND_KINDS",
    "BASE_ADAPTER",
    "Adapter",
    "ChatMessage",
    "Generation",
    "GenerationRequest",
    "ModelBackend",
    "ModelSpec",
    "OpenAIBackend",
    "TransformersBackend",
    "Usage",
    "load_backend",
]

_LAZY = {
    "OpenAIBackend": "agents.llm.openai_backend",
    "TransformersBackend": "agents.llm.transformers_backend",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
