"""The API's reads without the ORM (`imr.cases.reads`) answer exactly what the ORM's views answer, with
the same access check and audit entries; and the audit entries of concurrent reads are written together
(`db.GroupCommit`), each read answered only once its entries are written, the chain intact."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func, select

from imr.casefile import load_case
from imr.cases import Actor, CaseNotFound, Database, StepRefused, reads, service
from imr.cases.audit_chain import verify
from imr.cases.db import AuditNotWritten, GroupCommit
from imr.cases.models import Assignment, AuditEntry, Case, DeterminationVersion
from imr.cases.service import NewDocument
from imr.cases.views import case_summary, case_view, detail_view
from imr.examples import EXAMPLE_SERVICE

NOTE = (EXAMPLE_SERVICE / "records" / "progress-note-2026-10-19.txt").read_bytes()


def _case_with_history(db: Database, admin: Actor, reviewers: dict[str, int]) -> tuple[int, Actor]:
    """A case with two documents, an ended and an active assignment and two determination versions
    (times with and without fractions of a second); and its reviewer."""
    case = load_case(EXAMPLE_SERVICE / "case.yaml").model_copy(update={"received": dt.date(2026, 11, 17)})
    with db.transaction() as session:
        case_id = service.import_case(session, admin, case, documents=[NewDocument("note.txt", NOTE, "progress note")]).id
    with db.transaction() as session:
        service.add_document(session, admin, case_id, NewDocument("later.txt", b"A later note.\n", None, dt.date(2026, 11, 20)))
        service.decide_eligibility(session, admin, case_id)
        service.complete_records(session, admin, case_id, on=dt.date(2026, 11, 27))
        # an assignment that ended (Dr. Park was put on the case, then taken off), then Dr. Haddad's
        ended = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
        session.add(Assignment(case_id=case_id, reviewer_id=reviewers["Dr. Helen Park"], assigned_by="test", ended_at=ended))
        service.assign(session, admin, case_id, reviewer_id=reviewers["Dr. Omar Haddad"])
    reviewer = Actor("haddad", "reviewer", reviewers["Dr. Omar Haddad"])
    service.request_review(db, reviewer, case_id)
    with db.transaction() as session:
        moment = dt.datetime(2026, 12, 1, 17, 30, 5, 100000, tzinfo=dt.UTC)
        session.add(
            DeterminationVersion(
                case_id=case_id,
                number=2,
                status="draft",
                content={},
                source="reviewer",
                correction_reason="a second look",
                created_by="haddad",
                created_at=moment.replace(microsecond=0),
                signed_at=moment,
                issued_at=moment + dt.timedelta(microseconds=7),
            )
        )
    return case_id, reviewer


def test_a_case_read_without_the_orm_is_the_orms_view(database: Database, admin: Actor, example_reviewers) -> None:
    case_id, reviewer = _case_with_history(database, admin, example_reviewers)
    with database.transaction() as session:
        number = session.get(Case, case_id).case_number
        expected = case_view(service.load_case(session, admin, case_id), today=dt.date(2026, 12, 2))
    assert len(expected["documents"]) == 2 and len(expected["assignments"]) == 2 and expected["determination"]["number"] == 2
    for actor in (admin, reviewer):
        for ref in (case_id, str(case_id), number):
            with database.audited_reading() as session:
                assert reads.case_view(session, actor, ref, today=dt.date(2026, 12, 2)) == expected


def test_a_reviewer_not_assigned_is_told_there_is_no_such_case_and_the_refusal_is_audited(
    database: Database, admin: Actor, example_reviewers
) -> None:
    case_id, _ = _case_with_history(database, admin, example_reviewers)
    former = Actor("park", "reviewer", example_reviewers["Dr. Helen Park"])  # her assignment ended
    with pytest.raises(CaseNotFound):
        with database.audited_reading() as session:
            reads.case_view(session, former, case_id)
    with pytest.raises(CaseNotFound):
        with database.audited_reading() as session:
            reads.case_view(session, admin, 999_999)
    with database.reading() as session:
        last = session.execute(
            select(AuditEntry.username, AuditEntry.action, AuditEntry.case_id, AuditEntry.outcome)
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ).one()
    assert tuple(last) == ("park", "case.read", case_id, "denied")


def test_lists_without_the_orm_are_the_orms_lists(database: Database, admin: Actor, example_reviewers) -> None:
    case_id, reviewer = _case_with_history(database, admin, example_reviewers)
    for actor in (admin, reviewer):
        with database.transaction() as session:
            listed = [case_summary(c) for c in service.list_cases(session, actor)]
            due = [case_summary(c, deadline=d) for c, d in service.due_cases(session, actor, today=dt.date(2026, 12, 25))]
        with database.audited_reading() as session:
            assert reads.case_list(session, actor) == listed
            assert reads.due_list(session, actor, today=dt.date(2026, 12, 25)) == due
        assert [c["id"] for c in listed] == [c["id"] for c in due] == [case_id]


def test_concurrent_reads_are_all_audited_in_one_intact_chain(database: Database, admin: Actor, example_reviewers) -> None:
    case_id, reviewer = _case_with_history(database, admin, example_reviewers)
    with database.reading() as session:
        before = session.scalar(select(func.count()).select_from(AuditEntry))

    def read(n: int) -> None:
        with database.audited_reading() as session:
            if n % 3:
                reads.case_view(session, reviewer if n % 2 else admin, case_id)
            else:
                reads.case_list(session, admin)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(read, range(60)))
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) - before == 60
        result = verify(session)
    assert result.breaks == []


def test_a_batch_holds_the_entries_of_every_caller_who_came_while_another_was_written() -> None:
    written: list[list[str]] = []
    first_started, release = threading.Event(), threading.Event()

    def write(entries: list[dict]) -> None:
        written.append([e["n"] for e in entries])
        if len(written) == 1:
            first_started.set()
            release.wait(timeout=60)

    group = GroupCommit(write)
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(group.submit, [{"n": "a"}])
        first_started.wait(timeout=60)
        later = [pool.submit(group.submit, [{"n": n}]) for n in ("b", "c")]
        while len(group._collecting.entries) < 2:  # both have joined the batch being collected
            threading.Event().wait(0.01)
        release.set()
        for future in (first, *later):
            future.result(timeout=60)
    assert written[0] == ["a"] and sorted(written[1]) == ["b", "c"] and len(written) == 2


def test_every_caller_of_a_batch_that_could_not_be_written_is_refused() -> None:
    started, release = threading.Event(), threading.Event()
    calls = []

    def write(entries: list[dict]) -> None:
        calls.append(len(entries))
        if len(calls) == 1:
            started.set()
            release.wait(timeout=60)
            return
        raise OSError("disk full")

    group = GroupCommit(write)
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(group.submit, [{"n": 1}])
        started.wait(timeout=60)
        failing = [pool.submit(group.submit, [{"n": n}]) for n in (2, 3)]
        while len(group._collecting.entries) < 2:
            threading.Event().wait(0.01)
        release.set()
        first.result(timeout=60)
        errors = [type(f.exception(timeout=60)) for f in failing]
    assert sorted(e.__name__ for e in errors) == ["AuditNotWritten", "OSError"]  # the writer's own error, and the other's
    assert AuditNotWritten in errors


def test_a_case_filed_by_statements_is_the_case_the_orm_files(database: Database, admin: Actor) -> None:
    case_file = load_case(EXAMPLE_SERVICE / "case.yaml")
    with database.transaction() as session:
        quick = service.file_case(session, admin, case_file.model_copy(update={"case_number": "CM26-0000101"}))
    answered = detail_view(quick, items=quick.items, parties=quick.parties, documents=[], assignments=[], latest=None)
    with database.transaction() as session:
        orm_id = service.import_case(session, admin, case_file.model_copy(update={"case_number": "CM26-0000102"})).id
    with pytest.raises(StepRefused, match="already on file"):
        with database.transaction() as session:
            service.file_case(session, admin, case_file.model_copy(update={"case_number": "CM26-0000101"}))
    with database.transaction() as session:
        stored, other = (case_view(service.load_case(session, admin, ref)) for ref in (quick.id, orm_id))
        filed = {ref: session.get(Case, ref).case_file for ref in (quick.id, orm_id)}
        count = session.scalar(select(func.count()).select_from(Case))
    assert answered == stored and len(stored["parties"]) > 1 and len(stored["items"]) > 1
    assert {**stored, "id": 0, "case_number": ""} == {**other, "id": 0, "case_number": ""}
    assert filed[quick.id] == {**filed[orm_id], "case_number": "CM26-0000101"} and count == 2


def test_a_case_read_is_one_statement_on_postgresql_whatever_its_size(
    database: Database, admin: Actor, example_reviewers
) -> None:
    """Each statement is a round trip, which costs the server process more than the rows it brings: a
    case with its parties, items, documents, assignments and versions is one on PostgreSQL (and a few
    in SQLite's process), the same for a case with more documents."""
    case_id, _ = _case_with_history(database, admin, example_reviewers)
    seen: list[str] = []

    def count(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    def statements() -> int:
        seen.clear()
        event.listen(database.engine, "before_cursor_execute", count)
        try:
            with database.audited_reading() as session:
                reads.case_view(session, admin, case_id)
        finally:
            event.remove(database.engine, "before_cursor_execute", count)
        # the case's own: not the audit entry's, nor SQLite's BEGIN (PostgreSQL: none, the read is outside a transaction)
        return len([s for s in seen if s.lstrip().upper().startswith("SELECT") and "case_audit_log" not in s])

    before = statements()
    with database.transaction() as session:
        for n in range(5):
            service.add_document(session, admin, case_id, NewDocument(f"more-{n}.txt", f"Note {n}.\n".encode()))
    assert statements() == before == (1 if database.engine.dialect.name == "postgresql" else 6)
