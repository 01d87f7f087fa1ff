"""The queue: the cases a user may see (a reviewer: their own), with deadlines, filters and sorting."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import selectinload

from imr.cases import lifecycle, service
from imr.cases.views import case_summary
from imr.cases.models import Assignment, Case
from imr.web.pages.render import page, preload
from imr.web.pages.routing import PageRoute
from imr.web.pages.session import PageSession, page_session

router = APIRouter(route_class=PageRoute)
QUEUE_LIMIT = 1000

# Sort keys a user can pick; "due" puts the most urgent first (closed cases, with no days left, last).
_SORTS = {
    "due": lambda row: (
        row["deadline"]["days_left"] is None,
        row["deadline"]["days_left"] or 0,
        row["deadline"]["determination_due"],
    ),
    "received": lambda row: row["received"],
    "number": lambda row: row["case_number"],
    "state": lambda row: (list(lifecycle.states()).index(row["state"]), row["deadline"]["determination_due"]),
}


def _row(case: Any, show_reviewer: bool) -> dict[str, Any]:
    row = case_summary(case)
    row["items"] = [item.text for item in case.items]
    row["worker"] = next((p.name for p in case.parties if p.role == "injured_worker"), "")
    row["claim_number"] = case.claim_number or ""
    row["reviewers"] = [a.reviewer.name for a in case.assignments if a.ended_at is None] if show_reviewer else []
    return row


def _keep(row: dict[str, Any], state: str, deadline: str, priority: str, text: str) -> bool:
    if state and row["state"] != state:
        return False
    if deadline and row["deadline"]["status"] != deadline:
        return False
    if priority == "expedited" and not row["expedited"]:
        return False
    if priority == "standard" and row["expedited"]:
        return False
    if text:
        # The worker's name and the claim number find a case as a caller names it; only among the cases
        # this user may see (`list_cases` already left out a reviewer's others).
        haystack = " ".join([row["case_number"], row["claim_number"], row["worker"], *row["items"]]).lower()
        return " ".join(text.lower().split()) in " ".join(haystack.split())
    return True


@router.get("/queue")
def queue(
    request: Request,
    state: str = "",
    deadline: str = "",
    priority: str = "",
    q: str = "",
    sort: str = "due",
    session: PageSession = Depends(page_session),
) -> Response:
    actor = session.actor
    with request.app.state.database.transaction() as db:
        cases = service.list_cases(db, actor, limit=QUEUE_LIMIT)
        preload(
            db,
            cases,
            selectinload(Case.items),
            selectinload(Case.parties),
            selectinload(Case.assignments).defer(Assignment.screening),
        )
        rows = [_row(case, actor.role != "reviewer") for case in cases]
    shown = [row for row in rows if _keep(row, state, deadline, priority, q.strip())]
    shown.sort(key=_SORTS.get(sort, _SORTS["due"]))
    counts = {
        "open": sum(1 for r in rows if lifecycle.is_open(r["state"])),
        "overdue": sum(1 for r in rows if r["deadline"]["status"] == "overdue"),
        "at_risk": sum(1 for r in rows if r["deadline"]["status"] == "at risk"),
        "expedited": sum(1 for r in rows if r["expedited"] and lifecycle.is_open(r["state"])),
    }
    context = {
        "session": session,
        "rows": shown,
        "total": len(rows),
        "counts": counts,
        "states": lifecycle.states(),
        "filters": {"state": state, "deadline": deadline, "priority": priority, "q": q, "sort": sort},
        "title": "My cases" if actor.role == "reviewer" else "Cases",
    }
    # HTMX asks for the rows alone when a filter changes; a history restore needs the whole page.
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    response = page(request, "queue_rows.html" if partial else "queue.html", context)
    response.headers["Vary"] = "HX-Request"
    return response
