"""The reads the API answers most, in SQL expressions without the ORM.

Read through the ORM, a case costs about three times the CPU: the ORM builds, tracks and then drops an
object per row, and loads parts the answer does not show (a version's content, a reviewer's profile).
These read only the columns the answer shows and build the same dicts as `views.case_view` and
`views.case_summary` (the tests compare them), with the same access check and audit entries as
`service.load_case`, `list_cases` and `due_cases`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from imr.cases import service
from imr.cases.access import Actor, require
from imr.cases.clock import california_today
from imr.cases.models import Assignment, Case, CaseDocument, CaseItem, DeterminationVersion, Document, Party, Reviewer
from imr.cases.views import case_summary, detail_view, document_view

# what a line of a list shows (and its deadline is computed from)
SUMMARY_COLUMNS = (
    Case.id,
    Case.case_number,
    Case.state,
    Case.expedited,
    Case.received,
    Case.records_complete_on,
    Case.decided_on,
    Case.extension_days,
    Case.version,
)
# Each statement is made once, with its case as a parameter: SQLAlchemy then finds it compiled by identity.
_CASE = select(
    *SUMMARY_COLUMNS,
    Case.ur_decision_date,
    Case.claim_number,
    Case.eligibility_reason,
    Case.extension_reason,
    Case.issued_on,
    Case.published_on,
)
_CASE_BY_ID = _CASE.where(Case.id == bindparam("ref"))
_CASE_BY_NUMBER = _CASE.where(Case.case_number == bindparam("ref"))
_PARTIES = select(Party.role, Party.details).where(Party.case_id == bindparam("case")).order_by(Party.id)
_ITEMS = (
    select(CaseItem.text, CaseItem.kind, CaseItem.drug_class, CaseItem.procedure)
    .where(CaseItem.case_id == bindparam("case"))
    .order_by(CaseItem.position)
)
_DOCUMENTS = (
    select(
        CaseDocument.sha256,
        CaseDocument.filename,
        CaseDocument.kind,
        CaseDocument.date,
        Document.media_type,
        Document.size,
        Document.page_count,
    )
    .join(Document, Document.sha256 == CaseDocument.sha256)
    .where(CaseDocument.case_id == bindparam("case"))
    .order_by(CaseDocument.id)
)
_ASSIGNMENTS = (
    select(Assignment.reviewer_id, Reviewer.name, Assignment.assigned_at, Assignment.ended_at)
    .join(Reviewer, Reviewer.id == Assignment.reviewer_id)
    .where(Assignment.case_id == bindparam("case"))
    .order_by(Assignment.id)
)
# the latest version as `views.version_view(content=False)` shows it: none of the content columns
_LATEST = (
    select(
        DeterminationVersion.number,
        DeterminationVersion.status,
        DeterminationVersion.source,
        DeterminationVersion.content_hash,
        DeterminationVersion.created_by,
        DeterminationVersion.created_at,
        DeterminationVersion.signed_by,
        DeterminationVersion.signed_at,
        DeterminationVersion.correction_reason,
        DeterminationVersion.issued_at,
        DeterminationVersion.published_at,
    )
    .where(DeterminationVersion.case_id == bindparam("case"))
    .order_by(DeterminationVersion.number.desc())
    .limit(1)
)


def case_view(
    session: Session, actor: Actor, ref: int | str, *, action: str = "case.read", today: dt.date | None = None
) -> dict[str, Any]:
    """`views.case_view(service.load_case(...))`: the case `ref` if the actor may see it, audited as `action`."""
    require(actor, "cases.read")
    # on the connection, not the session: rows, without the ORM's handling of its results
    connection = session.connection()
    by_id = isinstance(ref, int) or str(ref).isdigit()
    case = connection.execute(_CASE_BY_ID if by_id else _CASE_BY_NUMBER, {"ref": int(ref) if by_id else str(ref)}).one_or_none()
    this = {"case": case.id if case else None}
    assignments = connection.execute(_ASSIGNMENTS, this).all() if case else []
    assigned = lambda: any(a.reviewer_id == actor.reviewer_id and a.ended_at is None for a in assignments)  # noqa: E731
    service.admit(session, actor, ref, case.id if case else None, assigned, action)
    assert case is not None  # admitted
    return detail_view(
        case,
        items=connection.execute(_ITEMS, this).all(),
        parties=connection.execute(_PARTIES, this).all(),
        documents=[document_view(d, d) for d in connection.execute(_DOCUMENTS, this)],
        assignments=[(a.reviewer_id, a.name, a.assigned_at, a.ended_at) for a in assignments],
        latest=connection.execute(_LATEST, this).one_or_none(),
        today=today,
    )


def case_list(
    session: Session, actor: Actor, *, state: str | None = None, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """`service.list_cases` as `views.case_summary`s."""
    today = california_today()
    rows = service.list_cases(session, actor, state=state, limit=limit, offset=offset, columns=SUMMARY_COLUMNS)
    return [case_summary(row, today) for row in rows]


def due_list(session: Session, actor: Actor, *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """`service.due_cases` as `views.case_summary`s."""
    return [
        case_summary(row, deadline=deadline)
        for row, deadline in service.due_cases(session, actor, today=today, columns=SUMMARY_COLUMNS)
    ]
