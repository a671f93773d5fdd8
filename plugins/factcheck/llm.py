"""The ``llm`` judge: asks a chat model for a strict-JSON verdict.

``plugins`` may not import ``agents``, so the model comes in duck-typed: either a ``complete``
callable (prompt -> text), or a ``backend`` with ``generate(requests)`` (a ModelBackend) plus
``make_request(system, user)`` that builds one of its requests. Any answer that is not the JSON
object asked for becomes NOT_ENOUGH_INFO with confidence 0.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from knowledge.types import SearchHit
from plugins.factcheck.errors import JudgeError, JudgeLoadError
from plugins.factcheck.types import LABELS, Judgement

__all__ = ["SYSTEM_PROMPT", "GeneratingBackend", "LLMJudge", "build_prompt", "parse_answer"]

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You are a careful fact-checker. Decide whether the numbered evidence passages support or "
    "refute the claim, using only the passages. Reply with one JSON object and nothing else: "
    '{"label": "SUPPORTED" | "REFUTED" | "NOT_ENOUGH_INFO", "confidence": <number 0..1>, '
    '"evidence": [<numbers of the passages you relied on>]}'
)


class GeneratingBackend(Protocol):
    """The part of ``agents.llm.base.ModelBackend`` this judge uses."""

    def generate(self, requests: Sequence[Any]) -> list[Any]: ...


def build_prompt(claim: str, evidence: Sequence[SearchHit]) -> str:
    passages = "\n".join(f"[{i + 1}] {hit.text}" for i, hit in enumerate(evidence))
    return f"Claim: {claim}\n\nEvidence:\n{passages or '(none)'}\n\nJSON:"


_OBJECT = re.compile(r"\{.*?\}", re.DOTALL)


def parse_answer(text: str, n_evidence: int) -> Judgement:
    """Read the model's JSON answer; anything malformed is NOT_ENOUGH_INFO, confidence 0."""
    fallback = Judgement("NOT_ENOUGH_INFO", 0.0, ())
    for match in _OBJECT.finditer(text or ""):
        try:
            data = json.loads(match.group(0))
        except json.JSONDecodeError:
            continue
        if not isinstance(data, dict):
            continue
        label = str(data.get("label", "")).strip().upper().replace(" ", "_")
        label = {"SUPPORTS": "SUPPORTED", "REFUTES": "REFUTED", "NEI": "NOT_ENOUGH_INFO"}.get(
            label, label
        )
        conf = data.get("confidence", 0.5)
        if label not in LABELS or isinstance(conf, bool) or not isinstance(conf, int | float):
            return fallback
        conf = min(max(float(conf), 0.0), 1.0)
        used = {
            int(i) - 1
            for i in data.get("evidence", []) or []
            if isinstance(i, int) and not isinstance(i, bool)
        }
        scores = tuple(
            {
                lab: (conf if lab == label else (1 - conf) / 2)
                if i in used or not used
                else (1.0 if lab == "NOT_ENOUGH_INFO" else 0.0)
                for lab in LABELS
            }
            for i in range(n_evidence)
        )
        return Judgement(label, conf, scores)  # type: ignore[arg-type]
    return fallback


class LLMJudge:
    name = "llm"

    def __init__(
        self,
        complete: Callable[[str], str] | None = None,
        *,
        backend: GeneratingBackend | None = None,
        make_request: Callable[[str, str], Any] | None = None,
        system_prompt: str = SYSTEM_PROMPT,
    ) -> None:
        if complete is None and (backend is None or make_request is None):
            raise JudgeLoadError(
                "the llm judge needs complete(prompt) or backend= together with make_request="
            )
        self._complete = complete
        self._backend = backend
        self._make_request = make_request
        self.system_prompt = system_prompt

    def _ask(self, prompts: list[str]) -> list[str]:
        try:
            if self._complete is not None:
                return [self._complete(f"{self.system_prompt}\n\n{p}") for p in prompts]
            assert self._backend is not None and self._make_request is not None
            requests = [self._make_request(self.system_prompt, p) for p in prompts]
            answers = [getattr(g, "text", g) for g in self._backend.generate(requests)]
        except Exception as exc:
            raise JudgeError(f"the llm judge's model call failed: {exc}") from exc
        if len(answers) != len(prompts):
            raise JudgeError(f"the model gave {len(answers)} answers to {len(prompts)} prompts")
        return answers

    def judge(self, claim: str, evidence: Sequence[SearchHit]) -> Judgement:
        return self.judge_many([claim], [evidence])[0]

    def judge_many(
        self, claims: Sequence[str], evidence: Sequence[Sequence[SearchHit]]
    ) -> list[Judgement]:
        out: list[Judgement | None] = [None] * len(claims)
        asks = [i for i, hits in enumerate(evidence) if hits]
        for i, hits in enumerate(evidence):
            if not hits:
                out[i] = Judgement("NOT_ENOUGH_INFO", 1.0, ())
        answers = self._ask([build_prompt(claims[i], evidence[i]) for i in asks]) if asks else []
        for i, text in zip(asks, answers, strict=True):
            judgement = parse_answer(str(text), len(evidence[i]))
            if judgement.confidence == 0.0 and judgement.label == "NOT_ENOUGH_INFO":
                log.info("llm judge gave no usable JSON for claim %r", claims[i][:80])
            out[i] = judgement
        return [j for j in out if j is not None]
