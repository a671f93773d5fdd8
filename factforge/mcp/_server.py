"""The MCP server (official ``mcp`` SDK): tools ``generate_code``, ``factcheck``,
``kb_search``, ``kb_add_documents`` and the resource ``factforge://jobs/{job_id}``, all served
by the composition root's :class:`~factforge.services.Services` (no HTTP to itself)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from pydantic import Field

from factforge.mcp import _tools
from factforge.mcp._tools import ToolRefused

JOB_URI = "factforge://jobs/{job_id}"
EVENTS_WINDOW_S = 60.0  # one follow of the job's events; a longer job is followed again


def _describe(event: dict[str, Any]) -> str:
    node, data = event.get("node", "?"), event.get("data") or {}
    if node == "route":
        return "route: " + ", ".join(
            f"{e['name']} {e['weight']:.2f}" for e in data.get("experts", []) if e.get("activated"))
    if node == "verify":
        return f"verify: {data.get('status', '')}"
    return str(node)


async def _follow(services: Any, job_id: str, ctx: Context) -> dict[str, Any]:
    """Report each node event as progress until the job ends; returns its record."""
    queue = services.job_queue()
    cursor, steps = "0", 0
    while True:
        events = queue.events(job_id, cursor, timeout_s=EVENTS_WINDOW_S)
        while (item := await anyio.to_thread.run_sync(next, events, None)) is not None:
            cursor, event = item
            if event.get("type") == "node":
                steps += 1
                await ctx.report_progress(steps, None, _describe(event))
        record = await anyio.to_thread.run_sync(queue.get, job_id)
        if record.terminal:
            return record.to_dict()


def build_mcp_server(services: Any) -> MCPServer:
    """An MCP server over ``services`` (the API's, or the ``factforge mcp`` process's)."""
    server = MCPServer(
        "factforge", version="0.1.0",
        instructions="Verified code generation, fact-checking and a searchable knowledge base. "
                     "generate_code runs a job (progress notifications while it runs); its "
                     "record stays readable at factforge://jobs/{job_id}.",
    )

    async def call(fn: Any, *args: Any) -> Any:
        try:
            return await anyio.to_thread.run_sync(fn, services, *args)
        except ToolRefused as exc:
            raise ToolError(str(exc)) from exc

    @server.tool()
    async def generate_code(
        prompt: Annotated[str, Field(description="The programming task.")],
        ctx: Context,
        samples: Annotated[int | None, Field(description="Candidate solutions.")] = None,
        top_k: Annotated[int | None, Field(description="Experts to activate.")] = None,
        max_rounds: Annotated[int | None, Field(description="Repair rounds.")] = None,
        max_new_tokens: Annotated[int | None, Field(description="Tokens per call.")] = None,
        temperature: Annotated[float | None, Field(description="Sampling temperature.")] = None,
        seed: Annotated[int | None, Field(description="Random seed.")] = None,
    ) -> dict[str, Any]:
        """Generate verified code: runs a FactForge job (progress notifications per graph
        node) and returns its result: status (verified | failed | unverified), code,
        explanation, verdicts, experts, job_id. The record: factforge://jobs/{job_id}."""
        arguments = {"prompt": prompt, "samples": samples, "top_k": top_k,
                     "max_rounds": max_rounds, "max_new_tokens": max_new_tokens,
                     "temperature": temperature, "seed": seed}
        record = await call(_tools.submit_job, arguments)
        job_id = record.job_id
        await ctx.report_progress(0, None, f"job {job_id} {record.status}")
        try:
            final = await _follow(services, job_id, ctx)
        except anyio.get_cancelled_exc_class():
            with anyio.CancelScope(shield=True):  # the caller gave up: so does the job
                await anyio.to_thread.run_sync(services.job_queue().cancel, job_id)
            raise
        if final["status"] != "succeeded":
            error = final.get("error") or {}
            raise ToolError(f"{error.get('code', final['status'])}: job {job_id} "
                            f"{final['status']}: {error.get('message', '')}".rstrip(": "))
        return {"job_id": job_id, "resource": JOB_URI.format(job_id=job_id),
                **final["result"]}

    @server.tool()
    async def factcheck(
        text: Annotated[str | None, Field(description="Prose to extract claims from.")] = None,
        claims: Annotated[list[str] | None, Field(description="Claims to check as given.")]
        = None,
        documents: Annotated[list[dict[str, str]] | None, Field(
            description="Check against these {text, source?} documents instead of the "
                        "knowledge base (nothing is stored).")] = None,
        collection: Annotated[str | None, Field(description="Knowledge-base collection.")]
        = None,
        top_k: Annotated[int | None, Field(description="Evidence passages per claim.")] = None,
        judge: Annotated[str | None, Field(description="reader, builtin, cross, nli, llm.")]
        = None,
    ) -> dict[str, Any]:
        """Fact-check text or claims: per claim SUPPORTED / REFUTED / NOT_ENOUGH_INFO with a
        confidence and evidence (id, source, text, score), plus score and counts."""
        return await call(_tools.factcheck, {
            "text": text, "claims": claims, "documents": documents, "collection": collection,
            "top_k": top_k, "judge": judge})

    @server.tool()
    async def kb_search(
        query: Annotated[str, Field(description="What to look for.")],
        collection: Annotated[str | None, Field(description="Default: the configured one.")]
        = None,
        top_k: Annotated[int, Field(description="Hits (1..50).")] = 5,
    ) -> dict[str, Any]:
        """Hybrid (dense + BM25) search of the knowledge base: hits with source and text."""
        return await call(_tools.search, query, collection, top_k)

    @server.tool()
    async def kb_add_documents(
        documents: Annotated[list[dict[str, str]], Field(
            description="Documents {text, source?, title?, id?}.")],
        collection: Annotated[str | None, Field(description="Default: the configured one.")]
        = None,
    ) -> dict[str, Any]:
        """Add documents to the knowledge base (chunked, embedded; chunks already stored are
        skipped): counts of documents, chunks, added, skipped."""
        return await call(_tools.add_documents, documents, collection)

    @server.resource(JOB_URI, name="job", mime_type="application/json",
                     description="A FactForge job's record: status, progress, request, "
                                 "result (the job result), error.")
    async def job(job_id: str) -> str:
        try:
            record = await anyio.to_thread.run_sync(_tools.job_record, services, job_id)
        except ToolRefused as exc:
            raise ResourceError(str(exc)) from exc
        return json.dumps(record)

    return server
