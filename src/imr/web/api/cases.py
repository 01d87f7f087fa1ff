"""/api/cases: intake, eligibility, records, documents, screening and assignment, the due list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile
from pydantic import BaseModel

from imr.casefile import CaseFile
from imr.cases import Actor, Database, reads, service
from imr.cases.packets import read_later_records
from imr.cases.views import case_view, detail_view, document_view
from imr.web.api.deps import Versioned, database, json_answer
from imr.web.auth import authorize

router = APIRouter(prefix="/api/cases", tags=["cases"])
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


class RecordsComplete(Versioned):
    on: dt.date | None = None


class Extension(Versioned):
    days: int
    reason: str


class AssignmentRequest(Versioned):
    reviewer_id: int | None = None
    add: bool = False


class Eligibility(BaseModel):
    eligible: bool
    reasons: list[str]
    application_due: dt.date | None
    case: dict[str, Any]


@router.get("", summary="List cases (a reviewer sees only their own)", response_model=list[dict[str, Any]])
def list_cases(
    state: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    actor: Actor = Depends(authorize("cases.read")),
    db: Database = Depends(database),
) -> Response:
    with db.audited_reading() as session:
        cases = reads.case_list(session, actor, state=state, limit=limit, offset=offset)
    return json_answer(cases)


@router.post("", status_code=201, summary="Import a case file (JSON form of the YAML case file)", response_model=dict[str, Any])
def import_case(
    case_file: CaseFile, actor: Actor = Depends(authorize("cases.write")), db: Database = Depends(database)
) -> Response:
    with db.transaction() as session:
        case = service.file_case(session, actor, case_file, source="request body")
    view = detail_view(case, items=case.items, parties=case.parties, documents=[], assignments=[], latest=None)
    return json_answer(view, status_code=201, headers={"Location": f"/api/cases/{case.id}"})


@router.get("/due", summary="Open cases overdue, at risk or waiting on overdue records", response_model=list[dict[str, Any]])
def due(actor: Actor = Depends(authorize("cases.read")), db: Database = Depends(database)) -> Response:
    with db.audited_reading() as session:
        cases = reads.due_list(session, actor)
    return json_answer(cases)


@router.get("/{ref}", summary="One case, by id or case number", response_model=dict[str, Any])
def read_case(ref: str, actor: Actor = Depends(authorize("cases.read")), db: Database = Depends(database)) -> Response:
    with db.audited_reading() as session:
        view = reads.case_view(session, actor, ref)
    return json_answer(view)


@router.post("/{ref}/eligibility", summary="Screen the application; an ineligible case is closed with its reasons")
def eligibility(
    ref: str, body: Versioned | None = None, actor: Actor = Depends(authorize("cases.write")), db: Database = Depends(database)
) -> Eligibility:
    with db.transaction() as session:
        decision = service.decide_eligibility(session, actor, ref, expected_version=body.version if body else None)
        return Eligibility(
            eligible=decision.eligible,
            reasons=decision.reasons,
            application_due=decision.application_due,
            case=case_view(service.load_case(session, actor, ref)),
        )


@router.post("/{ref}/records-complete", summary="Mark the medical records complete (starts the determination clock)")
def records_complete(
    ref: str,
    body: RecordsComplete | None = None,
    actor: Actor = Depends(authorize("cases.write")),
    db: Database = Depends(database),
) -> dict[str, Any]:
    body = body or RecordsComplete()
    with db.transaction() as session:
        return case_view(service.complete_records(session, actor, ref, on=body.on, expected_version=body.version))


@router.post("/{ref}/extension", summary="Extend the determination deadline (up to 3 days, the AD's approval; LC 4610.6(d))")
def extend(
    ref: str, body: Extension, actor: Actor = Depends(authorize("cases.write")), db: Database = Depends(database)
) -> dict[str, Any]:
    with db.transaction() as session:
        return case_view(
            service.extend_deadline(session, actor, ref, days=body.days, reason=body.reason, expected_version=body.version)
        )


@router.post(
    "/{ref}/documents",
    status_code=201,
    summary="File a medical record (PDF or text), stored once by content hash",
    response_model=dict[str, Any],
)
def add_document(
    ref: str,
    file: UploadFile = File(...),
    kind: str | None = Form(None),
    date: dt.date | None = Form(None),
    actor: Actor = Depends(authorize("cases.write")),
    db: Database = Depends(database),
) -> Response:
    content = file.file.read(MAX_DOCUMENT_BYTES + 1)
    if len(content) > MAX_DOCUMENT_BYTES:
        raise service.InvalidInput(f"{file.filename}: larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
    new = service.NewDocument(filename=file.filename or "document", content=content, kind=kind, date=date)
    # a PDF is read as a packet's records are (OCR where scanned), before the transaction opens
    read = read_later_records(new.filename, content)
    with db.transaction() as session:
        filed = service.add_document(session, actor, ref, new, read=read)
        view = {**document_view(filed), "records_read": len(read.records), "problems": read.problems}
    return json_answer(view, status_code=201)


@router.get("/{ref}/documents/{sha256}", summary="A filed document's bytes")
def read_document(
    ref: str, sha256: str, actor: Actor = Depends(authorize("cases.read")), db: Database = Depends(database)
) -> Response:
    with db.transaction() as session:
        filed = service.read_document(session, actor, ref, sha256)
        return Response(
            filed.blob.content,
            media_type=filed.blob.media_type,
            headers={"Content-Disposition": f'attachment; filename="{filed.sha256[:16]}"'},
        )


@router.get("/{ref}/screening", summary="Every registered reviewer screened for this case, with the reasons for exclusion")
def screening(ref: str, actor: Actor = Depends(authorize("cases.assign")), db: Database = Depends(database)) -> dict[str, Any]:
    with db.transaction() as session:
        return service.screen_reviewers(session, actor, ref).as_dict()


@router.post("/{ref}/assignment", summary="Assign the least-loaded qualified, independent reviewer (or the one named)")
def assign(
    ref: str,
    body: AssignmentRequest | None = None,
    actor: Actor = Depends(authorize("cases.assign")),
    db: Database = Depends(database),
) -> dict[str, Any]:
    body = body or AssignmentRequest()
    with db.transaction() as session:
        decision = service.assign(session, actor, ref, reviewer_id=body.reviewer_id, add=body.add, expected_version=body.version)
        return {**decision.as_dict(), "case": case_view(service.load_case(session, actor, ref))}
