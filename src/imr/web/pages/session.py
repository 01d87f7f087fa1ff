"""Signed-in sessions of the workbench: the session cookie, its sliding expiry, and the CSRF token.

The session cookie holds the auth module's signed token (`imr.web.auth`), so the pages and the API
share one notion of who is signed in, one password check and one expiry (IMR_SESSION_MINUTES). Every
page a signed-in user opens re-issues the token, so the session ends after that many minutes *idle*.

Forms carry a per-session CSRF token: a random nonce signed with the app's secret and bound to the user
name, kept in its own cookie and repeated in a hidden field; a POST whose field does not match the
cookie, or whose token names someone else, is refused before anything is read or written. Both cookies
are HttpOnly and SameSite=Strict, so another site can neither read them nor make the browser send them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from imr.cases import Actor
from imr.web.auth import SESSION_COOKIE, NotSignedIn, current_actor, secret_key

CSRF_COOKIE = "imr_csrf"
CSRF_FIELD = "csrf_token"


class CsrfRefused(NotSignedIn):
    """A form arrived without the session's CSRF token (a forged or stale form)."""

    status = 403


@dataclass(frozen=True)
class PageSession:
    """The signed-in user of a page request and the CSRF token its forms must carry."""

    actor: Actor
    csrf: str


def _csrf_signer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(request.app.state.settings), salt="imr-pages-csrf")


def new_csrf_token(request: Request, username: str | None) -> str:
    return _csrf_signer(request).dumps({"n": secrets.token_urlsafe(16), "u": username})


def csrf_token_of(request: Request) -> str:
    """The CSRF token of this browser (minted when absent: the sign-in form needs one too)."""
    token = request.cookies.get(CSRF_COOKIE)
    if token is None:
        token = getattr(request.state, "new_csrf", None) or new_csrf_token(request, None)
        request.state.new_csrf = token
    return token


def check_csrf(request: Request, submitted: str | None, username: str | None, *, any_user: bool = False) -> None:
    """Refuse a form whose token is missing, differs from the cookie's, or belongs to someone else
    (`any_user`: the sign-in form, which a signed-in browser may post as well)."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not submitted or not cookie or not secrets.compare_digest(submitted, cookie):
        raise CsrfRefused("the form is out of date or did not come from this site; reload the page and try again")
    try:
        claims = _csrf_signer(request).loads(cookie)
    except BadSignature:
        raise CsrfRefused("the form's security token is invalid; reload the page and try again") from None
    if not any_user and claims.get("u") != username:
        raise CsrfRefused("the form belongs to another session; reload the page and try again")


async def form_session(request: Request) -> PageSession:
    """The dependency of every form post: the signed-in user, once the form's CSRF token checks out."""
    session = page_session(request)
    form = await request.form()
    submitted = form.get(CSRF_FIELD)
    check_csrf(request, submitted if isinstance(submitted, str) else None, session.actor.username)
    return session


def page_session(request: Request) -> PageSession:
    """The dependency of every signed-in page: who is signed in; restarts the session's idle timer."""
    actor = current_actor(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token and not request.headers.get("authorization"):
        request.state.refreshed_session = request.app.state.authenticator.renew(token)
    csrf = request.cookies.get(CSRF_COOKIE)
    if csrf is None or _csrf_user(request, csrf) != actor.username:
        csrf = new_csrf_token(request, actor.username)
        request.state.new_csrf = csrf
    request.state.page_session = PageSession(actor=actor, csrf=csrf)
    return request.state.page_session


def _csrf_user(request: Request, token: str) -> str | None:
    try:
        return _csrf_signer(request).loads(token).get("u")
    except BadSignature:
        return None


def start_session(request: Request, response: Response, token: str, username: str) -> None:
    """Set the cookies of a fresh sign-in: a new session token and a new CSRF token bound to the user."""
    set_session_cookie(request, response, token)
    _set_cookie(request, response, CSRF_COOKIE, new_csrf_token(request, username))


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    _set_cookie(request, response, SESSION_COOKIE, token)


def _set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    # The cookie lives as long as the token it carries; the token's own signature decides expiry.
    max_age = request.app.state.authenticator.max_age
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )


def finish(request: Request, response: Response) -> Response:
    """Attach the cookies this request minted (a refreshed session, a first CSRF token)."""
    refreshed = getattr(request.state, "refreshed_session", None)
    if refreshed and SESSION_COOKIE not in _cookies_set(response):
        set_session_cookie(request, response, refreshed)
    fresh_csrf = getattr(request.state, "new_csrf", None)
    if fresh_csrf and CSRF_COOKIE not in _cookies_set(response):
        _set_cookie(request, response, CSRF_COOKIE, fresh_csrf)
    return response


def _cookies_set(response: Response) -> set[str]:
    names = set()
    for key, value in response.raw_headers:
        if key.lower() == b"set-cookie":
            names.add(value.split(b"=", 1)[0].decode("latin-1"))
    return names
