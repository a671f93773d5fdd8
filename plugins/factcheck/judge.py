"""The judge interface and the registry that builds a judge by name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from knowledge.types import SearchHit
from plugins.factcheck.errors import UnknownJudgeError
from plugins.factcheck.types import Judgement

__all__ = ["JUDGE_DESCRIPTIONS", "JUDGE_NAMES", "Judge", "make_judge"]

JUDGE_NAMES: tuple[str, ...] = ("reader", "builtin", "cross", "nli", "llm")
JUDGE_DESCRIPTIONS: dict[str, str] = {
    "reader": "MiniLM fine-tuned as an (evidence, claim) cross-encoder, int8 on CPU (default)",
    "builtin": "CPU-only trained judge over frozen MiniLM features and lexical cues",
    "cross": "the bundled MiniLM as a cross-encoder with shipped low-rank adapters",
    "nli": "a sentence-transformers CrossEncoder NLI model (FACTFORGE_FACTCHECK_NLI_MODEL)",
    "llm": "the configured chat model as judge, strict JSON output",
}


@runtime_checkable
class Judge(Protocol):
    """Decides whether ``evidence`` supports, refutes or says nothing about ``claim``.

    ``judge`` never raises for odd input: no evidence is ``NOT_ENOUGH_INFO``. ``judge_many``
    does the same for many claims at once (judges batch their model calls there).
    """

    name: str

    def judge(self, claim: str, evidence: Sequence[SearchHit]) -> Judgement: ...

    def judge_many(
        self, claims: Sequence[str], evidence: Sequence[Sequence[SearchHit]]
    ) -> list[Judgement]: ...


def make_judge(name: str, **options: Any) -> Judge:
    """Build the judge called ``name`` (``reader``, ``builtin``, ``cross``, ``nli`` or ``llm``).

    Options: ``reader`` takes ``weights``, ``base``, ``quantize`` (auto | int8 | none),
    ``device``, ``batch_size``, ``runtime`` (auto | torch | onnx) and ``cache_dir`` (of the onnx
    export); ``builtin`` takes ``encoder`` (an ``embed(texts)`` object) and ``weights``;
    ``cross`` takes ``encoder``, ``weights``, ``base`` (MiniLM directory) and ``batch_size``
    (its torch model loads on the first judgement);
    ``nli`` takes ``model`` (a CrossEncoder id or path) and ``device``; ``llm`` takes ``backend``
    (object with ``generate(requests)``) plus ``make_request``, or ``complete`` (prompt -> str).
    """
    factories: dict[str, Callable[..., Judge]] = {}
    if name == "reader":
        from plugins.factcheck.reader import ReaderJudge

        factories[name] = ReaderJudge
    elif name == "builtin":
        from plugins.factcheck.builtin import BuiltinJudge

        factories[name] = BuiltinJudge
    elif name == "cross":
        from plugins.factcheck.cross import CrossJudge

        factories[name] = CrossJudge
    elif name == "nli":
        from plugins.factcheck.nli import NLIJudge

        factories[name] = NLIJudge
    elif name == "llm":
        from plugins.factcheck.llm import LLMJudge

        factories[name] = LLMJudge
    else:
        raise UnknownJudgeError(f"unknown judge {name!r}; choose one of {', '.join(JUDGE_NAMES)}")
    try:
        return factories[name](**options)
    except TypeError as exc:
        raise UnknownJudgeError(f"bad options for judge {name!r}: {exc}") from exc
