"""The published (redacted) copy of an issued letter, readable in the browser: the text as published
and the redacted PDF, for anyone who may see the case (a reviewer: their own cases)."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from imr.cases import service
from imr.cases.errors import CaseNotFound
from imr.web.pages.render import page
from imr.web.pages.routing import PageRoute
from imr.web.pages.session import PageSession, page_session

router = APIRouter(route_class=PageRoute)


def _published(request: Request, session: PageSession, ref: str, *, with_pdf: bool) -> service.PublishedCopy:
    with request.app.state.database.transaction() as db:
        return service.published_copy(service.load_case(db, session.actor, ref, action="publication.read"), with_pdf=with_pdf)


@router.get("/cases/{ref}/published")
def published_page(request: Request, ref: str, session: PageSession = Depends(page_session)) -> Response:
    copy = _published(request, session, ref, with_pdf=False)
    return page(request, "published.html", {"session": session, "copy": copy})


@router.get("/cases/{ref}/published.pdf")
def published_pdf(request: Request, ref: str, session: PageSession = Depends(page_session)) -> Response:
    copy = _published(request, session, ref, with_pdf=True)
    if not copy.pdf:
        raise CaseNotFound(f"case {copy.case_number} has no published PDF")
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", copy.case_number)
    return Response(
        copy.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}-published-redacted.pdf"'},
    )
