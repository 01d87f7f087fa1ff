"""/api/cases/{ref}/...: the review (engine draft), edits, signing, corrections, issuing, publishing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request, Response
from pydantic import BaseModel, Field

from imr.cases import Actor, Database, service
from imr.cases.errors import CaseNotFound
from imr.cases.views import version_view
from imr.model import Determination
from imr.web.api.deps import Versioned, database, organization
from imr.web.auth import authorize

router = APIRouter(prefix="/api/cases", tags=["determinations"])


class DraftEdit(Versioned):
    determination: Determination


class Correction(Versioned):
    reason: str = Field(min_length=1)


class Publication(BaseModel):
    version: int
    replacements: dict[str, int]


@router.post(
    "/{ref}/review",
    summary="Start the review: the engine's draft per item (idempotent while a draft is open)",
    description="Answers at once with the draft; while its `source` is `pending` the engine is still drafting "
    "(read `GET .../determination` again in a moment; asking again restarts a run that was lost).",
)
def start_review(
    ref: str,
    request: Request,
    tasks: BackgroundTasks,
    actor: Actor = Depends(authorize("determinations.write")),
    db: Database = Depends(database),
) -> dict[str, Any]:
    version, pending = service.request_review(db, actor, ref)
    if pending:  # after the answer, in a process of its own: the engine takes seconds
        tasks.add_task(service.finish_pending_draft, db, actor, ref, request.app.state.draft_processes.draft)
    return version_view(version)


@router.get("/{ref}/determination", summary="The latest determination version, with its content")
def latest(ref: str, actor: Actor = Depends(authorize("cases.read")), db: Database = Depends(database)) -> dict[str, Any]:
    with db.transaction() as session:
        case = service.load_case(session, actor, ref, action="determination.read")
        version = service.latest_version(case)
        if version is None:
            raise CaseNotFound(f"case {case.case_number} has no determination yet")
        return {**version_view(version), "case_version": case.version}


@router.get("/{ref}/determination/versions", summary="Every version: drafts, signed, superseded")
def versions(ref: str, actor: Actor = Depends(authorize("cases.read")), db: Database = Depends(database)) -> list[dict[str, Any]]:
    with db.transaction() as session:
        case = service.load_case(session, actor, ref, action="determination.read")
        return [version_view(v) for v in case.determinations]


@router.put("/{ref}/determination", summary="Save the reviewer's edit of the open draft")
def save_draft(
    ref: str, body: DraftEdit, actor: Actor = Depends(authorize("determinations.write")), db: Database = Depends(database)
) -> dict[str, Any]:
    with db.transaction() as session:
        version = service.save_draft(session, actor, ref, body.determination, expected_version=body.version)
        return {**version_view(version), "case_version": version.case.version}


@router.post("/{ref}/determination/sign", summary="Sign the open draft (immutable from then on; 409 if the case changed)")
def sign(
    ref: str,
    body: Versioned | None = None,
    actor: Actor = Depends(authorize("determinations.sign")),
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.transaction() as session:
        version = service.sign(session, actor, ref, expected_version=body.version if body else None)
        return {**version_view(version), "case_version": version.case.version}


@router.post(
    "/{ref}/determination/corrections", status_code=201, summary="Open a correction: a new draft; the signed version is kept"
)
def correct(
    ref: str, body: Correction, actor: Actor = Depends(authorize("determinations.write")), db: Database = Depends(database)
) -> dict[str, Any]:
    with db.transaction() as session:
        return version_view(service.correct(session, actor, ref, reason=body.reason, expected_version=body.version))


@router.post("/{ref}/issue", summary="Render and issue the Final Determination Letter (PDF)")
def issue(
    ref: str,
    actor: Actor = Depends(authorize("letters.issue")),
    db: Database = Depends(database),
    organization: str = Depends(organization),
) -> dict[str, Any]:
    return version_view(service.issue_letter(db, actor, ref, organization=organization), content=False)


@router.get("/{ref}/letter.pdf", summary="The issued Final Determination Letter")
def letter(ref: str, actor: Actor = Depends(authorize("cases.read")), db: Database = Depends(database)) -> Response:
    with db.transaction() as session:
        case = service.load_case(session, actor, ref, action="letter.read")
        pdf = service.issued_letter(case)
        if pdf is None:
            raise CaseNotFound(f"case {case.case_number} has no issued letter")
        return Response(pdf, media_type="application/pdf")


@router.post("/{ref}/publish", summary="Publish the redacted determination (text and PDF)")
def publish(
    ref: str,
    actor: Actor = Depends(authorize("letters.publish")),
    db: Database = Depends(database),
    organization: str = Depends(organization),
) -> Publication:
    return Publication(**service.publish_letter(db, actor, ref, organization=organization))


@router.get("/{ref}/published", summary="The published (redacted) letter as text; ?format=pdf for the PDF")
def published(
    ref: str, format: str = "text", actor: Actor = Depends(authorize("cases.read")), db: Database = Depends(database)
) -> Response:
    with db.transaction() as session:
        copy = service.published_copy(service.load_case(session, actor, ref, action="publication.read"), with_pdf=format == "pdf")
        if format == "pdf":
            return Response(copy.pdf, media_type="application/pdf")
        return Response(copy.text, media_type="text/plain; charset=utf-8")
