"""Model backends behind one batched chat-generation protocol."""

from agents.llm.base import (
    ChatMessage,
    Generation,
    GenerationRequest,
    ModelBackend,
    ModelSpec,
    Usage,
)

__all__ = [
    "ChatMessage",
    "Generation",
    "GenerationRequest",
    "ModelBackend",
    "ModelSpec",
    "Usage",
]
