"""Reviewers (credentials, declared affiliations, workload), accounts, and the audit trail."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from imr.cases import audit_trail
from imr.cases.errors import InvalidInput
from imr.cases.registry import add_reviewer, list_reviewers, parse_reviewer
from imr.userdata import load_user_yaml
from imr.web.auth import create_user, list_users
from imr.web.pages.render import page
from imr.web.pages.routing import PageRoute
from imr.web.pages.session import PageSession, form_session, page_session

router = APIRouter(route_class=PageRoute)
AUDIT_PAGE = 100


@router.get("/reviewers")
def reviewers(request: Request, session: PageSession = Depends(page_session)) -> Response:
    actor = session.actor
    with request.app.state.database.transaction() as db:
        registry = list_reviewers(db, actor)
        users = list_users(db, actor) if actor.may("users.read") else []
    busiest = max((r["open_cases"] for r in registry), default=0)
    return page(request, "reviewers.html", {"session": session, "reviewers": registry, "users": users, "busiest": max(busiest, 1)})


@router.post("/reviewers")
def register_reviewer(request: Request, entry: str = Form(""), session: PageSession = Depends(form_session)) -> Response:
    data = load_user_yaml(entry, source="reviewer entry", error=InvalidInput)
    with request.app.state.database.transaction() as db:
        add_reviewer(db, session.actor, parse_reviewer(data, source="reviewer entry"))
    return RedirectResponse("/reviewers?done=reviewer", status_code=303)


@router.post("/users")
def add_account(request: Request, username: str = Form(""), password: str = Form(""), role: str = Form(""),
                reviewer_id: str = Form(""), session: PageSession = Depends(form_session)) -> Response:
    linked = int(reviewer_id) if reviewer_id.strip().isdigit() else None
    with request.app.state.database.transaction() as db:
        create_user(db, session.actor, username.strip(), password, role, reviewer_id=linked)
    return RedirectResponse("/reviewers?done=user", status_code=303)


@router.get("/audit")
def audit(request: Request, case_id: str = "", before_id: str = "", session: PageSession = Depends(page_session)) -> Response:
    case = int(case_id) if case_id.strip().isdigit() else None
    before = int(before_id) if before_id.strip().isdigit() else None
    with request.app.state.database.transaction() as db:
        entries = audit_trail(db, session.actor, case_id=case, limit=AUDIT_PAGE, before_id=before)
    older = entries[-1]["id"] if len(entries) == AUDIT_PAGE else None
    return page(request, "audit.html", {"session": session, "entries": entries, "case_id": case, "older": older})
