"""The dashboard: cases by status, deadlines at risk, decisions by outcome and by drug class.

Charts are drawn on the server as SVG (templates/charts.html): no chart library, nothing to download,
and they print. Figures count the cases the user may see (a reviewer: their own).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import selectinload

from imr.cases import lifecycle, service
from imr.cases.views import case_summary
from imr.model import Determination
from imr.cases.models import Case
from imr.web.pages.render import page, preload
from imr.web.pages.routing import PageRoute
from imr.web.pages.session import PageSession, page_session

router = APIRouter(route_class=PageRoute)
CASE_LIMIT = 1000
OUTCOMES = ("Upheld", "Overturned")


@dataclass
class Bar:
    label: str
    segments: list[tuple[str, int]] = field(default_factory=list)  # (css class, count)

    @property
    def total(self) -> int:
        return sum(count for _, count in self.segments)


def _stacked(counts: Counter[tuple[str, str]], order: list[str] | None = None) -> list[Bar]:
    labels = order or sorted({label for label, _ in counts}, key=lambda l: -sum(counts[(l, o)] for o in OUTCOMES))
    return [Bar(label, [(o.lower(), counts[(label, o)]) for o in OUTCOMES]) for label in labels]


def decisions(cases: list[Any]) -> tuple[Counter[str], Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """Signed decisions per item: by outcome, by drug class, and (other items) by kind."""
    by_outcome: Counter[str] = Counter()
    by_class: Counter[tuple[str, str]] = Counter()
    by_kind: Counter[tuple[str, str]] = Counter()
    for case in cases:
        signed = service.current_signed(case)
        if signed is None:
            continue
        for issue in Determination.model_validate(signed.content).issues:
            if issue.outcome is None:
                continue
            by_outcome[issue.outcome] += 1
            if issue.item.kind == "drug":
                by_class[(issue.item.drug_class or "unclassified drug", issue.outcome)] += 1
            else:
                by_kind[(issue.item.kind, issue.outcome)] += 1
    return by_outcome, by_class, by_kind


@router.get("/dashboard")
def dashboard(request: Request, session: PageSession = Depends(page_session)) -> Response:
    actor = session.actor
    with request.app.state.database.transaction() as db:
        cases = service.list_cases(db, actor, limit=CASE_LIMIT)
        preload(db, cases, selectinload(Case.determinations))
        summaries = [case_summary(c) for c in cases]
        due = [case_summary(c) for c, _ in service.due_cases(db, actor)]
        by_outcome, by_class, by_kind = decisions(cases)
    states = lifecycle.states()
    by_state = Counter(s["state"] for s in summaries)
    by_deadline = Counter(s["deadline"]["status"] for s in summaries if lifecycle.is_open(s["state"]))
    context = {
        "session": session,
        "total": len(summaries),
        "status_bars": [Bar(states[name]["label"], [("state", by_state[name])]) for name in states if by_state[name]],
        "deadline_bars": [
            Bar(name, [(name.replace(" ", "-"), by_deadline[name])])
            for name in ("overdue", "at risk", "on track")
            if by_deadline[name]
        ],
        "outcome_bars": [Bar(o, [(o.lower(), by_outcome[o])]) for o in OUTCOMES],
        "class_bars": _stacked(by_class),
        "kind_bars": _stacked(by_kind),
        "decided": sum(by_outcome.values()),
        "due": due,
    }
    return page(request, "dashboard.html", context)
