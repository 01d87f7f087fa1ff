"""The reads the API answers most, in SQL expressions without the ORM.

Read through the ORM, a case costs about three times the CPU: the ORM builds, tracks and then drops an
object per row, and loads parts the answer does not show (a version's content, a reviewer's profile).
These read only the columns the answer shows and build the same dicts as `views.case_view` and
`views.case_summary` (the tests compare them), with the same access check and audit entries as
`service.load_case`, `list_cases` and `due_cases`.

On PostgreSQL a case is one statement: its parts come as JSON arrays built by the server (each
statement is a round trip, and a round trip costs the server process more CPU than the rows it
brings). SQLite, in the process, reads them with a statement each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, Connection, Select, bindparam, func, select
from sqlalchemy.dialects.postgresql import JSON, aggregate_order_by
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
_CASE_COLUMNS = (
    *SUMMARY_COLUMNS,
    Case.ur_decision_date,
    Case.claim_number,
    Case.eligibility_reason,
    Case.extension_reason,
    Case.issued_on,
    Case.published_on,
)


class _Party(NamedTuple):
    role: str
    details: dict[str, Any]


class _Item(NamedTuple):
    text: str
    kind: str
    drug_class: str | None
    procedure: str | None


class _Document(NamedTuple):
    sha256: str
    filename: str
    kind: str | None
    date: dt.date | None
    media_type: str
    size: int
    page_count: int


class _Assignment(NamedTuple):
    reviewer_id: int
    name: str
    assigned_at: dt.datetime
    ended_at: dt.datetime | None


class _Version(NamedTuple):
    """A version as `views.version_view(content=False)` shows it: none of the content columns."""

    number: int
    status: str
    source: str
    content_hash: str | None
    created_by: str
    created_at: dt.datetime
    signed_by: str | None
    signed_at: dt.datetime | None
    correction_reason: str | None
    issued_at: dt.datetime | None
    published_at: dt.datetime | None


# The columns of each part, in the order of its tuple above.
_PARTY_COLUMNS = (Party.role, Party.details)
_ITEM_COLUMNS = (CaseItem.text, CaseItem.kind, CaseItem.drug_class, CaseItem.procedure)
_DOCUMENT_COLUMNS = (
    CaseDocument.sha256,
    CaseDocument.filename,
    CaseDocument.kind,
    CaseDocument.date,
    Document.media_type,
    Document.size,
    Document.page_count,
)
_ASSIGNMENT_COLUMNS = (Assignment.reviewer_id, Reviewer.name, Assignment.assigned_at, Assignment.ended_at)
_VERSION_COLUMNS = tuple(getattr(DeterminationVersion, name) for name in _Version._fields)


# SQLite: a statement each, made once with the case as a parameter (SQLAlchemy finds it compiled by identity).
_CASE_BY_ID = select(*_CASE_COLUMNS).where(Case.id == bindparam("ref"))
_CASE_BY_NUMBER = select(*_CASE_COLUMNS).where(Case.case_number == bindparam("ref"))
_ONE_CASE: BindParameter[int] = bindparam("case")
_SQLITE_PARTS = {
    "parties": select(*_PARTY_COLUMNS).where(Party.case_id == _ONE_CASE).order_by(Party.id),
    "items": select(*_ITEM_COLUMNS).where(CaseItem.case_id == _ONE_CASE).order_by(CaseItem.position),
    "documents": select(*_DOCUMENT_COLUMNS)
    .join_from(CaseDocument, Document, Document.sha256 == CaseDocument.sha256)
    .where(CaseDocument.case_id == _ONE_CASE)
    .order_by(CaseDocument.id),
    "assignments": select(*_ASSIGNMENT_COLUMNS)
    .join_from(Assignment, Reviewer, Reviewer.id == Assignment.reviewer_id)
    .where(Assignment.case_id == _ONE_CASE)
    .order_by(Assignment.id),
}
_SQLITE_LATEST = (
    select(*_VERSION_COLUMNS)
    .where(DeterminationVersion.case_id == _ONE_CASE)
    .order_by(DeterminationVersion.number.desc())
    .limit(1)
)


def _json_rows(columns: tuple[Any, ...], where: Any, order: Any, joined: tuple[Any, Any] | None = None) -> Any:
    """PostgreSQL: the rows of `columns` of one case, as a JSON array of arrays, in `order`."""
    query = select(func.json_agg(aggregate_order_by(func.json_build_array(*columns), order), type_=JSON))
    if joined is not None:
        query = query.select_from(joined[0]).join(joined[1][0], joined[1][1])
    return query.where(where).scalar_subquery()


def _pg_case() -> Select[*tuple[Any, ...]]:
    latest = (
        select(func.json_build_array(*_VERSION_COLUMNS, type_=JSON))
        .where(DeterminationVersion.case_id == Case.id)
        .order_by(DeterminationVersion.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    return select(
        *_CASE_COLUMNS,
        _json_rows(_PARTY_COLUMNS, Party.case_id == Case.id, Party.id).label("parties"),
        _json_rows(_ITEM_COLUMNS, CaseItem.case_id == Case.id, CaseItem.position).label("items"),
        _json_rows(
            _DOCUMENT_COLUMNS,
            CaseDocument.case_id == Case.id,
            CaseDocument.id,
            (CaseDocument, (Document, Document.sha256 == CaseDocument.sha256)),
        ).label("documents"),
        _json_rows(
            _ASSIGNMENT_COLUMNS,
            Assignment.case_id == Case.id,
            Assignment.id,
            (Assignment, (Reviewer, Reviewer.id == Assignment.reviewer_id)),
        ).label("assignments"),
        latest.label("latest"),
    )


_PG_CASE_BY_ID = _pg_case().where(Case.id == bindparam("ref"))
_PG_CASE_BY_NUMBER = _pg_case().where(Case.case_number == bindparam("ref"))


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _moment(value: str | None) -> dt.datetime | None:
    # JSON carries a time as PostgreSQL prints it, with the session's offset: the same instant and
    # offset psycopg would have made a datetime of
    return dt.datetime.fromisoformat(value) if value else None


def _from_json(case: Any) -> Parts:
    """The parts of a case read on PostgreSQL, typed as SQLite's rows are."""
    parties = [_Party(*p) for p in case.parties or []]
    items = [_Item(*i) for i in case.items or []]
    documents = [_Document(sha, name, kind, _date(on), *blob) for sha, name, kind, on, *blob in case.documents or []]
    assignments = [
        _Assignment(reviewer_id, name, dt.datetime.fromisoformat(at), _moment(ended))
        for reviewer_id, name, at, ended in case.assignments or []
    ]
    latest = None
    if case.latest:
        number, status, source, content_hash, created_by, created_at, signed_by, signed_at, reason, issued, published = (
            case.latest
        )
        latest = _Version(
            number,
            status,
            source,
            content_hash,
            created_by,
            dt.datetime.fromisoformat(created_at),
            signed_by,
            _moment(signed_at),
            reason,
            _moment(issued),
            _moment(published),
        )
    return parties, items, documents, assignments, latest


Parts = tuple[
    Sequence[Any], Sequence[Any], Sequence[Any], Sequence[Any], Any
]  # parties, items, documents, assignments, latest version


def _read_sqlite(connection: Connection, ref: int | str, by_id: bool) -> tuple[Any, Parts | None]:
    case = connection.execute(_CASE_BY_ID if by_id else _CASE_BY_NUMBER, {"ref": ref}).one_or_none()
    if case is None:
        return None, None
    this = {"case": case.id}
    parts = {name: connection.execute(query, this).all() for name, query in _SQLITE_PARTS.items()}
    latest = connection.execute(_SQLITE_LATEST, this).one_or_none()
    return case, (parts["parties"], parts["items"], parts["documents"], parts["assignments"], latest)


def case_view(
    session: Session, actor: Actor, ref: int | str, *, action: str = "case.read", today: dt.date | None = None
) -> dict[str, Any]:
    """`views.case_view(service.load_case(...))`: the case `ref` if the actor may see it, audited as `action`."""
    require(actor, "cases.read")
    # on the connection, not the session: rows, without the ORM's handling of its results
    connection = session.connection()
    by_id = isinstance(ref, int) or str(ref).isdigit()
    key = int(ref) if by_id else str(ref)
    if connection.dialect.name == "postgresql":
        case = connection.execute(_PG_CASE_BY_ID if by_id else _PG_CASE_BY_NUMBER, {"ref": key}).one_or_none()
        parts = _from_json(case) if case is not None else None
    else:
        case, parts = _read_sqlite(connection, key, by_id)
    assignments = parts[3] if parts is not None else []
    assigned = lambda: any(a.reviewer_id == actor.reviewer_id and a.ended_at is None for a in assignments)  # noqa: E731
    service.admit(session, actor, ref, case.id if case is not None else None, assigned, action)
    assert parts is not None  # admitted: the case was found
    parties, items, documents, _, latest = parts
    return detail_view(
        case,
        items=items,
        parties=parties,
        documents=[document_view(d, d) for d in documents],
        assignments=[(a.reviewer_id, a.name, a.assigned_at, a.ended_at) for a in assignments],
        latest=latest,
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
    rows = service.due_cases(session, actor, today=today, columns=SUMMARY_COLUMNS)
    return [case_summary(row, deadline=deadline) for row, deadline in rows]
