"""``factforge factcheck TEXT | --file F [--json]``: fact-check text against the knowledge base.

The lead's CLI app mounts :func:`factcheck` as a command and puts an object with
``fact_checker(judge=...)`` (the composition root's services) in ``ctx.obj``.
Exit codes: 0 no claim refuted, 1 some claim refuted, 2 bad input or setup.
"""

from __future__ import annotations

import json as _json
from pathlib import Path
from typing import Annotated, Any

import typer

from factforge.cli.remote import ApiKeyOption, ServerOption, factcheck_remote
from factforge.text import text_problem
from knowledge import KnowledgeError
from plugins.factcheck import FactCheckError, FactCheckReport
from plugins.factcheck.documents import ContextDocument

__all__ = ["factcheck", "render", "run_factcheck"]

_STYLE = {"SUPPORTED": "green", "REFUTED": "red", "NOT_ENOUGH_INFO": "yellow"}


def render(report: FactCheckReport) -> None:
    """Print a report as a rich table."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"fact-check ({report.judge} judge)")
    table.add_column("claim", overflow="fold")
    table.add_column("verdict")
    table.add_column("conf.", justify="right")
    table.add_column("best evidence", overflow="fold")
    for c in report.claims:
        best = (
            escape(f"[{c.evidence[0].source or c.evidence[0].id}] {c.evidence[0].text}")
            if c.evidence
            else "-"
        )
        if c.reason:  # a rule decided: say why instead of the judge's best passage
            best = escape(c.reason)
        table.add_row(escape(c.text), f"[{_STYLE[c.verdict]}]{c.verdict}[/]",
                      f"{c.confidence:.2f}", best)
    console = Console()
    console.print(table)
    score = "n/a" if report.score is None else f"{report.score:.2f}"
    console.print(f"document score: {score}  {report.counts}")


def run_factcheck(
    services: Any,
    text: str,
    *,
    as_json: bool,
    collection: str | None,
    top_k: int,
    judge: str,
    documents: list[ContextDocument] | None = None,
) -> int:
    """Check ``text`` with ``services.fact_checker(judge=...)`` against ``collection`` or
    ``documents``; print; return the exit code."""
    try:
        checker = services.fact_checker(judge=judge)
        report = checker.check_text(
            text, top_k=top_k, collection=collection, documents=documents
        )
    except (FactCheckError, KnowledgeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        return 2
    if as_json:
        typer.echo(_json.dumps(report.to_dict(), indent=2))
    else:
        render(report)
    return 1 if report.counts.get("REFUTED", 0) else 0


def factcheck(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(help="Text to fact-check.")] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", "-f", help="Read the text from a file.", exists=True, dir_okay=False
        ),
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")] = False,
    collection: Annotated[
        str | None, typer.Option(help="Knowledge-base collection [FACTFORGE_FACTCHECK_COLLECTION].")
    ] = None,
    top_k: Annotated[
        int | None,
        typer.Option(min=1, max=50, help="Passages per claim [FACTFORGE_FACTCHECK_TOP_K]."),
    ] = None,
    judge: Annotated[
        str | None,
        typer.Option(
            help="reader, builtin, cross, nli, llm or a plugin's judge "
            "[FACTFORGE_FACTCHECK_JUDGE]."
        ),
    ] = None,
    document: Annotated[
        list[Path] | None,
        typer.Option(
            "--document", "-d", exists=True, dir_okay=False,
            help="Check against this file instead of the knowledge base (repeatable; "
            "nothing is stored).",
        ),
    ] = None,
    server: ServerOption = None,
    api_key: ApiKeyOption = None,
) -> None:
    """Fact-check TEXT (or --file) against the knowledge base or --document files; exit 1 if a
    claim is refuted."""
    if (text is None) == (file is None):
        raise typer.BadParameter("give TEXT or --file, not both")
    if file is not None:
        try:
            body = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise typer.BadParameter(f"cannot read {file}: {exc}", param_hint="--file") from exc
    else:
        body = text or ""
    if not body.strip():
        raise typer.BadParameter("the text is empty")
    if (problem := text_problem(body)) is not None:
        raise typer.BadParameter(f"the text {problem}",
                                 param_hint="--file" if file is not None else "TEXT")
    if server:
        raise typer.Exit(_remote(server, api_key, body, json, collection, top_k, judge, document))
    if ctx.obj is None or not hasattr(ctx.obj, "fact_checker"):
        typer.echo("error: fact-check services are not configured", err=True)
        raise typer.Exit(2)
    settings = ctx.obj.settings
    documents = None
    if document:
        if collection is not None:
            raise typer.BadParameter("give --collection or --document, not both")
        documents = []
        for path in document:
            try:
                documents.append(ContextDocument(path.read_text(encoding="utf-8"), path.name))
            except (OSError, UnicodeDecodeError) as exc:
                raise typer.BadParameter(
                    f"cannot read {path}: {exc}", param_hint="--document"
                ) from exc
    raise typer.Exit(
        run_factcheck(
            ctx.obj, body, as_json=json, documents=documents,
            collection=None if documents else collection or settings.factcheck_collection,
            top_k=top_k or settings.factcheck_top_k,
            judge=judge or settings.factcheck_judge,
        )
    )


def _remote(server: str, api_key: str | None, body: str, as_json: bool, collection: str | None,
            top_k: int | None, judge: str | None, document: list[Path] | None) -> int:
    """``--server``: the documents are read here and sent with the request."""
    documents = None
    if document:
        if collection is not None:
            raise typer.BadParameter("give --collection or --document, not both")
        documents = []
        for path in document:
            try:
                documents.append((path.read_text(encoding="utf-8"), path.name))
            except (OSError, UnicodeDecodeError) as exc:
                raise typer.BadParameter(
                    f"cannot read {path}: {exc}", param_hint="--document"
                ) from exc
    return factcheck_remote(server, api_key, body, as_json=as_json, documents=documents,
                            collection=collection, top_k=top_k, judge=judge)
