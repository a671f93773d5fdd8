"""Overhead of the OpenAI-compatible path over the Job API, for the same job, same server.

One FactForge app (embedded mode, its own temp data dir) served by uvicorn on 127.0.0.1 in
this process, with a zero-latency stand-in model (a benchmark tool: canned quicksort answers)
and the syntax verifier only, so that the job itself is short and the difference between the
paths is what is measured. Each round runs the same task both ways, in alternating order:

  jobs      POST /v1/jobs, then GET /v1/jobs/{id}?wait=60 (the long poll) until it ended
  openai    POST /v1/chat/completions (one request; answered when the job ended)

and, with ``--stream``, the streaming pair:

  jobs+sse  POST /v1/jobs, then GET /v1/jobs/{id}/events until the status event, then GET
            /v1/jobs/{id} for the result
  openai+sse POST /v1/chat/completions with stream: true until data: [DONE]

It prints p50/p95 of each path and the overhead (openai minus jobs): of the p50s and the
median of the paired per-round differences (goal: under 5 ms p50). The job itself varies by
more than that on a busy machine, so it also times, in-process, the work only the OpenAI path
does per request: validating the ChatCompletion request and turning the job's record into a
ChatCompletion (and, streaming, each event into a chunk).

    python bench/openai_overhead.py [--rounds 200] [--warmup 10] [--stream]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import httpx  # noqa: E402
import uvicorn  # noqa: E402

from agents.llm import Generation  # noqa: E402
from factforge.api import create_app  # noqa: E402
from factforge.services import Services  # noqa: E402
from factforge.settings import Settings  # noqa: E402

TASK = "Implement quicksort in Python"
ANSWER = ("Quicksort partitions around a pivot.\n```python\ndef quicksort(xs):\n"
          "    return sorted(xs)\n```\n")
TESTS = "```python\nassert quicksort([2, 1]) == [1, 2]\n```\n"


class ZeroLatencyModel:
    """Answers at once: code for the author, asserts for the tester, LGTM for reviewers."""

    name = "zero-latency"

    def generate(self, requests):
        out = []
        for request in requests:
            system = request.messages[0].content if request.messages else ""
            text = ANSWER if "algorithm designer" in system else (
                TESTS if "test engineer" in system else "LGTM")
            out.append(Generation(text, 10, 10))
        return out


def _serve(data_dir: Path) -> tuple[uvicorn.Server, str]:
    settings = Settings(data_dir=data_dir, max_rounds=0, plugins_allow=["syntax"])
    services = Services(settings, backend=ZeroLatencyModel())
    server = uvicorn.Server(uvicorn.Config(create_app(settings, services), host="127.0.0.1",
                                           port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


def jobs_path(http: httpx.Client) -> str:
    job_id = http.post("/v1/jobs", json={"prompt": TASK}).json()["job_id"]
    record = http.get(f"/v1/jobs/{job_id}", params={"wait": 60}).json()
    while record["status"] in ("queued", "running"):  # the first job loads the router's MiniLM
        record = http.get(f"/v1/jobs/{job_id}", params={"wait": 60}).json()
    assert record["status"] == "succeeded", record
    return record["result"]["code"]


def openai_path(http: httpx.Client) -> str:
    answer = http.post("/v1/chat/completions", json={
        "model": "factforge", "messages": [{"role": "user", "content": TASK}]}).json()
    assert answer["choices"][0]["finish_reason"] == "stop", answer
    return answer["choices"][0]["message"]["content"]


def jobs_sse_path(http: httpx.Client) -> str:
    job_id = http.post("/v1/jobs", json={"prompt": TASK}).json()["job_id"]
    with http.stream("GET", f"/v1/jobs/{job_id}/events") as response:
        for line in response.iter_lines():
            if line.startswith("data: ") and '"type": "status"' in line:
                break
    return http.get(f"/v1/jobs/{job_id}").json()["result"]["code"]


def openai_sse_path(http: httpx.Client) -> str:
    text = []
    with http.stream("POST", "/v1/chat/completions", json={
            "model": "factforge", "stream": True,
            "messages": [{"role": "user", "content": TASK}]}) as response:
        for line in response.iter_lines():
            if line == "data: [DONE]":
                break
            if line.startswith("data: "):
                for choice in json.loads(line[6:]).get("choices", []):
                    text.append(choice["delta"].get("content") or "")
    return "".join(text)


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def compare(http: httpx.Client, base, other, rounds: int, warmup: int) -> dict[str, list[float]]:
    for _ in range(warmup):
        base(http), other(http)
    times: dict[str, list[float]] = {"base": [], "other": []}
    for i in range(rounds):
        order = (("base", base), ("other", other)) if i % 2 == 0 else (
            ("other", other), ("base", base))
        for name, path in order:
            started = time.perf_counter()
            path(http)
            times[name].append(time.perf_counter() - started)
    return times


def report(label_base: str, label_other: str, times: dict[str, list[float]]) -> float:
    (b50, b95), (o50, o95) = _ms(times["base"]), _ms(times["other"])
    paired = statistics.median(o - b for o, b in zip(times["other"], times["base"])) * 1000
    print(f"  {label_base:<11} p50 {b50:7.2f} ms   p95 {b95:7.2f} ms")
    print(f"  {label_other:<11} p50 {o50:7.2f} ms   p95 {o95:7.2f} ms")
    print(f"  overhead    p50 {o50 - b50:+7.2f} ms   p95 {o95 - b95:+7.2f} ms   "
          f"paired median {paired:+.2f} ms")
    return o50 - b50


def layer_cost(http: httpx.Client) -> None:
    """Microseconds of the OpenAI layer's own work per request, on a real job record."""
    from factforge.api import openai_format as fmt
    from factforge.api.routes.openai_compat import ChatCompletionRequest

    job_id = http.post("/v1/jobs", json={"prompt": TASK}).json()["job_id"]
    record = http.get(f"/v1/jobs/{job_id}", params={"wait": 60}).json()
    events = [json.loads(line[6:]) for line in http.get(f"/v1/jobs/{job_id}/events").text
              .splitlines() if line.startswith("data: ")]
    body = json.dumps({"model": "factforge", "messages": [
        {"role": "system", "content": "You are terse."}, {"role": "user", "content": TASK}]})

    def request_side() -> None:
        ChatCompletionRequest.model_validate_json(body).job_fields()

    def answer_side() -> None:
        json.dumps(fmt.completion(record, "factforge"))

    def stream_side() -> None:
        for event in events:
            fmt.sse(fmt.chunk(job_id, 0, "factforge", extra={
                "job_id": job_id, "event": event, "progress": fmt.event_summary(event)}))

    for label, fn in (("validate request", request_side), ("format answer", answer_side),
                      (f"format {len(events)} event chunks", stream_side)):
        n = 2000
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(n):
                fn()
            samples.append((time.perf_counter() - started) / n)
        print(f"  {label:<24} {min(samples) * 1e6:8.1f} us (best of 5 x {n})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--stream", action="store_true", help="also the streaming pair")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, url = _serve(Path(tmp))
        try:
            with httpx.Client(base_url=url, timeout=120) as http:
                assert "def quicksort" in jobs_path(http)  # first job: loads the router
                assert "def quicksort" in openai_path(http)
                print(f"{args.rounds} rounds of each path, alternating ({os.cpu_count()} CPUs)")
                overhead = report("jobs", "openai", compare(
                    http, jobs_path, openai_path, args.rounds, args.warmup))
                if args.stream:
                    report("jobs+sse", "openai+sse", compare(
                        http, jobs_sse_path, openai_sse_path, args.rounds, args.warmup))
                print("the OpenAI layer's own work, in-process:")
                layer_cost(http)
        finally:
            server.should_exit = True
            time.sleep(0.5)
    print(f"goal: openai overhead < 5 ms p50: {'met' if overhead < 5 else 'NOT met'}")


if __name__ == "__main__":
    main()
