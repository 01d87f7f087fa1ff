"""The case page and the intake steps: parties and dates, the records with the engine's evidence marked,
each disputed item's criteria checklist and recommendation, and the actions the user's role allows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from imr.casefile import CaseFile, parse_text, stored_case
from imr.cases import Actor, lifecycle, packets, service
from imr.cases.access import require
from imr.cases.clock import california_today
from imr.cases.drafts import refresh_changes
from imr.cases.errors import InvalidInput, PermissionRefused, StepRefused
from imr.cases.models import Case
from imr.cases.registry import list_reviewers
from imr.cases.views import case_view, version_view
from imr.errors import CaseFileError
from imr.model import Determination, Evidence, IssueDecision
from imr.web.pages.render import citation_anchor, evidence_anchor, highlight, page, rule_anchor, spans_by_record, wording
from imr.web.pages.routing import PageRoute
from imr.web.pages.session import PageSession, form_session, page_session

router = APIRouter(route_class=PageRoute)
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# Intake steps the case page offers, with the permission each needs (the lifecycle decides when).
INTAKE_STEPS = {
    "decide_eligibility": "cases.write",
    "complete_records": "cases.write",
    "assign": "cases.assign",
    "issue": "letters.issue",
    "publish": "letters.publish",
    "add_document": "cases.write",
}


def done(ref: int | str, key: str) -> Response:
    return RedirectResponse(f"/cases/{ref}?done={key}", status_code=303)


def upload_bytes(upload: UploadFile) -> bytes:
    """An uploaded file's bytes, refused past the size a record may have."""
    content = upload.file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"{upload.filename}: larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    return content


# ---------------------------------------------------------------- the case page


def all_evidence(determination: Determination | None) -> list[Evidence]:
    found: list[Evidence] = []
    for issue in determination.issues if determination else []:
        found.extend(issue.evidence or [])
        for check in issue.criteria or []:
            found.extend(check.evidence)
    return found


def _records(case_file: CaseFile, determination: Determination | None) -> list[dict[str, Any]]:
    spans = spans_by_record(all_evidence(determination))
    records = []
    for index, record in enumerate(case_file.records):
        records.append(
            {
                "index": index,
                "date": record.date,
                "kind": record.kind or "record",
                "author": record.author,
                "source": record.source,
                "html": highlight(record.text, spans.get(index, []), index),
                "marks": len(spans.get(index, [])),
            }
        )
    summary = determination.case.summary if determination else None
    if summary and spans.get(None):
        records.insert(
            0,
            {
                "index": None,
                "date": None,
                "kind": "clinical case summary",
                "html": highlight(summary, spans[None], None),
                "marks": len(spans[None]),
            },
        )
    return records


def _citations(issue: IssueDecision) -> list[dict[str, Any]]:
    """The guidelines of an item: the reviewer's basis, then any the checklist cites that it leaves out
    (so that every checklist line's citation link has a target)."""
    found: list[dict[str, Any]] = []
    for citation in issue.reviewer_basis:
        found.append({"citation": citation, "relied_on": True})
    for check in issue.criteria or []:
        if check.citation and all(citation_anchor(check.citation) != citation_anchor(f["citation"]) for f in found):
            found.append({"citation": check.citation, "relied_on": False})
    return found


def _rules(issue: IssueDecision) -> list[dict[str, Any]]:
    """The guideline rules the checklist applied, with our paraphrase of what each says: the reviewer
    sees the statement behind every line, its section and pages, and what could not be verified."""
    try:
        from imr.guidelines import load_rulebook

        book = load_rulebook()  # cached by the guidelines package
    except Exception:  # noqa: BLE001 - without the rule book the checklist still shows its citations
        return []
    found: dict[str, dict[str, Any]] = {}
    for check in issue.criteria or []:
        if check.rule in found:
            continue
        try:
            rule = book.rule(check.rule)
        except KeyError:
            continue
        found[check.rule] = {
            "id": rule.id,
            "anchor": rule_anchor(rule.id),
            "citation": check.citation,
            "section": rule.section,
            "recommendation": rule.recommendation,
            "statement": rule.statement,
            "note": rule.note,
        }
    return list(found.values())


def _items(case: Case, determination: Determination | None, engine: Determination | None) -> list[dict[str, Any]]:
    statuses = wording()["criterion_status"]
    items = []
    for n, item in enumerate(case.items):
        issue = determination.issues[n] if determination and n < len(determination.issues) else None
        engine_issue = engine.issues[n] if engine and n < len(engine.issues) else None
        checklist = [{"check": check, "look": statuses[check.status]} for check in (issue.criteria or [])] if issue else []
        items.append(
            {
                "number": n + 1,
                "filed": item,
                "issue": issue,
                "checklist": checklist,
                "tally": [(statuses[s], n) for s in statuses if (n := sum(1 for c in checklist if c["check"].status == s))],
                "citations": _citations(issue) if issue else [],
                "rules": _rules(issue) if issue else [],
                "changes": service.item_changes(issue, engine_issue) if issue and engine_issue else [],
                "engine": engine_issue,
                "refresh": None,  # set by `case_page` after a refresh: what the new records changed
                "new_anchors": set(),
            }
        )
    return items


def _screening(db: Session, actor: Actor, case: Case) -> dict[str, Any] | None:
    if not actor.may("cases.assign") or not _step_allowed(case, "assign"):
        return None
    decision = service.screen_reviewers(db, actor, case.id).as_dict()
    registry = list_reviewers(db, actor) if actor.may("reviewers.read") else []
    excluded = {entry["id"] for entry in decision["excluded"]}
    decision["eligible"] = [r for r in registry if r["id"] not in excluded and r["active"]]
    return decision


def _step_allowed(case: Case, step: str) -> bool:
    try:  # the same lifecycle table the service enforces, asked rather than copied
        lifecycle.require_step(case.case_number, case.state, step)
    except StepRefused:
        return False
    return True


def _allowed_steps(actor: Actor, case: Case) -> set[str]:
    return {step for step, permission in INTAKE_STEPS.items() if actor.may(permission) and _step_allowed(case, step)}


def _after(one: dt.datetime, other: dt.datetime) -> bool:
    """Whether one stored time is later than another (SQLite hands them back without their zone)."""
    return one.replace(tzinfo=one.tzinfo or dt.UTC) > other.replace(tzinfo=other.tzinfo or dt.UTC)


def _is_my_case(actor: Actor, case: Case) -> bool:
    return actor.role == "reviewer" and any(a.reviewer_id == actor.reviewer_id and a.ended_at is None for a in case.assignments)


def case_context(db: Session, session: PageSession, ref: str) -> dict[str, Any]:
    """What the case page shows, read in one transaction; the slow parts (the engine's comparison, the
    rule book) are added by `case_page` after it, so the database is not held while they run."""
    actor = session.actor
    case = service.load_case(db, actor, ref)
    case_file = stored_case(case.case_file)
    latest = service.latest_version(case)
    determination = Determination.model_validate(latest.content) if latest else None
    mine = _is_my_case(actor, case)
    pending = latest is not None and latest.status == "draft" and latest.source == service.PENDING
    return {
        "_case": case,
        # the engine's draft the version started from, kept by the case service: what the reviewer changed
        "_engine": Determination.model_validate(latest.engine_content) if latest is not None and latest.engine_content else None,
        "session": session,
        "case": case_view(case),
        "case_file": case_file,
        "worker": case_file.worker,
        "injury_date": case_file.injury_date,
        "records": _records(case_file, determination),
        "determination": determination,
        "latest": version_view(latest, content=False) if latest else None,
        "versions": [version_view(v, content=False) for v in case.determinations],
        "steps": _allowed_steps(actor, case),
        "screening": _screening(db, actor, case),
        "draft_pending": pending,
        # asking again restarts an engine run lost with its process
        "can_start_review": mine
        and _step_allowed(case, "start_review")
        and (latest is None or latest.status != "draft" or pending),
        "can_edit": mine
        and _step_allowed(case, "edit_draft")
        and latest is not None
        and latest.status == "draft"
        and not pending,
        "can_refresh": mine
        and _step_allowed(case, "refresh_draft")
        and latest is not None
        and latest.status == "draft"
        and not pending,
        # PDFs filed after the draft was made: their records are in the case, the engine has not read them yet
        "filed_since_draft": [
            d.filename
            for d in case.documents
            if latest is not None and d.blob.media_type == "application/pdf" and _after(d.added_at, latest.created_at)
        ],
        "_before_refresh": service.previous_engine_draft(case),
        "can_correct": mine and _step_allowed(case, "correct"),
        "signed": version_view(signed, content=False) if (signed := service.current_signed(case)) else None,
        "today": california_today(),
    }


@router.get("/cases/new")
def import_form(request: Request, session: PageSession = Depends(page_session)) -> Response:
    if not session.actor.may("cases.write"):
        raise PermissionRefused(f"{session.actor.username} ({session.actor.role}) may not import cases")
    from imr.web.pages.open_case import blank_form

    return page(request, "import.html", {"session": session, **blank_form()})


def _read_case_file(upload: UploadFile, content: bytes) -> CaseFile:
    name = upload.filename or "case file"
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise CaseFileError(f"{name}: not a UTF-8 YAML or JSON case file") from None
    return parse_text(text, source=name)


def _documents(case_file: CaseFile, uploads: list[UploadFile]) -> list[service.NewDocument]:
    """Uploaded records, filed with the kind and date the case file gives for a document of that name."""
    described = {ref.path.rsplit("/", 1)[-1]: ref for ref in service.document_refs(case_file)}
    found = []
    for upload in uploads:
        if not upload.filename:
            continue
        content = upload_bytes(upload)
        ref = described.get(upload.filename)
        found.append(
            service.NewDocument(
                filename=upload.filename, content=content, kind=ref.kind if ref else None, date=ref.date if ref else None
            )
        )
    return found


@router.post("/cases/new")
def import_case(
    request: Request,
    case_file: UploadFile = File(...),
    documents: list[UploadFile] = File(default=[]),
    session: PageSession = Depends(form_session),
) -> Response:
    parsed = _read_case_file(case_file, upload_bytes(case_file))
    with request.app.state.database.transaction() as db:
        case = service.import_case(
            db, session.actor, parsed, documents=_documents(parsed, documents), source=case_file.filename or "case file"
        )
        db.flush()
        case_id = case.id
    return done(case_id, "imported")


@router.get("/cases/{ref}")
def case_page(request: Request, ref: str, session: PageSession = Depends(page_session)) -> Response:
    with request.app.state.database.transaction() as db:
        context = case_context(db, session, ref)
    case = context.pop("_case")
    engine = context.pop("_engine")
    before = context.pop("_before_refresh")
    context["items"] = _items(case, context["determination"], engine)
    if before is not None and engine is not None:
        for item, refresh in zip(context["items"], refresh_changes(before, engine)):
            item["refresh"] = refresh
            item["new_anchors"] = {evidence_anchor(e.record_index, e.start, e.end) for e in refresh.new_evidence}
    return page(request, "case.html", context)


# ---------------------------------------------------------------- intake steps


def _version(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


@router.post("/cases/{ref}/eligibility")
def eligibility(request: Request, ref: str, version: str = Form(""), session: PageSession = Depends(form_session)) -> Response:
    with request.app.state.database.transaction() as db:
        service.decide_eligibility(db, session.actor, ref, expected_version=_version(version))
    return done(ref, "eligibility")


@router.post("/cases/{ref}/records-complete")
def records_complete(
    request: Request,
    ref: str,
    on: dt.date | None = Form(None),
    version: str = Form(""),
    session: PageSession = Depends(form_session),
) -> Response:
    with request.app.state.database.transaction() as db:
        service.complete_records(db, session.actor, ref, on=on, expected_version=_version(version))
    return done(ref, "records")


@router.post("/cases/{ref}/assign")
def assign(
    request: Request, ref: str, reviewer_id: str = Form(""), version: str = Form(""), session: PageSession = Depends(form_session)
) -> Response:
    chosen = int(reviewer_id) if reviewer_id.strip().isdigit() else None
    with request.app.state.database.transaction() as db:
        service.assign(db, session.actor, ref, reviewer_id=chosen, expected_version=_version(version))
    return done(ref, "assigned")


@router.post("/cases/{ref}/documents")
def add_document(
    request: Request,
    ref: str,
    file: UploadFile = File(...),
    kind: str = Form(""),
    date: dt.date | None = Form(None),
    session: PageSession = Depends(form_session),
) -> Response:
    require(session.actor, "cases.write")  # before the slow read
    content = upload_bytes(file)
    new = service.NewDocument(filename=file.filename or "document", content=content, kind=kind.strip() or None, date=date)
    # a PDF is read as a packet's records are (OCR where scanned), before the transaction opens
    read = packets.read_later_records(new.filename, content)
    with request.app.state.database.transaction() as db:
        filed = service.add_document(db, session.actor, ref, new, read=read)
        where = filed.case_id
    if read.problems:
        from imr.web.pages.records import read_problems

        return read_problems(request, session, where, f"{filed.filename} filed.", read.problems)
    return done(ref, "records_read" if read.records else "document")


@router.post("/cases/{ref}/issue")
def issue(request: Request, ref: str, session: PageSession = Depends(form_session)) -> Response:
    service.issue_letter(request.app.state.database, session.actor, ref, organization=request.app.state.settings.organization)
    return done(ref, "issued")


@router.post("/cases/{ref}/publish")
def publish(request: Request, ref: str, session: PageSession = Depends(form_session)) -> Response:
    service.publish_letter(request.app.state.database, session.actor, ref, organization=request.app.state.settings.organization)
    return done(ref, "published")
