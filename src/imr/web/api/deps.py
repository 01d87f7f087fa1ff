"""Shared pieces of the routers: the database of the app, and the optimistic-lock field."""

from __future__ import annotations

from fastapi import Request
from pydantic import BaseModel, Field

from imr.cases import Database


async def database(request: Request) -> Database:
    return request.app.state.database


async def organization(request: Request) -> str:
    """The review organization named in letters (IMR_ORGANIZATION)."""
    return request.app.state.settings.organization


class Versioned(BaseModel):
    version: int | None = Field(default=None, description="The case version the client last read; a mismatch is a 409 conflict.")
