"""Reviewers (credentials, declared affiliations, workload), accounts, and the audit trail."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from imr import input_files
from imr.cases import audit_trail
from imr.cases.access import require, roles
from imr.cases.errors import InvalidInput, validated
from imr.cases.registry import (
    ReviewerChanges,
    ReviewerIn,
    add_reviewer,
    get_reviewer,
    list_reviewers,
    reviewer_view,
    update_reviewer,
)
from imr.cases.clock import CALIFORNIA
from imr.web.accounts import create_user, list_users, reset_password, set_active, set_role
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
    return page(
        request, "reviewers.html", {"session": session, "reviewers": registry, "users": users, "busiest": max(busiest, 1)}
    )


@router.post("/reviewers")
def register_reviewer(request: Request, entry: str = Form(""), session: PageSession = Depends(form_session)) -> Response:
    document = input_files.decode(entry, source="reviewer entry", as_json=False, error=InvalidInput)
    reviewer = input_files.validate(ReviewerIn, document, error=InvalidInput)
    with request.app.state.database.transaction() as db:
        add_reviewer(db, session.actor, reviewer)
    return RedirectResponse("/reviewers?done=reviewer", status_code=303)


@router.post("/users")
def add_account(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    role: str = Form(""),
    reviewer_id: str = Form(""),
    session: PageSession = Depends(form_session),
) -> Response:
    linked = int(reviewer_id) if reviewer_id.strip().isdigit() else None
    with request.app.state.database.transaction() as db:
        create_user(db, session.actor, username.strip(), password, role, reviewer_id=linked)
    return RedirectResponse("/reviewers?done=user", status_code=303)


# ---------------------------------------------------------------- accounts (admin)


@router.get("/users")
def accounts(request: Request, session: PageSession = Depends(page_session)) -> Response:
    with request.app.state.database.transaction() as db:
        users = list_users(db, session.actor)
        registry = list_reviewers(db, session.actor)
    names = {r["id"]: r["name"] for r in registry}
    return page(
        request,
        "users.html",
        {"session": session, "users": users, "reviewers": registry, "reviewer_names": names, "roles": roles()},
    )


def _account_done(key: str) -> Response:
    return RedirectResponse(f"/users?done={key}", status_code=303)


@router.post("/users/{user_id}/deactivate")
def deactivate(request: Request, user_id: int, session: PageSession = Depends(form_session)) -> Response:
    with request.app.state.database.transaction() as db:
        set_active(db, session.actor, user_id, False)
    return _account_done("deactivated")


@router.post("/users/{user_id}/reactivate")
def reactivate(request: Request, user_id: int, session: PageSession = Depends(form_session)) -> Response:
    with request.app.state.database.transaction() as db:
        set_active(db, session.actor, user_id, True)
    return _account_done("reactivated")


@router.post("/users/{user_id}/role")
def change_role(
    request: Request,
    user_id: int,
    role: str = Form(""),
    reviewer_id: str = Form(""),
    session: PageSession = Depends(form_session),
) -> Response:
    linked = int(reviewer_id) if reviewer_id.strip().isdigit() else None
    with request.app.state.database.transaction() as db:
        set_role(db, session.actor, user_id, role, reviewer_id=linked)
    return _account_done("role")


@router.post("/users/{user_id}/password")
def new_password(
    request: Request, user_id: int, password: str = Form(""), session: PageSession = Depends(form_session)
) -> Response:
    with request.app.state.database.transaction() as db:
        reset_password(db, session.actor, user_id, password)
    return _account_done("password")


# ---------------------------------------------------------------- editing a reviewer (admin)


def _list(text: str, separator: str) -> list[str]:
    return [part.strip() for part in text.split(separator) if part.strip()]


def _reviewer_form(values: dict[str, str]) -> dict[str, object]:
    return {
        "specialties": _list(values.get("specialties", ""), ","),
        "subspecialty": values.get("subspecialty", "").strip() or None,
        "board_certifications": _list(values.get("board_certifications", ""), "\n"),
        "license_states": _list(values.get("license_states", ""), ","),
        "license_restricted": values.get("license_restricted") == "yes",
        "active": values.get("active") == "yes",
    }


def _form_values(reviewer: dict[str, object]) -> dict[str, str]:
    def joined(key: str, separator: str) -> str:
        value = reviewer[key]
        return separator.join(map(str, value)) if isinstance(value, list) else ""

    return {
        "specialties": joined("specialties", ", "),
        "subspecialty": str(reviewer["subspecialty"] or ""),
        "board_certifications": joined("board_certifications", "\n"),
        "license_states": joined("license_states", ", "),
        "license_restricted": "yes" if reviewer["license_restricted"] else "",
        "active": "yes" if reviewer["active"] else "",
    }


@router.get("/reviewers/{reviewer_id}")
def reviewer_form(request: Request, reviewer_id: int, session: PageSession = Depends(page_session)) -> Response:
    require(session.actor, "reviewers.write")
    with request.app.state.database.transaction() as db:
        reviewer = reviewer_view(get_reviewer(db, reviewer_id), 0)
    return page(
        request, "reviewer_edit.html", {"session": session, "reviewer": reviewer, "form": _form_values(reviewer), "errors": {}}
    )


@router.post("/reviewers/{reviewer_id}")
def edit_reviewer(
    request: Request,
    reviewer_id: int,
    specialties: str = Form(""),
    subspecialty: str = Form(""),
    board_certifications: str = Form(""),
    license_states: str = Form(""),
    license_restricted: str = Form(""),
    active: str = Form(""),
    session: PageSession = Depends(form_session),
) -> Response:
    require(session.actor, "reviewers.write")
    values = {
        "specialties": specialties,
        "subspecialty": subspecialty,
        "board_certifications": board_certifications,
        "license_states": license_states,
        "license_restricted": license_restricted,
        "active": active,
    }
    try:
        changes = validated(ReviewerChanges, _reviewer_form(values), source="reviewer")
    except InvalidInput as error:
        found = re.search(r"invalid field (\w+)", str(error))
        with request.app.state.database.transaction() as db:
            reviewer = reviewer_view(get_reviewer(db, reviewer_id), 0)
        errors = {found.group(1) if found else "form": str(error).removeprefix("reviewer: ")}
        context = {"session": session, "reviewer": reviewer, "form": values, "errors": errors}
        return page(request, "reviewer_edit.html", context, status_code=422)
    with request.app.state.database.transaction() as db:
        update_reviewer(db, session.actor, reviewer_id, changes)
    return RedirectResponse("/reviewers?done=reviewer_edited", status_code=303)


@router.get("/audit")
def audit(
    request: Request,
    case_id: str = "",
    before_id: str = "",
    user: str = "",
    action: str = "",
    since: str = "",
    until: str = "",
    session: PageSession = Depends(page_session),
) -> Response:
    case = int(case_id) if case_id.strip().isdigit() else None
    before = int(before_id) if before_id.strip().isdigit() else None
    first, last = _california_day(since, "from"), _california_day(until, "to")
    if first and last and last < first:
        raise InvalidInput(f"audit filter: the range ends ({last}) before it starts ({first})")
    username, prefix = user.strip()[:120], action.strip()[:60]
    with request.app.state.database.transaction() as db:
        entries = audit_trail(
            db,
            session.actor,
            case_id=case,
            limit=AUDIT_PAGE,
            before_id=before,
            username=username or None,
            action=prefix or None,
            since=_start_of(first),
            until=_start_of(last + dt.timedelta(days=1)) if last else None,
        )
    filters = {"case_id": case, "user": username, "action": prefix, "since": first, "until": last}
    older = entries[-1]["id"] if len(entries) == AUDIT_PAGE else None
    kept = {k: v for k, v in filters.items() if v}
    return page(
        request,
        "audit.html",
        {
            "session": session,
            "entries": entries,
            "case_id": case,
            "older": older,
            "filters": filters,
            "older_link": "/audit?" + urlencode({**kept, "before_id": older}) if older else None,
            "filtered": bool(kept),
        },
    )


def _california_day(value: str, which: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"audit filter {which}: {value.strip()[:40]!r} is not a date (YYYY-MM-DD)") from None


def _start_of(day: dt.date | None) -> dt.datetime | None:
    """Midnight of a California day, as the moment it is in UTC: the audit log stores UTC, and SQLite
    compares the time as written, whatever zone it is in."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=CALIFORNIA).astimezone(dt.UTC) if day else None
