"""The case workflow as service functions: intake, eligibility, records, assignment, review, signing,
issuing and publishing. The API routers, the workbench pages and the CLI are thin callers of these.

Each function takes a SQLAlchemy session (the caller owns the transaction: one request, one command)
and an `Actor`; it checks the actor's permission, enforces the lifecycle and records an audit entry.
A reviewer sees only the cases assigned to them: any other case is "not found", exactly like a case
that does not exist.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Protocol, cast

from sqlalchemy import Select, Table, and_, bindparam, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, defer, joinedload, make_transient_to_detached, selectinload
from sqlalchemy.orm.exc import StaleDataError

from imr import input_files
from imr.casefile import CaseFile, stored_case
from imr.letters.render import render_letter
from imr.cases import lifecycle
from imr.cases.clock import california_date, california_today
from imr.cases.access import Actor, record, record_each, record_refusal, require
from imr.cases.audit_chain import letter_hash, letter_matches
from imr.cases.deadlines import Deadline, compute_deadline, max_extension_days, quiet_days
from imr.cases.drafts import carry_decisions, item_changes
from imr.cases.engine_runs import EngineDraft, blank_draft, engine_draft
from imr.cases.documents import content_hash, media_type_of, page_count
from imr.cases.eligibility import Application, CaseOnFile, EligibilityDecision, screen_application
from imr.cases.db import Database, add_unique
from imr.cases.errors import (
    CaseNotFound,
    EditConflict,
    InvalidInput,
    NoQualifiedReviewer,
    PermissionRefused,
    StepRefused,
    TamperedRecord,
    validated,
)
from imr.cases.intake import DocumentRef, PartyIn, as_json, read_intake, stored_intake, ur_decision_date
from imr.cases.packets import RecordsRead, add_records, unique_filename
from imr.cases.models import Assignment, Case, CaseDocument, CaseItem, Document, DeterminationVersion, Party, Reviewer, utcnow
from imr.cases.redaction import redactor_for
from imr.cases.registry import open_workloads, profile_of
from imr.cases.screening import AssignmentDecision, ItemNeed, PartyName, choose_reviewer
from imr.errors import CaseFileError
from imr.items import procedure_of, understand_item
from imr.model import Determination, ReviewerCredentials

if TYPE_CHECKING:  # the renderer itself is imported when a letter is rendered
    from imr.letters.render import Format

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewDocument:
    """A document arriving with a case or later: its bytes and how the case files it."""

    filename: str
    content: bytes
    kind: str | None = None
    date: dt.date | None = None


# ---------------------------------------------------------------- finding cases


@functools.cache
def _visible(reviewer: bool, columns: tuple[Any, ...]) -> Select[Any]:
    """The cases an actor may see (a reviewer: those assigned to them, the parameter `reviewer_id`), as
    whole cases without their case file (JSON, kilobytes, decoded per row: a list does not show it), or
    as rows of `columns`. Made once per kind: a statement made anew costs SQLAlchemy its construction
    and the walk that finds it among those compiled."""
    query = select(*columns) if columns else select(Case).options(defer(Case.case_file))
    if reviewer:
        query = query.join(Assignment, Assignment.case_id == Case.id).where(
            Assignment.reviewer_id == bindparam("reviewer_id"), Assignment.ended_at.is_(None)
        )
    return query


@functools.cache
def _listing(reviewer: bool, by_state: bool, columns: tuple[Any, ...]) -> Select[Any]:
    query = _visible(reviewer, columns).order_by(Case.id).limit(bindparam("limit")).offset(bindparam("offset"))
    return query.where(Case.state == bindparam("state")) if by_state else query


@functools.cache
def _due_candidates(reviewer: bool, columns: tuple[Any, ...]) -> Select[Any]:
    """Open cases old enough to be at risk (thousands of younger open cases are not read)."""
    old_enough = or_(
        and_(Case.expedited.is_(True), Case.received <= bindparam("expedited_before")),
        and_(Case.expedited.is_(False), Case.received <= bindparam("regular_before")),
    )
    return _visible(reviewer, columns).where(Case.state.in_(bindparam("open_states", expanding=True)), old_enough)


def _fetch(session: Session, query: Select[Any], columns: tuple[Any, ...], values: dict[str, Any]) -> list[Any]:
    """Cases (no `columns`) or rows of `columns` (read on the connection: no ORM handling of the rows)."""
    return list(session.connection().execute(query, values).all() if columns else session.scalars(query, values))


# A case is always shown whole: load its parts in a few set-based queries, not one per attribute. The
# parties and items (a few of each) come in the case's own query, joined; the parts that grow with the
# case's history (documents, assignments, versions with their content) in one query each. The case
# file (JSON, kilobytes) is read only by the steps that use it: joined, it would be decoded once per row.
_CASE_PARTS = (
    defer(Case.case_file),
    joinedload(Case.parties),
    joinedload(Case.items),
    selectinload(Case.documents),
    selectinload(Case.assignments),
    selectinload(Case.determinations),
)


def case_ref(ref: int | str) -> Any:
    """The condition naming case `ref`: digits are an id, anything else a case number."""
    if isinstance(ref, int) or str(ref).isdigit():
        return Case.id == int(ref)
    return Case.case_number == str(ref)


# A step that only files a document needs the case's documents (and reads the rest only if it uses it).
_DOCUMENTS_ONLY = (defer(Case.case_file), selectinload(Case.documents))


def _lookup(session: Session, ref: int | str, parts: tuple[Any, ...] = _CASE_PARTS) -> Case | None:
    return session.execute(select(Case).options(*parts).where(case_ref(ref))).unique().scalar_one_or_none()


def load_case(
    session: Session, actor: Actor, ref: int | str, *, action: str = "case.read", parts: tuple[Any, ...] = _CASE_PARTS
) -> Case:
    """The case `ref` (id or case number) if the actor may see it; audited as `action`. `parts`: what
    is loaded with it (the rest is read when used)."""
    require(actor, "cases.read")
    case = _lookup(session, ref, parts)
    admit(session, actor, ref, case.id if case else None, lambda: case is not None and _is_assigned(case, actor), action)
    assert case is not None  # admitted
    return case


def admit(session: Session, actor: Actor, ref: int | str, case_id: int | None, assigned: Callable[[], bool], action: str) -> None:
    """The check of every read of one case (found as `case_id`, None if not): a reviewer not assigned to
    it (`assigned`) is told it does not exist, like anyone asking for a case that does not, and the
    refusal is audited; a permitted read is audited as `action`."""
    if case_id is not None and actor.role == "reviewer" and not assigned():
        record_refusal(session, actor, action, case_id)
        case_id = None
    if case_id is None:
        raise CaseNotFound(f"no case {ref}")
    record(session, actor, action, case_id)


def _is_assigned(case: Case, actor: Actor) -> bool:
    return any(a.reviewer_id == actor.reviewer_id and a.ended_at is None for a in case.assignments)


def _check_version(case: Case, expected: int | None) -> None:
    if expected is not None and expected != case.version:
        raise EditConflict(
            f"case {case.case_number} changed since version {expected} (now version {case.version}); reload it and try again"
        )


def _begin_step(
    session: Session,
    actor: Actor,
    ref: int | str,
    step: str,
    *,
    permission: str,
    action: str,
    assigned_only: bool = False,
    expected_version: int | None = None,
    parts: tuple[Any, ...] = _CASE_PARTS,
) -> Case:
    """The case, ready for one lifecycle step: the actor's permission, their sight of the case (audited
    as `action`), for reviewer steps their assignment, the version they read, and the case's state."""
    require(actor, permission)
    case = load_case(session, actor, ref, action=action, parts=parts)
    if assigned_only and not _is_assigned(case, actor):
        raise PermissionRefused(f"{actor.username} is not assigned to case {case.case_number}")
    _check_version(case, expected_version)
    lifecycle.require_step(case.case_number, case.state, step)
    return case


def _open_draft(case: Case) -> DeterminationVersion:
    draft = latest_version(case)
    if draft is None or draft.status != "draft":
        raise StepRefused(f"case {case.case_number} has no open draft; start the review first")
    if draft.source == PENDING:
        raise StepRefused(f"case {case.case_number}: the engine's draft is still being prepared; reload the case in a moment")
    return draft


def flush_or_conflict(session: Session, case: Case) -> None:
    """Write now, so that a concurrent change to the same case is a clear conflict, not a lost update."""
    number = case.case_number  # read now: a failed flush expires the object
    try:
        session.flush()
    except StaleDataError:
        raise EditConflict(
            f"case {number} was changed by someone else at the same time; nothing was written, reload it"
        ) from None


def list_cases(
    session: Session, actor: Actor, *, state: str | None = None, limit: int = 100, offset: int = 0, columns: tuple[Any, ...] = ()
) -> list[Any]:
    """The cases the actor may see, by id; with `columns`, rows of those columns (no ORM objects: the
    API's list, `views.case_summary` takes either)."""
    require(actor, "cases.read")
    if state and state not in lifecycle.states():
        raise InvalidInput(f"unknown state {state!r} (one of: {', '.join(lifecycle.states())})")
    reviewer = actor.role == "reviewer"
    values = {"limit": limit, "offset": offset, "state": state, "reviewer_id": actor.reviewer_id}
    cases = _fetch(session, _listing(reviewer, bool(state), columns), columns, values)
    record_each(session, actor, "case.list", [c.id for c in cases])
    return cases


class CaseDates(Protocol):
    """What a deadline is computed from: a case, or a row of its columns."""

    expedited: bool
    received: dt.date
    records_complete_on: dt.date | None
    decided_on: dt.date | None
    state: str
    extension_days: int


def deadline_of(case: CaseDates, today: dt.date | None = None) -> Deadline:
    return compute_deadline(
        expedited=case.expedited,
        received=case.received,
        records_complete_on=case.records_complete_on,
        decided_on=case.decided_on,
        still_open=lifecycle.is_open(case.state),
        today=today or california_today(),
        extension_days=case.extension_days or 0,
    )


def due_cases(
    session: Session, actor: Actor, *, today: dt.date | None = None, columns: tuple[Any, ...] = ()
) -> list[tuple[Any, Deadline]]:
    """Open cases that are overdue, at risk, or waiting on overdue records; most urgent first; with
    `columns`, rows of those columns (which must include the `CaseDates` and the id)."""
    require(actor, "cases.read")
    today = today or california_today()
    values = {
        "open_states": [s for s in lifecycle.states() if lifecycle.is_open(s)],
        "expedited_before": today - dt.timedelta(days=quiet_days(True)),
        "regular_before": today - dt.timedelta(days=quiet_days(False)),
        "reviewer_id": actor.reviewer_id,
    }
    found = []
    for case in _fetch(session, _due_candidates(actor.role == "reviewer", columns), columns, values):
        deadline = deadline_of(case, today)
        if deadline.status in ("overdue", "at risk", "missed") or deadline.records_overdue:
            found.append((case, deadline))
    found.sort(key=lambda pair: (pair[1].determination_due, pair[0].id))
    record_each(session, actor, "case.due", [case.id for case, _ in found])
    return found


# ---------------------------------------------------------------- intake


def _understand(text: str) -> tuple[str, str | None, str | None]:
    """Item kind, drug class and procedure, for matching reviewers' expertise."""
    item = understand_item(text)
    return item.kind, item.drug_class, procedure_of(item)


def import_case(
    session: Session, actor: Actor, case_file: CaseFile, *, documents: list[NewDocument] | None = None, source: str = "case file"
) -> Case:
    """File a new case from a case file (state: received)."""
    require(actor, "cases.write")
    new = _new_case(case_file, source)
    case = Case(
        **new.columns,
        # a new case has none of these: said here, they are not read back from the database after the insert
        parties=[Party(**party) for party in new.parties],
        items=[CaseItem(**item) for item in new.items],
        documents=[],
        assignments=[],
        determinations=[],
    )
    # a case number already on file is refused by `add_unique` (by the unique key: no query first)
    add_unique(session, case, _already_on_file(case.case_number))
    for document in documents or []:
        _file_document(session, case, document)
    record(session, actor, "case.import", case.id)
    return case


@dataclass(frozen=True)
class NewCase:
    """A case as its case file describes it, not yet stored: the columns of the case, of its items and
    of its parties."""

    columns: dict[str, Any]
    items: list[dict[str, Any]]
    parties: list[dict[str, Any]]


@dataclass(frozen=True)
class FiledCase:
    """A case just filed by `file_case`, as `views.detail_view` shows it (rows for its items and parties)."""

    id: int
    case_number: str
    expedited: bool
    received: dt.date
    ur_decision_date: dt.date | None
    claim_number: str | None
    items: list[Any]
    parties: list[Any]
    state: str = "received"
    version: int = 1
    extension_days: int = 0
    records_complete_on: None = None
    decided_on: None = None
    eligibility_reason: None = None
    extension_reason: None = None
    issued_on: None = None
    published_on: None = None


def file_case(session: Session, actor: Actor, case_file: CaseFile, *, source: str = "case file") -> FiledCase:
    """`import_case` without documents, written by an INSERT statement per table instead of the ORM's
    unit of work, whose objects and bookkeeping were half of the API's import."""
    require(actor, "cases.write")
    new = _new_case(case_file, source)
    connection = session.connection()
    cases, items, parties = (cast(Table, model.__table__) for model in (Case, CaseItem, Party))
    try:
        case_id = connection.execute(insert(cases).values({**new.columns, "version": 1}).returning(cases.c.id)).scalar_one()
    except IntegrityError:  # the unique case number (the transaction is rolled back whole)
        raise _already_on_file(new.columns["case_number"]) from None
    for table, rows in ((items, new.items), (parties, new.parties)):
        if rows:
            connection.execute(insert(table), [{"case_id": case_id, **row} for row in rows])
    record(session, actor, "case.import", case_id)
    shown = {name: new.columns[name] for name in ("case_number", "expedited", "received", "ur_decision_date", "claim_number")}
    return FiledCase(
        id=case_id,
        **shown,
        items=[SimpleNamespace(**item) for item in new.items],
        parties=[SimpleNamespace(**party) for party in new.parties],
    )


def _already_on_file(number: str) -> StepRefused:
    return StepRefused(f"case {number} is already on file")


def _new_case(case_file: CaseFile, source: str) -> NewCase:
    """The case a case file describes (state: received), checked."""
    intake = read_intake(case_file, source=source)
    if case_file.received is None:
        raise CaseFileError(
            f"{source}: invalid field received: the date the IMR application was received is required to open a case"
        )
    number = case_file.case_number or f"IMR-{case_file.received:%y}-{uuid.uuid4().hex[:10].upper()}"
    if number.strip().isdigit():
        # a case is named by id or by case number wherever it is looked up (URLs, the CLI): digits are an id
        raise CaseFileError(
            f"{source}: invalid field case_number: {number!r} is digits only; a case number has a letter or a dash "
            "(e.g. CM17-0000001), so that it is never mistaken for a case id"
        )
    columns = {
        "case_number": number,
        "state": "received",
        "expedited": case_file.expedited,
        "received": case_file.received,
        "ur_decision_date": ur_decision_date(case_file, intake),
        "claim_number": intake.resolved_claim_number,
        "case_file": as_json(case_file),
    }
    items = []
    for position, request in enumerate(case_file.requests):
        kind, drug_class, procedure = _understand(request.text)
        items.append({"position": position, "text": request.text, "kind": kind, "drug_class": drug_class, "procedure": procedure})
    parties = [
        {"role": party.role, "name": party.name, "details": party.model_dump(mode="json", exclude_none=True)}
        for party in intake.parties
    ]
    return NewCase(columns, items, parties)


def _file_document(session: Session, case: Case, new: NewDocument) -> CaseDocument:
    digest = content_hash(new.content)
    existing = next((d for d in case.documents if d.sha256 == digest), None)
    if existing is not None:
        return existing
    filed = CaseDocument(sha256=digest, filename=new.filename, kind=new.kind, date=new.date)
    filed.blob = _stored_blob(session, new, digest)  # known here: not read back after the insert
    case.documents.append(filed)
    session.flush()
    return filed


def _stored_blob(session: Session, new: NewDocument, digest: str) -> Document:
    """The bytes of a document, stored once: inserted unless they are stored already (by anyone, a
    concurrent request too), in one statement whichever it is."""
    media_type = media_type_of(new.content, new.filename)
    values = {
        "sha256": digest,
        "media_type": media_type,
        "size": len(new.content),
        "page_count": page_count(new.content, media_type, new.filename),
    }
    dialect_insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.connection().execute(dialect_insert(Document).values({**values, "content": new.content}).on_conflict_do_nothing())
    known = session.identity_map.get(session.identity_key(Document, digest))
    if isinstance(known, Document):
        return known
    blob = Document(**values)  # the row as stored (the same bytes make the same row), taken as loaded
    make_transient_to_detached(blob)
    session.add(blob)
    return blob


def add_document(
    session: Session, actor: Actor, ref: int | str, new: NewDocument, *, read: RecordsRead | None = None
) -> CaseDocument:
    """File a document with an open case; `read`: the records read from it (`packets.read_later_records`,
    before the transaction), added to the case's records for the engine's next draft."""
    case = _begin_step(
        session, actor, ref, "add_document", permission="cases.write", action="document.add", parts=_DOCUMENTS_ONLY
    )
    filename = unique_filename(case, new.filename, content_hash(new.content))
    if read is not None:
        new = dataclasses.replace(new, kind=new.kind or read.kind, date=new.date or read.date)
    filed = _file_document(session, case, dataclasses.replace(new, filename=filename))
    if read is not None and read.records and add_records(case, filed, read.records):
        record(session, actor, "records.read", case.id)
        flush_or_conflict(session, case)
    return filed


def read_document(session: Session, actor: Actor, ref: int | str, sha256: str, *, action: str = "document.read") -> CaseDocument:
    case = load_case(session, actor, ref, action=action)
    filed = next((d for d in case.documents if d.sha256 == sha256), None)
    if filed is None:
        raise CaseNotFound(f"case {case.case_number} has no document {sha256}")
    return filed


def document_refs(case_file: CaseFile) -> list[DocumentRef]:
    return read_intake(case_file).documents


# ---------------------------------------------------------------- eligibility and records


def decide_eligibility(
    session: Session, actor: Actor, ref: int | str, *, expected_version: int | None = None
) -> EligibilityDecision:
    """Screen the application (8 CCR 9792.10.2-.3): eligible, or ineligible and closed with the reasons."""
    case = _begin_step(
        session,
        actor,
        ref,
        "decide_eligibility",
        permission="cases.write",
        action="case.eligibility",
        expected_version=expected_version,
    )
    stored = stored_case(case.case_file)
    intake = stored_intake(stored)
    application = Application(
        case_number=case.case_number,
        received=case.received,
        ur_decision_date=case.ur_decision_date,
        ur_served=intake.ur_decision.served,
        ur_basis=intake.ur_decision.basis,
        liability_disputed=intake.liability_disputed,
        claim_number=case.claim_number,
        items=tuple(i.text for i in case.items),
        applicant=intake.applicant,
    )
    others: list[Case] = (
        list(
            session.scalars(
                select(Case).where(Case.claim_number == case.claim_number, Case.id != case.id, Case.state != "ineligible")
            )
        )
        if case.claim_number
        else []
    )
    on_file = [CaseOnFile(o.case_number, o.claim_number, o.ur_decision_date, tuple(i.text for i in o.items)) for o in others]
    decision = screen_application(application, on_file)
    case.state = "eligible" if decision.eligible else "ineligible"
    case.eligibility_reason = decision.reason
    flush_or_conflict(session, case)
    return decision


def complete_records(
    session: Session, actor: Actor, ref: int | str, *, on: dt.date | None = None, expected_version: int | None = None
) -> Case:
    """Mark the medical records complete: the determination clock now runs from this date."""
    case = _begin_step(
        session,
        actor,
        ref,
        "complete_records",
        permission="cases.write",
        action="case.records_complete",
        expected_version=expected_version,
    )
    on = on or california_today()
    if on < case.received:
        raise InvalidInput(
            f"case {case.case_number}: records cannot be complete on {on}, before the application ({case.received})"
        )
    if on > california_today():
        raise InvalidInput(
            f"case {case.case_number}: records cannot be complete on {on}, a date in the future (today in California is {california_today()})"
        )
    case.records_complete_on = on
    case.state = "records_complete"
    flush_or_conflict(session, case)
    return case


def extend_deadline(
    session: Session, actor: Actor, ref: int | str, *, days: int, reason: str, expected_version: int | None = None
) -> Case:
    """Extend the determination deadline (extraordinary circumstances, the AD's approval; LC 4610.6(d))."""
    case = _begin_step(
        session, actor, ref, "extend_deadline", permission="cases.write", action="case.extend", expected_version=expected_version
    )
    allowed = max_extension_days() - (case.extension_days or 0)
    if not reason.strip():
        raise InvalidInput(f"case {case.case_number}: an extension needs a reason (the circumstances and the AD's approval)")
    if not 1 <= days <= allowed:
        raise InvalidInput(
            f"case {case.case_number}: an extension of {days} day(s) is not allowed ({allowed} of {max_extension_days()} day(s) left; LC 4610.6(d))"
        )
    case.extension_days = (case.extension_days or 0) + days
    case.extension_reason = "; ".join(r for r in (case.extension_reason, reason.strip()) if r)
    flush_or_conflict(session, case)
    return case


# ---------------------------------------------------------------- assignment


def _needs(case: Case) -> list[ItemNeed]:
    return [ItemNeed(i.text, i.kind, i.drug_class, i.procedure) for i in case.items]


def _party_names(case: Case) -> list[PartyName]:
    parties = [PartyName(p.role, p.name) for p in case.parties]
    for party in case.parties:
        # An attorney's firm and a provider's practice are parties too.
        for key in ("firm", "practice", "organization"):
            if isinstance(party.details.get(key), str):
                parties.append(PartyName(party.role, party.details[key]))
    ur_org = (case.case_file.get("ur_decision") or {}).get("organization")
    if ur_org and not any(p.role == "ur_organization" for p in case.parties):
        parties.append(PartyName("ur_organization", ur_org))
    return parties


def screen_reviewers(session: Session, actor: Actor, ref: int | str, *, reviewer_id: int | None = None) -> AssignmentDecision:
    """Every registered reviewer screened for this case, without assigning anyone."""
    require(actor, "cases.assign")
    case = load_case(session, actor, ref, action="case.screen")
    return _screen(session, case, reviewer_id)


def _screen(session: Session, case: Case, reviewer_id: int | None) -> AssignmentDecision:
    load = open_workloads(session)
    query = select(Reviewer).order_by(Reviewer.id)
    if reviewer_id is not None:
        query = query.where(Reviewer.id == reviewer_id)
    current = {a.reviewer_id for a in case.assignments if a.ended_at is None}
    candidates = [
        profile_of(r, load.get(r.id, 0)) for r in session.scalars(query) if r.id not in current or reviewer_id is not None
    ]
    if reviewer_id is not None and not candidates:
        raise InvalidInput(f"no reviewer {reviewer_id}")
    return choose_reviewer(candidates, _needs(case), _party_names(case))


def assign(
    session: Session,
    actor: Actor,
    ref: int | str,
    *,
    reviewer_id: int | None = None,
    add: bool = False,
    expected_version: int | None = None,
) -> AssignmentDecision:
    """Assign the least-loaded qualified, independent reviewer (or the one named, if they pass the screen).

    `add` keeps the current reviewer(s): a case whose items span specialties may have a panel.
    Otherwise an earlier assignment ends (a reassignment).
    """
    case = _begin_step(
        session, actor, ref, "assign", permission="cases.assign", action="case.assign", expected_version=expected_version
    )
    decision = _screen(session, case, reviewer_id)
    if decision.chosen is None:
        why = "; ".join(
            f"{next(r.name for r in decision.considered if r.id == rid)}: {', '.join(reasons)}"
            for rid, reasons in decision.excluded.items()
        )
        raise NoQualifiedReviewer(
            f"case {case.case_number}: no qualified, independent reviewer available ({why or 'no reviewers registered'})"
        )
    if reviewer_id is not None and any(a.reviewer_id == reviewer_id and a.ended_at is None for a in case.assignments):
        return decision
    if not add:
        for current in case.assignments:
            if current.ended_at is None:
                current.ended_at = utcnow()
    case.assignments.append(Assignment(reviewer_id=decision.chosen.id, assigned_by=actor.username, screening=decision.as_dict()))
    case.state = "assigned"
    flush_or_conflict(session, case)
    return decision


# ---------------------------------------------------------------- review and determination


def latest_version(case: Case) -> DeterminationVersion | None:
    return case.determinations[-1] if case.determinations else None


def current_signed(case: Case) -> DeterminationVersion | None:
    return next((v for v in reversed(case.determinations) if v.status == "signed"), None)


@dataclass(frozen=True)
class Prepared:
    """A step's slow part (the engine's draft, a rendered letter) done outside any transaction, for the
    case as it was at `case_version`; the step refuses it if the case has changed since."""

    case_version: int
    artifact: Any


def _use_prepared(case: Case, prepared: Prepared | None) -> Any:
    if prepared is None:
        return None
    if prepared.case_version != case.version:
        raise EditConflict(f"case {case.case_number} changed while its draft or letter was being prepared; try again")
    return prepared.artifact


def _item_kinds(case: Case) -> list[tuple[str, str]]:
    return [(i.text, i.kind) for i in case.items]


def _with_case_details(d: Determination, case: Case) -> Determination:
    stored = stored_case(case.case_file)
    details = d.case.model_copy(
        update={
            "case_number": case.case_number,
            "application_received": case.received,
            "ur_denial_date": case.ur_decision_date,
            "date_of_injury": stored.injury_date or d.case.date_of_injury,
            "priority": "Expedited" if case.expedited else "Standard",
            "age": d.case.age if d.case.age is not None else stored.worker.age,
            "sex": d.case.sex or stored.worker.sex,
            "date_assigned": california_date(min((a.assigned_at for a in case.assignments), default=utcnow())),
        }
    )
    return d.model_copy(update={"case": details})


def start_review(session: Session, actor: Actor, ref: int | str, *, prepared: Prepared | None = None) -> DeterminationVersion:
    """Open the review: the engine's draft per item becomes version 1 (or the open draft is returned)."""
    case = _begin_step(session, actor, ref, "start_review", **_SLOW_STEPS["start_review"], action="determination.draft")
    latest = latest_version(case)
    if latest is not None and latest.status == "draft":
        return latest
    draft, source = _use_prepared(case, prepared) or engine_draft(case.id, case.case_file, _item_kinds(case))
    draft = _with_case_details(draft, case)
    content = draft.to_json_dict()
    version = DeterminationVersion(
        number=1,
        status="draft",
        content=content,
        source=source,
        created_by=actor.username,
        engine_content=content if source == "engine" else None,
    )
    case.determinations.append(version)
    case.state = "in_review"
    flush_or_conflict(session, case)
    return version


def parse_determination(data: Any, *, source: str = "determination") -> Determination:
    return validated(Determination, data, source=source)


def save_draft(
    session: Session, actor: Actor, ref: int | str, determination: Determination, *, expected_version: int | None = None
) -> DeterminationVersion:
    """Replace the open draft with the reviewer's edit (the case's items stay as filed)."""
    case = _begin_step(
        session,
        actor,
        ref,
        "edit_draft",
        permission="determinations.write",
        action="determination.edit",
        assigned_only=True,
        expected_version=expected_version,
    )
    draft = _open_draft(case)
    if len(determination.issues) != len(case.items):
        raise InvalidInput(
            f"case {case.case_number}: the determination must decide {len(case.items)} item(s), got {len(determination.issues)}"
        )
    _require_items_as_filed(case, determination, Determination.model_validate(draft.content))
    draft.content = _with_case_details(determination, case).to_json_dict()
    draft.source = "reviewer"
    case.updated_at = utcnow()
    flush_or_conflict(session, case)
    return draft


def _require_items_as_filed(case: Case, determination: Determination, draft: Determination | None = None) -> None:
    """The disputed items belong to intake: a decision may set each item's outcome, rationale and
    citations, never rewrite what was disputed (its text, kind, drug, strength, quantities...)."""
    for n, (issue, filed) in enumerate(zip(determination.issues, case.items), start=1):
        as_drafted = draft.issues[n - 1].item if draft is not None else None
        if issue.item.text != filed.text or (as_drafted is not None and issue.item != as_drafted):
            raise InvalidInput(
                f"case {case.case_number}: item {n}: the disputed item is as filed and cannot be changed in the decision "
                "(decide its outcome, rationale and citations; a wrong item is corrected at intake)"
            )


def changes_from_engine(version: DeterminationVersion) -> list[list[str]]:
    """Per item, what the reviewer changed from the engine's draft: outcome, rationale, citations."""
    if version.engine_content is None:
        return []
    mine = Determination.model_validate(version.content).issues
    engine = Determination.model_validate(version.engine_content).issues
    return [item_changes(m, e) for m, e in zip(mine, engine)]


def canonical_hash(content: dict[str, Any]) -> str:
    """The signed content's fingerprint: SHA-256 of its canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _credentials(reviewer: Reviewer) -> ReviewerCredentials:
    return ReviewerCredentials(
        licensure_states=list(reviewer.license_states),
        specialties=[s.title() for s in reviewer.specialties],
        board_certified=bool(reviewer.board_certifications),
        subspecialty=reviewer.subspecialty,
    )


def sign(
    session: Session, actor: Actor, ref: int | str, *, expected_version: int | None = None, on: dt.date | None = None
) -> DeterminationVersion:
    """Sign the open draft: from now on it is immutable, identified by its content hash."""
    case = _begin_step(
        session,
        actor,
        ref,
        "sign",
        permission="determinations.sign",
        action="determination.sign",
        assigned_only=True,
        expected_version=expected_version,
    )
    draft = _open_draft(case)
    determination = Determination.model_validate(draft.content)
    _require_items_as_filed(case, determination)
    undecided = [
        str(n + 1) for n, issue in enumerate(determination.issues) if issue.outcome is None or not (issue.rationale or "").strip()
    ]
    if undecided:
        raise StepRefused(
            f"case {case.case_number}: item(s) {', '.join(undecided)} need an outcome and a rationale before signing"
        )
    on = on or california_today()
    reviewer = session.get(Reviewer, actor.reviewer_id)
    assert reviewer is not None  # an assigned reviewer is registered (foreign key)
    details = determination.case.model_copy(update={"decision_date": on})
    signed = determination.model_copy(update={"case": details, "reviewer": _credentials(reviewer)})
    content = signed.to_json_dict()
    for earlier in case.determinations:
        if earlier.status == "signed":
            earlier.status = "superseded"
    draft.content = content
    draft.content_hash = canonical_hash(content)
    draft.status = "signed"
    draft.signed_by = actor.username
    draft.signed_at = utcnow()
    case.state = "signed"
    case.decided_on = on
    flush_or_conflict(session, case)
    return draft


def correct(
    session: Session, actor: Actor, ref: int | str, *, reason: str, expected_version: int | None = None
) -> DeterminationVersion:
    """Open a correction: a new draft copied from the signed version, which is kept unchanged."""
    case = _begin_step(
        session,
        actor,
        ref,
        "correct",
        permission="determinations.write",
        action="determination.correct",
        assigned_only=True,
        expected_version=expected_version,
    )
    if not reason.strip():
        raise InvalidInput(f"case {case.case_number}: a correction needs a reason")
    signed = current_signed(case)
    assert signed is not None  # the lifecycle only allows a correction after signing
    version = DeterminationVersion(
        number=case.determinations[-1].number + 1,
        status="draft",
        content=dict(signed.content),
        engine_content=signed.engine_content,
        source="correction",
        correction_reason=reason,
        created_by=actor.username,
    )
    case.determinations.append(version)
    case.state = "in_review"
    case.decided_on = None
    case.issued_on = None
    case.published_on = None
    flush_or_conflict(session, case)
    return version


def verify_signed(version: DeterminationVersion) -> bool:
    """Whether a signed version's content still matches the hash it was signed with."""
    return version.content_hash is not None and canonical_hash(version.content) == version.content_hash


def issued_letter(case: Case) -> bytes | None:
    """The issued letter PDF of the signed version (None before issuing), once its hash and that of the
    signed content check out: a swapped PDF or an edited decision is refused, never served."""
    signed = current_signed(case)
    if signed is None or signed.letter_pdf is None:
        return None
    require_untampered(case, signed)
    return signed.letter_pdf


def require_untampered(case: Case, signed: DeterminationVersion) -> None:
    """Refuse a signed version whose content or issued letter no longer matches its recorded hash."""
    if not verify_signed(signed) or not letter_matches(signed):
        _log.error("tampered determination refused: case id %s, version %s", case.id, signed.number)
        raise TamperedRecord(
            f"case {case.case_number}: signed version {signed.number} or its letter does not match the hash "
            "recorded when it was signed and issued; it is not served (tell the administrator: run 'imr audit verify')"
        )


# ---------------------------------------------------------------- issuing and publishing


def render(d: Determination, fmt: Format, organization: str | None) -> bytes:
    """The letter of a determination as text, HTML or PDF, under the organization's name if set."""
    return render_letter(d, fmt, organization=organization or None)


def issue(
    session: Session,
    actor: Actor,
    ref: int | str,
    *,
    organization: str | None = None,
    on: dt.date | None = None,
    prepared: Prepared | None = None,
) -> DeterminationVersion:
    """Render the Final Determination Letter (PDF) of the signed version and mark the case issued."""
    case = _begin_step(session, actor, ref, "issue", **_SLOW_STEPS["issue"], action="letter.issue")
    signed = current_signed(case)
    assert signed is not None  # the lifecycle allows issuing only once signed
    if not verify_signed(signed):
        raise StepRefused(
            f"case {case.case_number}: signed version {signed.number} does not match its content hash; refusing to issue"
        )
    signed.letter_pdf = _use_prepared(case, prepared) or _letter_pdf(signed.content, organization)
    signed.letter_sha256 = letter_hash(signed.letter_pdf)
    signed.issued_at = utcnow()
    case.state = "issued"
    case.issued_on = on or california_today()
    flush_or_conflict(session, case)
    return signed


def _letter_pdf(content: dict[str, Any], organization: str | None) -> bytes:
    return render(Determination.model_validate(content), "pdf", organization)


def parties_of(case: Case) -> list[PartyIn]:
    return [input_files.stored(PartyIn, p.details) for p in case.parties]


@dataclass(frozen=True)
class Publication:
    text: str
    pdf: bytes
    replacements: dict[str, int]


def _publication(content: dict[str, Any], parties: list[PartyIn], organization: str | None) -> Publication:
    redactor = redactor_for(parties)
    redacted = redactor.determination(Determination.model_validate(content))
    text = redactor.text(render(redacted, "text", organization).decode("utf-8"))
    return Publication(text=text, pdf=render(redacted, "pdf", organization), replacements=dict(redactor.counts))


def publish(
    session: Session,
    actor: Actor,
    ref: int | str,
    *,
    organization: str | None = None,
    on: dt.date | None = None,
    prepared: Prepared | None = None,
) -> dict[str, Any]:
    """Produce the redacted copy for publication (text and PDF) and mark the case published."""
    case = _begin_step(session, actor, ref, "publish", **_SLOW_STEPS["publish"], action="letter.publish")
    signed = current_signed(case)
    assert signed is not None  # the lifecycle allows publishing only once issued
    publication = _use_prepared(case, prepared) or _publication(signed.content, parties_of(case), organization)
    signed.published_text = publication.text
    signed.published_pdf = publication.pdf
    signed.published_at = utcnow()
    case.state = "published"
    case.published_on = on or california_today()
    flush_or_conflict(session, case)
    return {"version": signed.number, "replacements": publication.replacements}


@dataclass(frozen=True)
class PublishedCopy:
    """The published (redacted) copy of a case's signed determination."""

    case_id: int
    case_number: str
    version: int
    published_on: dt.date | None
    text: str
    pdf: bytes | None  # read only when asked for: the PDF is a deferred column


def published_copy(case: Case, *, with_pdf: bool = False) -> PublishedCopy:
    """The published copy of `case`; CaseNotFound before it is published."""
    signed = current_signed(case)
    if signed is None or signed.published_text is None:
        raise CaseNotFound(f"case {case.case_number} has not been published")
    pdf = signed.published_pdf if with_pdf else None
    return PublishedCopy(case.id, case.case_number, signed.number, case.published_on, signed.published_text, pdf)


# ---------------------------------------------------------------- slow steps without holding the database

_SLOW_STEPS: dict[str, dict[str, Any]] = {
    "start_review": {"permission": "determinations.write", "assigned_only": True},
    "refresh_draft": {"permission": "determinations.write", "assigned_only": True},
    "issue": {"permission": "letters.issue", "assigned_only": False},
    "publish": {"permission": "letters.publish", "assigned_only": False},
}


def prepare(
    db: Database, actor: Actor, ref: int | str, step: str, *, organization: str | None = None, drafter: EngineDraft = engine_draft
) -> Prepared:
    """Read what `step` needs in a short transaction, then do its slow part (the engine, the renderer)
    with no transaction open: SQLite has one writer at a time, and a PDF takes a second to render."""
    with db.transaction() as session:
        case = _begin_step(session, actor, ref, step, **_SLOW_STEPS[step], action="case.read")
        version, case_id, case_file, items = case.version, case.id, dict(case.case_file), _item_kinds(case)
        signed = current_signed(case)
        content = dict(signed.content) if signed else {}
        parties = parties_of(case)
    if step in ("start_review", "refresh_draft"):
        return Prepared(version, drafter(case_id, case_file, items))
    if step == "issue":
        return Prepared(version, _letter_pdf(content, organization))
    return Prepared(version, _publication(content, parties, organization))


# The source of a draft whose engine run has not finished yet: the web app opens the review at once and
# runs the engine after answering, so that no request waits seconds for it.
PENDING = "pending"


def request_review(db: Database, actor: Actor, ref: int | str) -> tuple[DeterminationVersion, bool]:
    """Open the review without waiting for the engine: a blank draft marked pending (or the open draft
    as it is); and whether the engine's draft is still to be made (`finish_pending_draft`)."""
    with db.transaction() as session:
        case = _begin_step(session, actor, ref, "start_review", **_SLOW_STEPS["start_review"], action="determination.draft")
        latest = latest_version(case)
        if latest is not None and latest.status == "draft":
            return latest, latest.source == PENDING  # asked again: a run lost with its process is started again
        blank = _with_case_details(blank_draft(_item_kinds(case), "the engine's draft is being prepared"), case)
        version = DeterminationVersion(
            number=1, status="draft", content=blank.to_json_dict(), source=PENDING, created_by=actor.username
        )
        case.determinations.append(version)
        case.state = "in_review"
        flush_or_conflict(session, case)
        return version, True


def finish_pending_draft(db: Database, actor: Actor, ref: int | str, drafter: EngineDraft = engine_draft) -> None:
    """Replace a pending draft by the engine's draft; the engine runs outside any transaction. Nothing
    happens if the draft is no longer pending (another run finished it first)."""
    with db.transaction() as session:
        case = load_case(session, actor, ref, action="determination.draft")
        pending = latest_version(case)
        if pending is None or pending.status != "draft" or pending.source != PENDING:
            return
        case_id, case_file, items, number = case.id, dict(case.case_file), _item_kinds(case), pending.number
    draft, source = drafter(case_id, case_file, items)
    with db.transaction() as session:
        case = load_case(session, actor, ref, action="determination.draft")
        pending = latest_version(case)
        if pending is None or pending.number != number or pending.status != "draft" or pending.source != PENDING:
            return
        content = _with_case_details(draft, case).to_json_dict()
        pending.content = content
        pending.source = source
        pending.engine_content = content if source == "engine" else None
        case.updated_at = utcnow()  # a new case version: a form read while the draft was pending is stale
        flush_or_conflict(session, case)


def open_review(db: Database, actor: Actor, ref: int | str) -> DeterminationVersion:
    """`start_review` in its own transactions, with the engine run outside them."""
    prepared = prepare(db, actor, ref, "start_review")
    with db.transaction() as session:
        return start_review(session, actor, ref, prepared=prepared)


def issue_letter(db: Database, actor: Actor, ref: int | str, *, organization: str | None = None) -> DeterminationVersion:
    """`issue` in its own transactions, with the PDF rendered outside them."""
    prepared = prepare(db, actor, ref, "issue", organization=organization)
    with db.transaction() as session:
        return issue(session, actor, ref, organization=organization, prepared=prepared)


def publish_letter(db: Database, actor: Actor, ref: int | str, *, organization: str | None = None) -> dict[str, Any]:
    """`publish` in its own transactions, with redaction and rendering outside them."""
    prepared = prepare(db, actor, ref, "publish", organization=organization)
    with db.transaction() as session:
        return publish(session, actor, ref, organization=organization, prepared=prepared)


def refresh_draft(db: Database, actor: Actor, ref: int | str, drafter: EngineDraft = engine_draft) -> DeterminationVersion:
    """Draft again from the records as they are now (records filed since the review opened): the engine
    runs outside any transaction, and its draft becomes a new version with the reviewer's own decisions
    carried over (`drafts.carry_decisions`). The draft it replaces is kept, superseded and fixed by its
    hash, so that what the engine said before stays on record and can be compared."""
    prepared = prepare(db, actor, ref, "refresh_draft", drafter=drafter)
    with db.transaction() as session:
        case = _begin_step(session, actor, ref, "refresh_draft", **_SLOW_STEPS["refresh_draft"], action="determination.refresh")
        draft = _open_draft(case)
        engine, source = _use_prepared(case, prepared)
        if source != "engine":
            raise StepRefused(
                f"case {case.case_number}: the review engine could not draft from the records; the draft is kept as it was"
            )
        engine = _with_case_details(engine, case)
        before = Determination.model_validate(draft.engine_content) if draft.engine_content else None
        content = carry_decisions(Determination.model_validate(draft.content), before, engine).to_json_dict()
        draft.status = "superseded"
        draft.content_hash = canonical_hash(draft.content)  # kept as it was: `imr audit verify` checks it
        version = DeterminationVersion(
            number=draft.number + 1,
            status="draft",
            content=content,
            engine_content=engine.to_json_dict(),
            source="refresh",
            created_by=actor.username,
        )
        case.determinations.append(version)
        case.updated_at = utcnow()
        flush_or_conflict(session, case)
        return version


def previous_engine_draft(case: Case) -> Determination | None:
    """The engine's draft before the latest refresh, to show what the new records changed."""
    latest = latest_version(case)
    if latest is None or latest.source != "refresh" or len(case.determinations) < 2:
        return None
    earlier = case.determinations[-2].engine_content
    return Determination.model_validate(earlier) if earlier else None
