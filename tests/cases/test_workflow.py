"""The case lifecycle end to end on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from imr.casefile import load_case, parse_case
from imr.cases import Actor, CaseNotFound, Database, EditConflict, PermissionRefused, StepRefused
from imr.cases import service
from imr.cases.models import AuditEntry, Case, Document
from imr.cases.service import NewDocument
from imr.model import Determination
from imr.examples import EXAMPLE_SERVICE


EXAMPLES = EXAMPLE_SERVICE
NOTE = (EXAMPLES / "records" / "progress-note-2026-10-19.txt").read_bytes()


def _import(db: Database, actor: Actor, **changes) -> int:
    case = load_case(EXAMPLES / "case.yaml").model_copy(update=changes)
    with db.transaction() as session:
        return service.import_case(session, actor, case, documents=[NewDocument("note.txt", NOTE, "progress note")]).id


def _to_review(db: Database, admin: Actor) -> tuple[int, Actor]:
    case_id = _import(db, admin)
    with db.transaction() as session:
        service.decide_eligibility(session, admin, case_id)
        service.complete_records(session, admin, case_id, on=dt.date(2026, 11, 27))
        decision = service.assign(session, admin, case_id)
    reviewer = Actor("reviewer", "reviewer", decision.chosen.id)
    with db.transaction() as session:
        service.start_review(session, reviewer, case_id)
    return case_id, reviewer


def _sign(db: Database, reviewer: Actor, case_id: int) -> None:
    """The reviewer decides every item of the open draft (Upheld) and signs."""
    with db.transaction() as session:
        draft = service.latest_version(service.load_case(session, reviewer, case_id))
        service.save_draft(session, reviewer, case_id, _decided(draft.content))
        service.sign(session, reviewer, case_id)


def _decided(d: dict, outcome: str = "Upheld") -> Determination:
    determination = Determination.model_validate(d)
    issues = [
        i.model_copy(update={"outcome": outcome, "rationale": f"Decided on the MTUS for item {n}."})
        for n, i in enumerate(determination.issues)
    ]
    return determination.model_copy(update={"issues": issues})


def test_case_runs_from_intake_to_publication(database, admin, example_reviewers) -> None:
    case_id, reviewer = _to_review(database, admin)
    assert reviewer.reviewer_id == example_reviewers["Dr. Omar Haddad"]  # Dr. Park works for the requesting practice
    with database.transaction() as session:
        case = service.load_case(session, reviewer, case_id)
        draft = service.latest_version(case)
        service.save_draft(session, reviewer, case_id, _decided(draft.content), expected_version=case.version)
    with database.transaction() as session:
        signed = service.sign(session, reviewer, case_id, on=dt.date(2026, 12, 2))
        assert signed.content["reviewer"]["licensure_states"] == ["CA", "NV"]
        assert signed.content["case"]["decision_date"] == "2026-12-02"
    with database.transaction() as session:
        issued = service.issue(session, admin, case_id)
        assert issued.letter_pdf.startswith(b"%PDF")
    with database.transaction() as session:
        report = service.publish(session, admin, case_id)
    with database.transaction() as session:
        case = service.load_case(session, admin, case_id)
        published = service.current_signed(case).published_text
        assert case.state == "published"
        assert "CM26-0000001" in published
        assert "Garcia" not in published and "Okafor" not in published
    assert report["version"] == 1


def test_a_signed_determination_is_immutable_and_a_correction_keeps_it(database, admin, example_reviewers) -> None:
    case_id, reviewer = _to_review(database, admin)
    with database.transaction() as session:
        draft = service.latest_version(service.load_case(session, reviewer, case_id))
        service.save_draft(session, reviewer, case_id, _decided(draft.content))
        first = service.sign(session, reviewer, case_id)
        first_hash = first.content_hash
    with database.transaction() as session, pytest.raises(StepRefused, match="cannot edit draft while signed"):
        service.save_draft(session, reviewer, case_id, _decided(first.content, "Overturned"))
    with database.transaction() as session:
        correction = service.correct(session, reviewer, case_id, reason="item 2 outcome was wrong")
        service.save_draft(session, reviewer, case_id, _decided(correction.content, "Overturned"))
        service.sign(session, reviewer, case_id)
    with database.transaction() as session:
        versions = service.load_case(session, admin, case_id).determinations
        assert [(v.number, v.status) for v in versions] == [(1, "superseded"), (2, "signed")]
        assert versions[0].content_hash == first_hash and service.verify_signed(versions[0])
        assert versions[0].content["issues"][0]["outcome"] == "Upheld"
        assert versions[1].content["issues"][0]["outcome"] == "Overturned"
        assert versions[1].correction_reason == "item 2 outcome was wrong"


def test_the_database_refuses_to_change_a_signed_version(database, admin, example_reviewers) -> None:
    case_id, reviewer = _to_review(database, admin)
    _sign(database, reviewer, case_id)
    tampering = [
        "UPDATE case_determinations SET content_hash = 'x'",
        "UPDATE case_determinations SET signed_by = 'someone else'",
        "UPDATE case_determinations SET status = 'draft'",
        "DELETE FROM case_determinations",
    ]
    for statement in tampering:  # behind the service's back, straight to the database
        with pytest.raises(Exception, match="signed version"):
            with database.engine.begin() as connection:
                connection.execute(text(statement))
    with database.transaction() as session:
        signed = service.current_signed(service.load_case(session, admin, case_id))
        assert service.verify_signed(signed) and signed.signed_by == "reviewer"
    with database.transaction() as session:  # issuing may still attach the letter to it
        assert service.issue(session, admin, case_id).letter_pdf.startswith(b"%PDF")


def test_a_changed_copy_no_longer_matches_its_hash(database, admin, example_reviewers) -> None:
    case_id, reviewer = _to_review(database, admin)
    _sign(database, reviewer, case_id)
    with database.transaction() as session:
        signed = service.current_signed(service.load_case(session, admin, case_id))
        session.expunge(signed)  # a copy whose content no longer matches the hash it was signed with
        signed.content = dict(signed.content, issues=[])
        assert not service.verify_signed(signed)


def test_signing_needs_every_item_decided(database, admin, example_reviewers) -> None:
    case_id, reviewer = _to_review(database, admin)
    with database.transaction() as session:
        draft = service.latest_version(service.load_case(session, reviewer, case_id))
        blank = Determination.model_validate(draft.content)
        blank.issues[0].outcome = None
        service.save_draft(session, reviewer, case_id, blank)
    with database.transaction() as session, pytest.raises(StepRefused, match=r"item\(s\) 1.* need an outcome"):
        service.sign(session, reviewer, case_id)


def test_steps_out_of_order_are_refused_with_the_state(database, admin, example_reviewers) -> None:
    case_id = _import(database, admin)
    with database.transaction() as session, pytest.raises(StepRefused, match="cannot assign while received"):
        service.assign(session, admin, case_id)
    with database.transaction() as session, pytest.raises(StepRefused, match="cannot issue while received"):
        service.issue(session, admin, case_id)


def test_a_reviewer_sees_only_assigned_cases_and_the_refusal_is_audited(database, admin, example_reviewers) -> None:
    case_id, reviewer = _to_review(database, admin)
    other_case = _import(database, admin, case_number="CM26-0000002")
    stranger = Actor("someone", "reviewer", example_reviewers["Dr. Helen Park"])
    with database.transaction() as session:
        assert [c.id for c in service.list_cases(session, reviewer)] == [case_id]
        assert service.list_cases(session, stranger) == []
    for ref in (case_id, other_case, 9999):
        with database.transaction() as session, pytest.raises(CaseNotFound, match=f"no case {ref}"):
            service.load_case(session, stranger, ref)
    with database.transaction() as session:
        denied = session.scalars(select(AuditEntry).where(AuditEntry.outcome == "denied")).all()
        assert {(e.username, e.case_id) for e in denied} == {("someone", case_id), ("someone", other_case)}
    with database.transaction() as session, pytest.raises(PermissionRefused):
        service.issue(session, reviewer, case_id)


def test_every_read_and_write_is_audited_and_the_log_is_append_only(database, admin, example_reviewers) -> None:
    case_id, reviewer = _to_review(database, admin)
    with database.transaction() as session:
        service.load_case(session, reviewer, case_id)
        service.list_cases(session, reviewer)
    with database.transaction() as session:
        actions = session.execute(
            select(AuditEntry.username, AuditEntry.action).where(AuditEntry.case_id == case_id).order_by(AuditEntry.id)
        ).all()
    assert [a for _, a in actions] == [
        "case.import",
        "case.eligibility",
        "case.records_complete",
        "case.assign",
        "determination.draft",
        "case.read",
        "case.list",
    ]
    assert actions[-1][0] == "reviewer"
    for statement in ("UPDATE case_audit_log SET username = 'x'", "DELETE FROM case_audit_log"):
        with pytest.raises(Exception, match="append-only"):
            with database.engine.begin() as connection:
                connection.execute(text(statement))
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.username == "x")) == 0


def test_a_crash_mid_transaction_leaves_no_half_written_case(database, admin) -> None:
    case = load_case(EXAMPLES / "case.yaml")
    with pytest.raises(RuntimeError, match="power cut"):
        with database.transaction() as session:
            service.import_case(session, admin, case, documents=[NewDocument("note.txt", NOTE)])
            session.flush()  # the rows are in the database's transaction...
            raise RuntimeError("power cut")  # ...when the process dies
    # a bad document half-way through an import fails the whole import too
    with pytest.raises(service.InvalidInput, match="neither a PDF nor UTF-8"):
        with database.transaction() as session:
            service.import_case(
                session, admin, case, documents=[NewDocument("a.txt", NOTE), NewDocument("b.bin", b"\xff\xfe\x00\x81")]
            )
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        assert session.scalar(select(func.count()).select_from(Document)) == 0
        for table in ("case_parties", "case_items", "case_documents"):
            assert session.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0


def test_documents_are_stored_once_with_page_counts(database, admin, dwc_letters) -> None:
    pdf = dwc_letters[0].read_bytes()
    first = _import(database, admin)
    second = _import(database, admin, case_number="CM26-0000002")
    with database.transaction() as session:
        service.add_document(session, admin, first, NewDocument("letter.pdf", pdf, "UR decision"))
        service.add_document(session, admin, second, NewDocument("same-letter.pdf", pdf))
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 2  # the note and the PDF
        filed = service.load_case(session, admin, second).documents
        by_name = {d.filename: d.blob for d in filed}
        from pypdf import PdfReader
        import io

        assert by_name["same-letter.pdf"].page_count == len(PdfReader(io.BytesIO(pdf)).pages) > 1
        assert by_name["same-letter.pdf"].media_type == "application/pdf"
        assert by_name["note.txt"].page_count == 1 and by_name["note.txt"].media_type == "text/plain"


def test_import_refuses_a_case_without_a_received_date_and_a_second_copy(database, admin) -> None:
    with database.transaction() as session, pytest.raises(service.CaseFileError, match="received"):
        service.import_case(session, admin, parse_case({"requests": [{"text": "MRI lumbar spine"}]}))
    _import(database, admin)
    with pytest.raises(StepRefused, match="already on file"):
        _import(database, admin)


def test_overdue_and_at_risk_cases_are_listed(database, admin) -> None:
    regular = _import(database, admin)
    expedited = _import(database, admin, case_number="CM17-0000003", expedited=True)
    with database.transaction() as session:
        assert service.due_cases(session, admin, today=dt.date(2026, 11, 18)) == []
        assert [c.id for c, _ in service.due_cases(session, admin, today=dt.date(2026, 11, 19))] == [expedited]  # due 20 Nov
        due = service.due_cases(session, admin, today=dt.date(2026, 12, 13))
    assert [(c.id, d.status, d.days_left) for c, d in due] == [(expedited, "overdue", -23), (regular, "at risk", 4)]
    assert due[1][1].records_overdue  # records were due 25 Jan and never marked complete


def test_a_letter_prepared_before_a_correction_is_refused(database, admin, example_reviewers) -> None:
    case_id, reviewer = _to_review(database, admin)
    _sign(database, reviewer, case_id)
    prepared = service.prepare(database, admin, case_id, "issue")  # rendered outside any transaction
    assert prepared.artifact.startswith(b"%PDF")
    with database.transaction() as session:
        service.correct(session, reviewer, case_id, reason="wrong item")
    _sign(database, reviewer, case_id)
    with (
        database.transaction() as session,
        pytest.raises(EditConflict, match="changed while its draft or letter was being prepared"),
    ):
        service.issue(session, admin, case_id, prepared=prepared)
    issued = service.issue_letter(database, admin, case_id)  # prepared afresh, it goes through
    assert issued.number == 2 and issued.letter_pdf.startswith(b"%PDF")


def test_a_deadline_extension_is_at_most_three_days_with_a_reason(database, admin) -> None:
    case_id = _import(database, admin)
    with database.transaction() as session:
        service.decide_eligibility(session, admin, case_id)
        service.complete_records(session, admin, case_id, on=dt.date(2026, 11, 27))
        before = service.deadline_of(service.load_case(session, admin, case_id), dt.date(2026, 12, 2)).determination_due
        service.extend_deadline(session, admin, case_id, days=2, reason="records of a second facility; AD approval 17-004")
    with database.transaction() as session, pytest.raises(service.InvalidInput, match=r"1 of 3 day\(s\) left"):
        service.extend_deadline(session, admin, case_id, days=2, reason="more")
    with database.transaction() as session, pytest.raises(service.InvalidInput, match="needs a reason"):
        service.extend_deadline(session, admin, case_id, days=1, reason=" ")
    with database.transaction() as session:
        case = service.load_case(session, admin, case_id)
        assert service.deadline_of(case, dt.date(2026, 12, 2)).determination_due == before + dt.timedelta(days=2)
        assert case.extension_reason == "records of a second facility; AD approval 17-004"


def test_the_engine_draft_is_kept_and_what_the_reviewer_changed_is_on_record(database, admin, example_reviewers) -> None:
    case_id, reviewer = _to_review(database, admin)
    with database.transaction() as session:
        draft = service.latest_version(service.load_case(session, reviewer, case_id))
        engine = Determination.model_validate(draft.engine_content)
        assert "52 year old female" in engine.case.summary  # the issued letter's clinical case summary, drafted from the records
        assert draft.source == "engine" and service.changes_from_engine(draft) == [[] for _ in engine.issues]
        flipped = "Overturned" if engine.issues[0].outcome != "Overturned" else "Upheld"
        edited = engine.model_copy(
            update={"issues": [engine.issues[0].model_copy(update={"outcome": flipped})] + engine.issues[1:]}
        )
        service.save_draft(session, reviewer, case_id, edited)
        service.sign(session, reviewer, case_id)
    with database.transaction() as session:
        signed = service.current_signed(service.load_case(session, admin, case_id))
        assert signed.engine_content == draft.engine_content  # the reviewer's edit left the engine's draft as it was
        changes = service.changes_from_engine(signed)
        assert changes[0] == [f"outcome (engine: {engine.issues[0].outcome or 'no recommendation'})"]
        assert all(c == [] for c in changes[1:])
    with database.transaction() as session:
        correction = service.correct(session, reviewer, case_id, reason="second look")
        assert correction.engine_content == signed.engine_content
