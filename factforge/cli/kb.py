"""``factforge kb``: ingest, query, inspect and prune the knowledge base."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from factforge.cli._common import (
    EXIT_FAILED,
    EXIT_USAGE,
    err_console,
    fail,
    load_settings,
    plural,
    print_json,
)

from factforge.text import text_problem

if TYPE_CHECKING:
    from knowledge import KnowledgeBase

__all__ = ["app"]

app = typer.Typer(
    help="Knowledge base: ingest documents, search them, show stats, delete by source.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


CollectionOpt = Annotated[
    str, typer.Option("--collection", "-c", help="Collection name.", show_default=True)
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def _open_kb() -> KnowledgeBase:
    from factforge.wiring import build_knowledge_base
    from knowledge import KnowledgeError

    settings = load_settings()
    try:
        return build_knowledge_base(settings)
    except KnowledgeError as exc:
        fail(str(exc), _exit_code(exc))


def _exit_code(exc: Exception) -> int:
    from knowledge import CollectionNotFound, InvalidInputError, KnowledgeConfigError

    bad_input = (CollectionNotFound, InvalidInputError, KnowledgeConfigError)
    return EXIT_USAGE if isinstance(exc, bad_input) else EXIT_FAILED


def _run(action: Any) -> Any:
    """Call ``action()``; a knowledge error becomes a clear message and an exit code."""
    from knowledge import KnowledgeError

    try:
        return action()
    except KnowledgeError as exc:
        fail(str(exc), _exit_code(exc))


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or directories (.txt .md .rst .html .jsonl), recursively."),
    ] = None,
    collection: CollectionOpt = "knowledge",
    package: Annotated[
        list[str] | None,
        typer.Option("--package", "-p", help="Also ingest the API docs of an installed package."),
    ] = None,
    max_modules: Annotated[
        int, typer.Option(min=1, help="Most modules to read per --package.")
    ] = 200,
    as_json: JsonOpt = False,
) -> None:
    """Add documents; chunks already stored are skipped, so re-running adds nothing."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from knowledge.loaders import load_paths
    from knowledge.pydocs import load_package_docs

    paths, packages = paths or [], package or []
    if not paths and not packages:
        fail("give at least one PATH or --package NAME")
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        fail(f"no such file or directory: {', '.join(missing)}")

    def load() -> list[Any]:
        documents = load_paths(paths)
        for name in packages:
            documents.extend(load_package_docs(name, max_modules=max_modules))
        return documents

    documents = _run(load)
    if not documents:
        fail("no documents found (supported: .txt .md .rst .html .htm .jsonl)")
    kb = _open_kb()
    columns = (TextColumn("embedding"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err_console, disable=as_json, transient=True) as bar:
        task = bar.add_task("ingest", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = _run(lambda: kb.ingest(documents, collection=collection, progress=progress))
    if as_json:
        print_json(
            {
                "collection": report.collection,
                "documents": report.documents,
                "chunks": report.chunks,
                "added": report.added,
                "skipped": report.skipped,
            }
        )
        return
    Console(highlight=False).print(
        f"{plural(report.documents, 'document')}, {plural(report.chunks, 'chunk')} into "
        f"[bold]{escape(report.collection)}[/]: added {report.added}, "
        f"skipped {report.skipped} (already stored)"
    )


@app.command()
def query(
    text: Annotated[str, typer.Argument(help="What to search for.")],
    collection: CollectionOpt = "knowledge",
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, max=100)] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Hybrid (dense + BM25) search; prints the best chunks."""
    if not text.strip():
        fail("the query is empty")
    if (problem := text_problem(text)) is not None:
        fail(f"TEXT {problem}")
    kb = _open_kb()
    hits = _run(lambda: kb.search(text, top_k=top_k, collection=collection))
    if as_json:
        print_json(
            [
                {
                    "id": h.id,
                    "source": h.source,
                    "text": h.text,
                    "score": h.score,
                    "metadata": h.metadata,
                }
                for h in hits
            ]
        )
        return
    if not hits:
        err_console.print(f"collection {escape(collection)} is empty")
        return
    console = Console(highlight=False, soft_wrap=True)
    for rank, hit in enumerate(hits, start=1):
        snippet = " ".join(hit.text.split())
        snippet = snippet if len(snippet) <= 300 else snippet[:297] + "..."
        similarity = hit.metadata.get("similarity", 0.0)
        console.print(
            f"[bold]{rank}.[/] score {hit.score:.3f}  sim {similarity:.3f}  "
            f"[cyan]{escape(hit.source)}[/]"
        )
        console.print(f"   {escape(snippet)}")


@app.command()
def stats(
    collection: Annotated[
        str | None, typer.Option("--collection", "-c", help="One collection (default: all).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Chunk counts per collection and per source."""
    kb = _open_kb()
    names = [collection] if collection else _run(kb.list_collections)
    all_stats = [_run(lambda n=name: kb.stats(n)) for name in names]
    if as_json:
        print_json(
            [{"collection": s.name, "count": s.count, "sources": s.sources} for s in all_stats]
        )
        return
    if not all_stats:
        err_console.print("no collections yet: add documents with `factforge kb ingest PATH`")
        return
    console = Console(highlight=False, soft_wrap=True)
    for s in all_stats:  # sources are long paths: plain lines, never truncated
        console.print(f"[bold]{escape(s.name)}[/]: {plural(s.count, 'chunk')} from "
                      f"{plural(len(s.sources), 'source')}")
        for source, count in s.sources.items():
            console.print(f"{count:>7}  {escape(source)}")


@app.command()
def delete(
    source: Annotated[str, typer.Option("--source", "-s", help="Source to delete (see stats).")],
    collection: CollectionOpt = "knowledge",
    as_json: JsonOpt = False,
) -> None:
    """Delete every chunk of one source (a file path is resolved like ingest does)."""
    if not source.strip():
        fail("--source is empty")
    if Path(source).exists():
        source = str(Path(source).resolve())
    kb = _open_kb()
    deleted = _run(lambda: kb.delete_source(source, collection=collection))
    if as_json:
        print_json({"collection": collection, "source": source, "deleted": deleted})
        return
    if not deleted:
        err_console.print(
            f"nothing to delete: no chunks from {escape(source)} in {escape(collection)}"
        )
        return
    Console(highlight=False).print(f"deleted {plural(deleted, 'chunk')} of {escape(source)}")
