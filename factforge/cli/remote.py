"""``factforge generate`` and ``factforge factcheck`` with ``--server URL``: the same output and
exit codes as in-process, from a FactForge server through :mod:`factforge.client`."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.live import Live

from factforge.cli._common import EXIT_FAILED, EXIT_OK, EXIT_UNVERIFIED, err_console, fail

__all__ = ["ApiKeyOption", "ServerOption", "factcheck_remote", "generate_remote"]

ServerOption = Annotated[str | None, typer.Option(
    "--server", envvar="FACTFORGE_SERVER", show_envvar=True,
    help="Talk to this FactForge server (http://host:port) instead of running in-process.")]
ApiKeyOption = Annotated[str | None, typer.Option(
    "--api-key", envvar="FACTFORGE_API_KEY", show_envvar=True,
    help="The server's API key (with --server).")]

JOB_WAIT_S = 24 * 3600.0  # a remote job that runs longer than this is given up on


def _client(server: str, api_key: str | None) -> Any:
    from factforge.client import ClientError, FactForge

    try:
        return FactForge(server, api_key=api_key or None, timeout=120)
    except ClientError as exc:
        fail(str(exc).replace("base_url", "--server"))


def _follow(client: Any, job_id: str, progress: Any) -> None:
    """Feed the job's node events to the progress display until the job ends."""
    from factforge.client import ClientError

    try:
        for event in client.events(job_id):
            progress(event.data)
    except ClientError:  # the stream broke: the record (waited for next) still says how it ended
        return


def generate_remote(server: str, api_key: str | None, prompt: str, options: dict[str, Any],
                    *, json_output: bool) -> int:
    """Run the job on ``server``; print as the in-process command does; return the exit code."""
    from factforge.cli.generate import _Progress, emit_result
    from factforge.client import APIError, ClientError

    with _client(server, api_key) as client:
        try:
            job_id = client.submit(prompt, **options).job_id
            if not json_output:
                err_console.print(f"[bold]server[/] {client.base_url} (job {job_id})")
                progress = _Progress()
                if progress.lines:
                    _follow(client, job_id, progress)
                else:
                    with Live(progress.render(), console=err_console, refresh_per_second=8,
                              transient=False) as live:
                        progress.live = live
                        _follow(client, job_id, progress)
            record = client.wait(job_id, timeout=JOB_WAIT_S)
        except APIError as exc:
            fail(exc.message if exc.status < 500 else str(exc))
        except ClientError as exc:
            fail(str(exc))
    if record.status == "cancelled":
        fail(f"job {job_id} was cancelled", EXIT_FAILED)
    if record.status != "succeeded":
        error = record.error
        fail(f"job {job_id} failed: {error.message if error else 'no reason given'}")
    emit_result(record.result, json_output=json_output)
    return {"verified": EXIT_OK, "unverified": EXIT_UNVERIFIED}.get(
        record.result["status"], EXIT_FAILED)


def factcheck_remote(server: str, api_key: str | None, text: str, *, as_json: bool,
                     documents: list[tuple[str, str]] | None, collection: str | None,
                     top_k: int | None, judge: str | None) -> int:
    """Fact-check ``text`` on ``server``; print as in-process; return the exit code."""
    from factforge.cli.factcheck import render
    from factforge.client import ClientError

    docs = [{"text": t, "source": s} for t, s in documents] if documents else None
    with _client(server, api_key) as client:
        try:
            report = client.factcheck(text, documents=docs, collection=collection,
                                      top_k=top_k, judge=judge)
        except ClientError as exc:
            typer.echo(f"error: {getattr(exc, 'message', None) or exc}", err=True)
            return 2
    if as_json:
        typer.echo(json.dumps(report.model_dump(mode="json", exclude_unset=True), indent=2))
    else:
        render(report)
    return 1 if report.counts.get("REFUTED", 0) else 0
