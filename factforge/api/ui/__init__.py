"""The web console at ``/ui``: three static files shipped in this package (no build step, no
CDN), served without the API key; every API call the page makes sends the key its user enters.

The page is plain JavaScript against the public ``/v1`` routes: it submits jobs and follows
their events, fact-checks text and adds documents to and searches the knowledge base. Its
Content-Security-Policy allows only this origin (no inline script, no third-party fetch).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from factforge.errors import ApiError

__all__ = ["ASSETS", "router"]

# file name -> media type; nothing else under /ui is served
ASSETS: dict[str, str] = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@cache
def _asset(name: str) -> bytes:
    return files(__package__).joinpath(name).read_bytes()


@router.get("/ui")
def console() -> Response:
    """The console's page (no key needed to load it)."""
    return asset("index.html")


@router.get("/ui/")
def console_slash() -> RedirectResponse:
    return RedirectResponse("/ui", status_code=308)


@router.get("/ui/{name}")
def asset(name: str) -> Response:
    """One of the console's files; 404 for anything else."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise ApiError(404, "not_found", f"no console file {name[:80]!r}; the console is /ui")
    return Response(_asset(name), media_type=media_type, headers=HEADERS)
