"""Graph nodes: plain functions of (state, runtime context) returning state updates."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from langgraph.runtime import Runtime

from agents.experts import Expert
from agents.job import JobDeps, JobRequest
from agents.llm.base import Adapter, Generation, GenerationRequest, Usage
from agents.parsing import is_lgtm, parses, split_code
from agents.prompts import author_message, repair_message, review_message, tester_message
from agents.result import decide_status
from agents.state import JobState, ReviewTask
from plugins import Candidate, Verdict, run_verifiers

SAMPLING_TEMPERATURE = 0.8  # used when samples > 1 and the request asked for greedy decoding


def _generate(
    deps: JobDeps, requests: Sequence[GenerationRequest]
) -> tuple[list[Generation], dict]:
    generations = deps.backend.generate(list(requests))
    if len(generations) != len(requests):
        raise RuntimeError(
            f"backend {deps.backend.name} returned {len(generations)} generations "
            f"for {len(requests)} requests"
        )
    usage = Usage()
    usage.add(generations)
    return generations, usage.as_dict()


def _activated(state: JobState, deps: JobDeps, role: str) -> list[tuple[Expert, float]]:
    return [
        (deps.experts[e["name"]], e["weight"])
        for e in state["experts"]
        if e["activated"] and e["role"] == role and e["name"] in deps.experts
    ]


def _adapter_of(deps: JobDeps, name: str) -> Adapter | None:
    expert = deps.experts.get(name)
    return expert.adapter_ref if expert is not None else None


def _request(state: JobState) -> JobRequest:
    return JobRequest.from_dict(state["request"])


def _candidate(state: JobState, code: str, explanation: str = "") -> Candidate:
    request = state["request"]
    return Candidate(
        code=code,
        language=request["language"],
        prompt=request["prompt"],
        tests=state.get("tests", ""),
        explanation=explanation,
    )


def route(state: JobState, runtime: Runtime[JobDeps]) -> dict[str, Any]:
    started = time.perf_counter()
    request = _request(state)
    weights = runtime.context.router.route(request.prompt)
    experts = [w.to_dict() for w in weights]
    for e in experts:  # the job result says which adapter each expert runs with
        adapter = _adapter_of(runtime.context, e["name"])
        e["adapter"] = adapter.name if adapter is not None else None
    # The request's top_k narrows (never widens) what the router activated.
    ranked = [e for e in experts if e["activated"]]
    keep = {e["name"] for e in ranked[: request.top_k]}
    keep |= {e["name"] for e in ranked if e["role"] == "author"}
    keep |= set(runtime.context.router.config.always_on)
    for e in experts:
        e["activated"] = e["activated"] and e["name"] in keep
    return {
        "experts": experts,
        "round": 0,
        "timings": {"route": time.perf_counter() - started},
    }


def draft(state: JobState, runtime: Runtime[JobDeps]) -> dict[str, Any]:
    """The author writes ``samples`` candidates (or a repair); the tester writes tests once."""
    started = time.perf_counter()
    deps = runtime.context
    request = _request(state)
    author, _ = _activated(state, deps, "author")[0]
    repairing = bool(state.get("verdicts"))
    if repairing:
        verdicts = [Verdict.from_dict(v) for v in state["verdicts"]]
        message = repair_message(request.prompt, state["code"], verdicts)
    else:
        message = author_message(request.prompt)
    n = request.samples
    temperature = request.temperature if n == 1 or request.temperature > 0 else SAMPLING_TEMPERATURE
    requests = [
        GenerationRequest.chat(
            author.system_prompt,
            message,
            max_new_tokens=request.max_new_tokens,
            temperature=temperature,
            seed=request.seed + i + 1000 * state.get("round", 0),
            adapter=author.adapter_ref,
        )
        for i in range(n)
    ]
    testers = _activated(state, deps, "tester") if not repairing else []
    for tester, _ in testers[:1]:
        requests.append(
            GenerationRequest.chat(
                tester.system_prompt,
                tester_message(request.prompt),
                max_new_tokens=request.max_new_tokens,
                temperature=0.0,
                seed=request.seed,
                adapter=tester.adapter_ref,
            )
        )
    generations, usage = _generate(deps, requests)
    candidates = []
    for i, generation in enumerate(generations[:n]):
        code, explanation = split_code(generation.text, request.language)
        candidates.append({"index": i, "code": code, "explanation": explanation})
    update: dict[str, Any] = {
        "candidates": candidates,
        "usage": usage,
        "timings": {"draft": time.perf_counter() - started},
    }
    if testers:
        update["tests"] = split_code(generations[n].text, request.language)[0]
    return update


def select(state: JobState, runtime: Runtime[JobDeps]) -> dict[str, Any]:
    """Choose one candidate: the selector plugin when set, else the fewest blocking verdicts."""
    started = time.perf_counter()
    deps = runtime.context
    candidates = state["candidates"]
    chosen = 0
    verdict_lists: list[list[Verdict]] = []
    if len(candidates) > 1:
        plain = [_candidate(state, c["code"], c["explanation"]) for c in candidates]
        verdict_lists = [run_verifiers(c, deps.verifiers, deps.verifier_timeout_s) for c in plain]
        if deps.selector is not None:
            chosen = deps.selector(plain, verdict_lists)
        else:
            chosen = min(
                range(len(plain)),
                key=lambda i: (sum(v.blocking for v in verdict_lists[i]), i),
            )
    picked = candidates[chosen]
    return {
        "chosen": chosen,
        "candidate_verdicts": [[v.to_dict() for v in vs] for vs in verdict_lists],
        "code": picked["code"],
        "explanation": picked["explanation"],
        "timings": {"select": time.perf_counter() - started},
    }


def review(task: ReviewTask, runtime: Runtime[JobDeps]) -> dict[str, Any]:
    """One reviewer reads the chosen code: LGTM, or a revised version."""
    started = time.perf_counter()
    deps = runtime.context
    expert = deps.experts[task["expert"]]
    request = JobRequest.from_dict(task["request"])
    generation_request = GenerationRequest.chat(
        expert.system_prompt,
        review_message(task["task"], task["code"]),
        max_new_tokens=request.max_new_tokens,
        temperature=0.0,
        seed=request.seed,
        adapter=expert.adapter_ref,
    )
    (generation,), usage = _generate(deps, [generation_request])
    text = generation.text
    code, note = split_code(text, request.language)
    verdict = "lgtm" if is_lgtm(text) else ("revised" if code else "no_code")
    review_record = {
        "round": task["round"],
        "expert": expert.name,
        "weight": task["weight"],
        "verdict": verdict,
        "code": code if verdict == "revised" else "",
        "note": (note or text).strip()[:500],
    }
    return {
        "reviews": [review_record],
        "usage": usage,
        "timings": {f"review:{expert.name}": time.perf_counter() - started},
    }


def synthesise(state: JobState) -> dict[str, Any]:
    """Take the highest-weighted revision that parses; otherwise keep the author's code."""
    started = time.perf_counter()
    current = state.get("round", 0)
    reviews = sorted(
        (r for r in state.get("reviews", []) if r["round"] == current),
        key=lambda r: -r["weight"],
    )
    code = state["code"]
    applied = None
    for record in reviews:
        if record["verdict"] == "revised" and parses(record["code"]):
            code, applied = record["code"], record["expert"]
            break
    notes = [f"{r['expert']}: {'LGTM' if r['verdict'] == 'lgtm' else r['note']}" for r in reviews]
    return {
        "code": code,
        "history": [
            {"round": current, "chosen": state.get("chosen", 0), "revision_by": applied,
             "reviews": notes}
        ],
        "timings": {"synthesise": time.perf_counter() - started},
    }


def verify(state: JobState, runtime: Runtime[JobDeps]) -> dict[str, Any]:
    started = time.perf_counter()
    candidate = _candidate(state, state["code"], state.get("explanation", ""))
    deps = runtime.context
    verdicts = run_verifiers(candidate, deps.verifiers, deps.verifier_timeout_s)
    status, reason = decide_status(verdicts)
    return {
        "verdicts": [v.to_dict() for v in verdicts],
        "status": status,
        "reason": reason,
        "timings": {"verify": time.perf_counter() - started},
    }


def next_round(state: JobState) -> dict[str, Any]:
    """Count a repair round before drafting again."""
    return {"round": state.get("round", 0) + 1}
