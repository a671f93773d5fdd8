"""``factforge generate``: run one code-generation job in-process with live progress."""

from __future__ import annotations

import sys
import uuid
from typing import Annotated, Any

import typer
from rich.console import Group
from rich.live import Live
from rich.markup import escape
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table

from agents import AgentsError, JobError, JobRunner
from factforge.cli.remote import ApiKeyOption, ServerOption, generate_remote
from factforge.cli._common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_UNVERIFIED,
    err_console,
    fail,
    load_settings,
    name_flags,
    out_console,
    plural,
    print_json,
)
from factforge.errors import FactForgeError
from factforge.services import Services
from factforge.wiring import job_request, open_checkpointer
from knowledge import KnowledgeError
from plugins import PluginsError

_STATUS_STYLE = {"pass": "green", "fail": "red", "error": "red", "warn": "yellow", "skipped": "dim"}


class _Progress:
    """Collects node events: a live table on a terminal's stderr, else one line per event
    (a pipe or a log gets whole lines, and an error after them starts on its own line)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str]] = []
        self.live: Live | None = None
        self.lines = not err_console.is_terminal

    def __call__(self, event: dict[str, Any]) -> None:
        if event["type"] != "node":
            return
        node, data = event["node"], event["data"]
        if node == "route":
            active = [f"{e['name']} {e['weight']:.2f}" for e in data["experts"] if e["activated"]]
            detail = "activated " + ", ".join(active)
        elif node == "verify":
            detail = data["status"] + ": " + ", ".join(
                f"{v['plugin']}={v['status']}" for v in data["verdicts"]
            )
        else:
            detail = ", ".join(f"{k}={v}" for k, v in data.items())
        self.rows.append((node, detail))
        if self.lines:
            err_console.print(f"{node}: {detail}", highlight=False, soft_wrap=True, markup=False)
        elif self.live is not None:
            self.live.update(self.render())

    def render(self) -> Table:
        table = Table(title="FactForge job", show_header=True, header_style="bold")
        table.add_column("node")
        table.add_column("what happened")
        for node, detail in self.rows:
            table.add_row(node, detail)
        return table


def _report(result: dict[str, Any]) -> Group:
    """Everything but the code (which goes to stdout): router weights, verdicts, summary."""
    experts = Table(title="Router weights", header_style="bold")
    experts.add_column("expert")
    experts.add_column("role")
    experts.add_column("weight", justify="right")
    experts.add_column("active")
    for e in result["experts"]:
        experts.add_row(e["name"], e["role"], f"{e['weight']:.3f}", "yes" if e["activated"] else "")
    verdicts = Table(title="Verification", header_style="bold")
    verdicts.add_column("plugin")
    verdicts.add_column("status")
    verdicts.add_column("message")
    for v in result["verdicts"]:
        style = _STATUS_STYLE.get(v["status"], "")
        verdicts.add_row(v["plugin"], f"[{style}]{v['status']}[/]", v["message"])
    colour = {"verified": "green", "unverified": "yellow"}.get(result["status"], "red")
    return Group(
        experts,
        verdicts,
        f"[bold {colour}]{result['status'].upper()}[/] after "
        f"{plural(result['rounds'], 'round')}, "
        f"{plural(result['usage']['calls'], 'model call')}, "
        f"{result['timings'].get('total', 0):.1f} s",
        escape(result.get("reason", "")),
    )


def emit_result(result: dict[str, Any], *, json_output: bool) -> None:
    """The result on stdout (the JSON, or the code alone, so ``> solution.py`` writes it); the
    report on stderr."""
    if json_output:
        print_json(result)
        return
    err_console.print(_report(result))
    code = result.get("code") or ""
    if not code:
        err_console.print("(no code)")
        return
    if out_console.is_terminal:
        out_console.print(Panel(Syntax(code, result["language"], line_numbers=True),
                                title="Code"))
    else:
        sys.stdout.write(code if code.endswith("\n") else code + "\n")
        sys.stdout.flush()


def generate(
    prompt: Annotated[str, typer.Argument(help="What to implement.")],
    json_output: Annotated[
        bool, typer.Option("--json", help="Print only the JSON result.")
    ] = False,
    model: Annotated[str | None, typer.Option(help="Model hub id or local path.")] = None,
    backend: Annotated[str | None, typer.Option(help="transformers | openai | remote")] = None,
    samples: Annotated[int | None, typer.Option(help="Candidate solutions to draft.")] = None,
    top_k: Annotated[int | None, typer.Option("--top-k", help="Experts to activate.")] = None,
    max_rounds: Annotated[int | None, typer.Option(help="Repair rounds after failures.")] = None,
    max_new_tokens: Annotated[int | None, typer.Option(help="Token budget per call.")] = None,
    temperature: Annotated[float | None, typer.Option(help="Sampling temperature.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    job_id: Annotated[
        str | None, typer.Option(help="Job id; an interrupted job with this id resumes.")
    ] = None,
    server: ServerOption = None,
    api_key: ApiKeyOption = None,
) -> None:
    """Generate verified code for PROMPT.

    Exit 0 when verified, 1 when a check failed, 2 on bad input or configuration, 3 when
    unverified (nothing failed, but no check passed: every verifier disabled or skipped).
    With --server the job runs there (same output and exit codes).
    """
    if server:
        local = {"--model": model, "--backend": backend, "--job-id": job_id}
        for flag, value in local.items():
            if value is not None:
                fail(f"{flag} is the server's business: not with --server")
        options = {"samples": samples, "top_k": top_k, "max_rounds": max_rounds,
                   "max_new_tokens": max_new_tokens, "temperature": temperature, "seed": seed}
        raise typer.Exit(generate_remote(
            server, api_key, prompt, {k: v for k, v in options.items() if v is not None},
            json_output=json_output))
    settings = load_settings(model=model, backend=backend)
    try:
        request = job_request(settings, {
            "prompt": prompt, "samples": samples, "top_k": top_k, "max_rounds": max_rounds,
            "max_new_tokens": max_new_tokens, "temperature": temperature, "seed": seed,
        })
    except JobError as exc:
        fail(str(exc))
    progress = _Progress()
    services = Services(settings)
    checkpointer = None
    try:
        deps = services.job_deps()
        checkpointer = open_checkpointer(settings)
        runner = JobRunner(checkpointer)
        if json_output:
            result = runner.run(request, deps, job_id=job_id or uuid.uuid4().hex)
        else:
            err_console.print(f"[bold]model[/] {settings.model} ({settings.backend} backend)")
            if progress.lines:
                result = runner.run(
                    request, deps, job_id=job_id or uuid.uuid4().hex, on_event=progress
                )
            else:
                with Live(progress.render(), console=err_console, refresh_per_second=8,
                          transient=False) as live:
                    progress.live = live
                    result = runner.run(
                        request, deps, job_id=job_id or uuid.uuid4().hex, on_event=progress
                    )
    except (AgentsError, FactForgeError, KnowledgeError, PluginsError) as exc:
        fail(name_flags(str(exc), model=model, backend=backend))
    finally:
        services.close()
        if checkpointer is not None:
            checkpointer.conn.close()
    emit_result(result, json_output=json_output)
    exit_codes = {"verified": EXIT_OK, "unverified": EXIT_UNVERIFIED}
    raise typer.Exit(exit_codes.get(result["status"], EXIT_FAILED))
