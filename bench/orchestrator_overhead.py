"""Graph overhead per job: the full LangGraph job vs. the same model calls in a plain loop.

Both sides use the same zero-latency stand-in model (a benchmark tool: it answers instantly
with canned text), the same router (embeddings of the task cached, so that MiniLM's encode
time does not hide the orchestration cost) and no verifiers. The plain loop makes exactly the
same model calls (same requests, same order) and parses the answers the same way.

    python bench/orchestrator_overhead.py [--jobs 200] [--checkpointer none|sqlite|both]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from agents import JobDeps, JobRequest, JobRunner, RouterConfig  # noqa: E402
from agents.experts import load_experts  # noqa: E402
from agents.llm import Generation, GenerationRequest  # noqa: E402
from agents.parsing import split_code  # noqa: E402
from agents.prompts import author_message, review_message, tester_message  # noqa: E402
from agents.router import EmbeddingRouter  # noqa: E402
from factforge.wiring import configure_sqlite  # noqa: E402
from knowledge import Embedder  # noqa: E402

ANSWER = "Sorts.\n```python\ndef quicksort(xs):\n    return sorted(xs)\n```\n"


class ZeroLatencyModel:
    name = "zero-latency"

    def generate(self, requests):
        return [Generation(ANSWER, 10, 10) for _ in requests]


def _plain_loop(request: JobRequest, deps: JobDeps) -> None:
    """The same model calls the graph makes, without LangGraph."""
    routed = deps.router.route(request.prompt)
    active = [w for w in routed if w.activated]
    author = deps.experts[next(w.name for w in active if w.role == "author")]
    batch = [GenerationRequest.chat(author.system_prompt, author_message(request.prompt))]
    for w in active:
        if w.role == "tester":
            tester = deps.experts[w.name]
            batch.append(
                GenerationRequest.chat(tester.system_prompt, tester_message(request.prompt))
            )
            break
    generations = deps.backend.generate(batch)
    code, _ = split_code(generations[0].text)
    for w in active:
        if w.role == "reviewer":
            reviewer = deps.experts[w.name]
            text = deps.backend.generate(
                [
                    GenerationRequest.chat(
                        reviewer.system_prompt, review_message(request.prompt, code)
                    )
                ]
            )[0].text
            split_code(text)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return p50 * 1000, p95 * 1000


def _time(fn, n: int) -> list[float]:
    out = []
    for i in range(n):
        started = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--checkpointer", choices=["none", "sqlite", "both"], default="both")
    args = parser.parse_args()

    experts = load_experts()
    embedder = Embedder()
    cached_embed = lru_cache(maxsize=None)(lambda text: embedder.embed([text])[0])

    def embed(texts):
        import numpy as np

        return np.stack([cached_embed(t) for t in texts])

    router = EmbeddingRouter(experts, embed, RouterConfig(always_on=("test_writer",)))
    deps = JobDeps(backend=ZeroLatencyModel(), router=router, experts=experts, verifiers=())
    request = JobRequest("Implement quicksort in Python", max_rounds=0)
    router.route(request.prompt)  # warm the cache

    modes = ["none", "sqlite"] if args.checkpointer == "both" else [args.checkpointer]
    with tempfile.TemporaryDirectory() as tmp:
        for mode in modes:
            checkpointer = None
            if mode == "sqlite":
                from langgraph.checkpoint.sqlite import SqliteSaver

                connection = sqlite3.connect(Path(tmp) / "cp.sqlite", check_same_thread=False)
                configure_sqlite(connection)  # as factforge.wiring.open_checkpointer does
                checkpointer = SqliteSaver(connection)
            runner = JobRunner(checkpointer)
            for i in range(10):  # warm-up both paths
                runner.run(request, deps, job_id=f"warm-{mode}-{i}")
                _plain_loop(request, deps)
            # interleave to share the machine's noise fairly
            graph_times, loop_times = [], []
            for i in range(args.jobs):
                job = f"{mode}-{i}"
                graph_times += _time(
                    lambda _, r=runner, job=job: r.run(request, deps, job_id=job), 1
                )
                loop_times += _time(lambda _: _plain_loop(request, deps), 1)
            g50, g95 = _percentiles(graph_times)
            l50, l95 = _percentiles(loop_times)
            print(f"checkpointer={mode:6s} jobs={args.jobs}")
            print(f"  graph      p50 {g50:7.2f} ms  p95 {g95:7.2f} ms")
            print(f"  plain loop p50 {l50:7.2f} ms  p95 {l95:7.2f} ms")
            print(
                f"  overhead   p50 {g50 - l50:7.2f} ms  p95 {g95 - l95:7.2f} ms per job; "
                f"ratio graph/loop p50 {g50 / l50:.1f}x  (goal: overhead <= 10 ms p50)"
            )


if __name__ == "__main__":
    main()
