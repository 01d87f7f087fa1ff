"""How a page request ends: refusals as HTML pages, sign-in redirects, cookies and security headers.

The API answers refusals with problem details (JSON); a person in a browser needs a page instead. This
route class catches the same errors for the page routes only, so the API's handlers stay untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute

from imr.errors import CaseFileError, ImrError
from imr.web.auth import NotSignedIn
from imr.web.pages.render import page
from imr.web.pages.session import CsrfRefused, finish

# Scripts only from this site (HTMX is vendored): case text that slipped through escaping still could
# not run. Inline styles are allowed for the charts' sizes; frames only from here (the letter preview).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Case data must not linger in shared caches or the browser's back-forward cache.
    "Cache-Control": "no-store",
}


def _sign_in_redirect(request: Request, error: NotSignedIn) -> Response:
    target = request.url.path if request.method == "GET" else "/queue"
    reason = "expired" if "expired" in str(error) else "required"
    location = f"/login?reason={reason}&next={quote(target, safe='/')}"
    if request.headers.get("HX-Request"):
        # A partial update must not swap the sign-in page into the table: HTMX loads the whole page.
        return Response(status_code=204, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


def _error_page(request: Request, status: int, message: str) -> Response:
    session = getattr(request.state, "page_session", None)
    return page(request, "error.html", {"session": session, "status": status, "message": message}, status_code=status)


class PageRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                response = await handle(request)
            except CsrfRefused as error:
                response = _error_page(request, 403, str(error))
            except NotSignedIn as error:
                response = _sign_in_redirect(request, error)
            except CaseFileError as error:
                response = _error_page(request, 422, str(error))
            except ImrError as error:
                response = _error_page(request, int(getattr(error, "status", 400)), str(error))
            except RequestValidationError as error:
                first = error.errors()[0] if error.errors() else {"loc": [], "msg": "invalid form"}
                where = ".".join(str(p) for p in first["loc"][1:]) or "form"
                response = _error_page(request, 422, f"{where}: {first['msg']}")
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return finish(request, response)

        return page_handler
