"""The API's own documentation pages, `/docs` (Swagger UI) and `/redoc` (ReDoc), from files on this
machine: the browser needs no internet and the pages run under a script policy as strict as the
workbench's (scripts from this site only, none inline).

Swagger UI (Apache-2.0) and ReDoc (MIT) are the builds shipped in the `fastapi-offline` package (MIT);
their licence notices travel inside the files. FastAPI's own pages would load both from a CDN and start
Swagger UI with an inline script, so the app turns them off (`docs_url=None`) and includes this router.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from markupsafe import escape

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).parent
VENDORED = Path(fastapi_offline.__file__).parent / "static"
ASSETS = {
    "swagger-ui-bundle.js": (VENDORED, "text/javascript"),
    "swagger-ui.css": (VENDORED, "text/css"),
    "redoc.standalone.js": (VENDORED, "text/javascript"),
    "favicon.png": (VENDORED, "image/png"),
    "swagger-init.js": (HERE, "text/javascript"),
}
# ReDoc styles itself with <style> elements and runs its search in a worker made from a blob; nothing
# else is loosened: no inline or evaluated script, no other site, no frames.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _page(request: Request, name: str) -> HTMLResponse:
    app = request.app
    openapi = f"{request.scope.get('root_path', '')}{app.openapi_url}"
    html = (HERE / name).read_text(encoding="utf-8").format(title=escape(app.title), openapi=escape(openapi))
    return HTMLResponse(html, headers=HEADERS)


@router.get("/docs")
def swagger_ui(request: Request) -> Response:
    return _page(request, "swagger.html")


@router.get("/redoc")
def redoc(request: Request) -> Response:
    return _page(request, "redoc.html")


@router.get("/docs/assets/{name}")
def asset(name: str) -> Response:
    if name not in ASSETS:
        raise HTTPException(status_code=404, detail=f"no documentation asset {name}")
    folder, media_type = ASSETS[name]
    # Pinned with the installed package: a day of caching spares the 1 MB bundles on every visit.
    return FileResponse(folder / name, media_type=media_type, headers={**HEADERS, "Cache-Control": "public, max-age=86400"})
