"""Errors as problem details (RFC 9457): `application/problem+json` with type, title, status, detail.

A refused operation's one-line message becomes `detail`; an unexpected error says only that it
happened (its text could carry case data), with an id that the server's log line repeats.
"""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from imr.errors import CaseFileError, ImrError, log_unexpected

MEDIA_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
}
_log = logging.getLogger("imr.web")


def problem(status: int, detail: str, kind: str, instance: str, **extra: object) -> JSONResponse:
    body = {
        "type": f"urn:imr:problem:{kind}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": instance,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _kind(error: Exception) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", error.__class__.__name__).lower()


def install(app: FastAPI) -> None:
    @app.exception_handler(ImrError)
    async def refused(request: Request, error: ImrError) -> JSONResponse:
        status = 422 if isinstance(error, CaseFileError) else int(getattr(error, "status", 400))
        return problem(status, str(error), _kind(error), request.url.path)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        # Only where and what, never the submitted value (it may be case data).
        errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in error.errors()]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        detail = f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
        return problem(422, detail, "invalid-request", request.url.path, errors=errors)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        return problem(error.status_code, str(error.detail), "http", request.url.path)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        return internal_error(error, request.method, request.url.path)


def internal_error(error: BaseException, method: str, path: str) -> JSONResponse:
    """The answer to an unexpected error: its class and a reference in the log, nothing else."""
    incident = log_unexpected(_log, error, f"{method} request")
    return problem(500, f"internal error (incident {incident})", "internal", path)
