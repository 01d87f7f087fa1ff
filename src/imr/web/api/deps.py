"""Shared pieces of the routers: the database of the app, the optimistic-lock field, JSON answers."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request, Response
from pydantic import BaseModel, Field

from imr.cases import Database


async def database(request: Request) -> Database:
    return request.app.state.database


async def organization(request: Request) -> str:
    """The review organization named in letters (IMR_ORGANIZATION)."""
    return request.app.state.settings.organization


class Versioned(BaseModel):
    version: int | None = Field(default=None, description="The case version the client last read; a mismatch is a 409 conflict.")


def json_answer(content: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer made here (orjson), for the busiest routes: a route that returns a dict has FastAPI
    validate it against its declared type and serialize it, in a second hand-off to a worker thread."""
    return Response(orjson.dumps(content), status_code=status_code, headers=headers, media_type="application/json")
