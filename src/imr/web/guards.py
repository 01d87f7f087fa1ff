"""What every request and response passes through: a bound on the request body, the headers that keep
case data out of caches and stop browsers guessing content types, and the last word on unexpected
errors (logged as class and reference only, so the server never logs their text).

The body bound is enforced twice: a declared Content-Length over it is refused before anything is read,
and a body streamed without one is cut off as soon as it passes it (413 either way).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imr.web.api.problems import internal_error, problem

MEGABYTE = 1024 * 1024
# JSON bodies and plain forms: a case file with its records inline is a few megabytes.
MAX_BODY_BYTES = 10 * MEGABYTE
# Multipart uploads: a case file and its records (each record at most 50 MB).
MAX_UPLOAD_BYTES = 120 * MEGABYTE
# Static assets carry no case data and may be cached; every other response may carry PHI.
STATIC_PREFIX = "/static/"
NO_STORE_HEADERS = ((b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff"))


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit // MEGABYTE} MB")


def body_limit(scope: Scope) -> int:
    headers = dict(scope.get("headers") or [])
    media_type = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
    return MAX_UPLOAD_BYTES if media_type == b"multipart/form-data" else MAX_BODY_BYTES


class RequestGuard:
    """ASGI middleware: bounded request bodies; `Cache-Control: no-store` and `nosniff` on responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.strip().isdigit() or int(declared) > limit):
            response = problem(413, BodyTooLarge(limit).detail, "body-too-large", scope.get("path", ""))
            await response(scope, receive, self._with_headers(scope, send))
            return
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        started = False
        send_with_headers = self._with_headers(scope, send)

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.app(scope, bounded_receive, tracked_send)
        except Exception as error:  # noqa: BLE001 - answered here so that no server logs its text
            # The server would log the traceback, and a database error's text carries case data.
            response = internal_error(error, scope.get("method", ""), scope.get("path", ""))
            if not started:
                await response(scope, receive, send_with_headers)

    @staticmethod
    def _with_headers(scope: Scope, send: Send) -> Send:
        if str(scope.get("path", "")).startswith(STATIC_PREFIX):
            return send

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in NO_STORE_HEADERS if name not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        return send_with_headers
