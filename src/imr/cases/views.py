"""Cases as JSON-ready dicts: what the API returns and the CLI prints (no ORM objects leak out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from imr.cases import lifecycle
from imr.cases.models import Case, CaseDocument, CaseItem, DeterminationVersion, Document, Party
from imr.cases.deadlines import Deadline
from imr.cases.service import deadline_of, latest_version


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat() if value else None


def document_view(d: CaseDocument | Any, blob: Document | Any = None) -> dict[str, Any]:
    """A filed document; `blob` is where its media type, size and pages are (its stored bytes' row),
    unless it is `d` itself (a row of both)."""
    blob = blob or d.blob
    return {
        "sha256": d.sha256,
        "filename": d.filename,
        "kind": d.kind,
        "date": _iso(d.date),
        "media_type": blob.media_type,
        "size": blob.size,
        "page_count": blob.page_count,
    }


def version_view(v: DeterminationVersion | Any, *, content: bool = True) -> dict[str, Any]:
    view: dict[str, Any] = {
        "number": v.number,
        "status": v.status,
        "source": v.source,
        "content_hash": v.content_hash,
        "created_by": v.created_by,
        "created_at": _iso(v.created_at),
        "signed_by": v.signed_by,
        "signed_at": _iso(v.signed_at),
        "correction_reason": v.correction_reason,
        "letter_issued": v.issued_at is not None,
        "issued_at": _iso(v.issued_at),
        "published": v.published_at is not None,
        "published_at": _iso(v.published_at),
    }
    if content:
        view["determination"] = v.content
    return view


def case_summary(case: Case | Any, today: dt.date | None = None, deadline: Deadline | None = None) -> dict[str, Any]:
    """The line of a case in a list: number, state, deadline (computed unless the caller has it). `case`
    is a case or a row of its columns."""
    deadline = deadline or deadline_of(case, today)
    return {
        "id": case.id,
        "case_number": case.case_number,
        "state": case.state,
        "state_label": lifecycle.states()[case.state]["label"],
        "expedited": case.expedited,
        "received": _iso(case.received),
        "deadline": deadline.as_dict(),
        "version": case.version,
    }


def case_view(case: Case, today: dt.date | None = None) -> dict[str, Any]:
    """Everything about one case a permitted user may see."""
    return detail_view(
        case,
        items=case.items,
        parties=case.parties,
        documents=[document_view(d) for d in case.documents],
        assignments=[(a.reviewer_id, a.reviewer.name, a.assigned_at, a.ended_at) for a in case.assignments],
        latest=latest_version(case),
        today=today,
    )


Assigned = tuple[int, str, dt.datetime, dt.datetime | None]  # reviewer id and name, assigned at, ended at


def detail_view(
    case: Case | Any,
    *,
    items: Iterable[CaseItem | Any],
    parties: Iterable[Party | Any],
    documents: list[dict[str, Any]],
    assignments: Iterable[Assigned],
    latest: DeterminationVersion | Any | None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """`case_view` from its parts: the case's columns, its items, parties (objects or rows with their
    attributes), documents (`document_view`s), assignments and latest determination version (without
    its content)."""
    view = case_summary(case, today)
    view.update(
        {
            "ur_decision_date": _iso(case.ur_decision_date),
            "claim_number": case.claim_number,
            "records_complete_on": _iso(case.records_complete_on),
            "eligibility_reason": case.eligibility_reason,
            "extension_days": case.extension_days or 0,
            "extension_reason": case.extension_reason,
            "decided_on": _iso(case.decided_on),
            "issued_on": _iso(case.issued_on),
            "published_on": _iso(case.published_on),
            "items": [{"text": i.text, "kind": i.kind, "drug_class": i.drug_class, "procedure": i.procedure} for i in items],
            "parties": [{"role": p.role, **p.details} for p in parties],
            "documents": documents,
            "assignments": [
                {"reviewer_id": reviewer_id, "reviewer": name, "assigned_at": _iso(at), "active": ended is None}
                for reviewer_id, name, at, ended in assignments
            ],
            "determination": version_view(latest, content=False) if latest else None,
        }
    )
    return view
