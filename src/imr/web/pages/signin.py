"""Sign in and out of the workbench, and its static files (CSS, the vendored HTMX)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from imr.cases.errors import NotFoundError
from imr.web.api.users import client_address
from imr.web.auth import SESSION_COOKIE, NotSignedIn
from imr.web.pages.render import STATIC, page
from imr.web.pages.routing import PageRoute
from imr.web.pages.session import CSRF_FIELD, PageSession, check_csrf, csrf_token_of, end_session, form_session, start_session

router = APIRouter(route_class=PageRoute)
_STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml", ".png": "image/png"}
_REASONS = {
    "expired": "Your session expired. Sign in again.",
    "required": "Sign in to continue.",
    "signed_out": "You are signed out.",
}


def _safe_next(target: str | None) -> str:
    # Only paths of this site: an open redirect would let a link send a reviewer anywhere after sign-in.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/queue"


@router.get("/")
def home() -> Response:
    return RedirectResponse("/queue", status_code=303)


@router.get("/login")
def login_form(request: Request, next: str | None = None, reason: str | None = None) -> Response:
    return page(
        request,
        "login.html",
        {
            "session": None,
            "csrf": csrf_token_of(request),
            "next": _safe_next(next),
            "notice": _REASONS.get(reason or ""),
            "error": None,
        },
    )


@router.post("/login")
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/queue"),
    csrf_token: str = Form("", alias=CSRF_FIELD),
) -> Response:
    check_csrf(request, csrf_token, None, any_user=True)
    try:
        token, actor = request.app.state.authenticator.sign_in(username, password, client_address(request))
    except NotSignedIn as error:
        return page(
            request,
            "login.html",
            {"session": None, "csrf": csrf_token_of(request), "next": _safe_next(next), "notice": None, "error": str(error)},
            status_code=getattr(error, "status", 401),
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    start_session(request, response, token, actor.username)
    return response


@router.post("/logout")
def logout(request: Request, _session: PageSession = Depends(form_session)) -> Response:
    request.app.state.authenticator.revoke(request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login?reason=signed_out", status_code=303)
    end_session(response)
    return response


@router.get("/static/{name}")
def static(name: str) -> Response:
    path = STATIC / name
    if "/" in name or name.startswith(".") or path.suffix not in _STATIC_TYPES or not path.is_file():
        raise NotFoundError(f"no static file {name}")
    # Versioned by content in practice (HTMX is pinned), so a day of caching is safe and spares reloads.
    return FileResponse(path, media_type=_STATIC_TYPES[path.suffix], headers={"Cache-Control": "public, max-age=86400"})
