"""Tamper evidence: every column of a signed version is protected in the database (INSERT OR REPLACE
on SQLite, TRUNCATE on PostgreSQL included), a swapped letter PDF is refused, and the audit log is a hash
chain whose first broken link `imr audit verify` reports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from imr.cases import Database, service
from imr.cases.audit_chain import verify
from imr.cases.errors import TamperedRecord
from tests.cases.test_workflow import _sign, _to_review


def _issued(database: Database, admin) -> int:
    case_id, reviewer = _to_review(database, admin)
    _sign(database, reviewer, case_id)
    with database.transaction() as session:
        service.issue(session, admin, case_id)
    return case_id


def _refused(database: Database, statement: str) -> None:
    with pytest.raises(Exception, match="signed version|append-only|TRUNCATE|keeps its id|inserted signed"):
        with database.engine.begin() as connection:
            connection.execute(text(statement))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE case_determinations SET letter_pdf = letter_pdf || letter_pdf WHERE status = 'signed'",
        "UPDATE case_determinations SET letter_sha256 = 'x' WHERE status = 'signed'",
        "UPDATE case_determinations SET case_id = case_id + 1000 WHERE status = 'signed'",
        "UPDATE case_determinations SET status = 'superseded' WHERE status = 'signed'",
        "UPDATE case_determinations SET issued_at = NULL WHERE status = 'signed'",
        "UPDATE case_determinations SET engine_content = NULL WHERE status = 'signed'",
        "UPDATE case_determinations SET number = 7 WHERE status = 'signed'",
        "DELETE FROM cases",
    ],
)
def test_every_column_of_a_signed_version_is_protected(database, admin, example_reviewers, statement: str) -> None:
    case_id = _issued(database, admin)
    if "superseded" in statement:  # signed -> superseded is the correction's move; once issued, the letter stays
        statement = "UPDATE case_determinations SET status = 'signed', letter_pdf = NULL WHERE status = 'signed'"
    _refused(database, statement)
    with database.transaction() as session:
        assert service.issued_letter(service.load_case(session, admin, case_id)).startswith(b"%PDF")


def test_replacing_inserts_and_truncate_are_refused(database, admin, example_reviewers) -> None:
    _issued(database, admin)
    if database.engine.dialect.name == "sqlite":
        _refused(
            database,
            "INSERT OR REPLACE INTO case_determinations (id, case_id, number, status, content, source, created_by, created_at) "
            "SELECT id, case_id, number, 'signed', '{}', source, created_by, created_at FROM case_determinations WHERE status = 'signed'",
        )
        _refused(
            database,
            "REPLACE INTO case_audit_log (id, at, username, action, case_id, outcome) "
            "SELECT id, at, 'nobody', action, case_id, outcome FROM case_audit_log LIMIT 1",
        )
    else:
        _refused(database, "TRUNCATE case_determinations CASCADE")
        _refused(database, "TRUNCATE cases CASCADE")
        _refused(database, "TRUNCATE case_audit_log")
    _refused(
        database,
        "INSERT INTO case_determinations (case_id, number, status, content, source, created_by, created_at) "
        "SELECT case_id, 99, 'signed', content, source, created_by, created_at FROM case_determinations LIMIT 1",
    )
    with database.reading() as session:
        assert verify(session).breaks == []


def _drop_guards(database: Database) -> None:
    """What someone with the database's owner rights can do: lift the triggers."""
    with database.engine.begin() as connection:
        if database.engine.dialect.name == "sqlite":
            for name in ("case_determinations_signed_immutable", "case_audit_log_no_update", "case_audit_log_no_delete"):
                connection.execute(text(f"DROP TRIGGER {name}"))
        else:
            connection.execute(text("ALTER TABLE case_determinations DISABLE TRIGGER USER"))
            connection.execute(text("ALTER TABLE case_audit_log DISABLE TRIGGER USER"))


def test_a_swapped_letter_is_refused_and_reported(database, admin, example_reviewers) -> None:
    case_id = _issued(database, admin)
    _drop_guards(database)
    with database.engine.begin() as connection:
        connection.execute(
            text("UPDATE case_determinations SET letter_pdf = :pdf WHERE status = 'signed'"), {"pdf": b"%PDF-1.7 forged"}
        )
    with database.transaction() as session, pytest.raises(TamperedRecord, match="does not match the hash"):
        service.issued_letter(service.load_case(session, admin, case_id))
    with database.reading() as session:
        breaks = verify(session).breaks
    assert [b.reason for b in breaks] == ["the issued letter PDF does not match the hash recorded when it was issued"]


def test_the_audit_chain_reports_the_first_broken_link(database, admin, example_reviewers) -> None:
    _issued(database, admin)
    with database.reading() as session:
        intact = verify(session)
    assert intact.entries > 10 and intact.breaks == []
    _drop_guards(database)
    with database.engine.begin() as connection:
        ids = [row[0] for row in connection.execute(text("SELECT id FROM case_audit_log ORDER BY id"))]
        connection.execute(text("UPDATE case_audit_log SET username = 'someone else' WHERE id = :id"), {"id": ids[5]})
    with database.reading() as session:
        assert [b.where for b in verify(session).breaks] == [f"audit entry {ids[5]}"]
    with database.engine.begin() as connection:  # removed instead of changed: the next entry breaks
        connection.execute(text("DELETE FROM case_audit_log WHERE id >= :id AND id <= :id"), {"id": ids[5]})
    with database.reading() as session:
        assert [b.where for b in verify(session).breaks] == [f"audit entry {ids[6]}"]


def test_imr_audit_verify_exits_non_zero_at_the_first_broken_link(tmp_path: Path) -> None:
    env = {**os.environ, "IMR_DATA_DIR": str(tmp_path)}
    env.pop("IMR_DATABASE_URL", None)

    def imr(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "imr", *args], env=env, capture_output=True, text=True, timeout=120)

    from imr.examples import EXAMPLE_SERVICE

    assert imr("cases", "import", str(EXAMPLE_SERVICE / "case.yaml")).returncode == 0
    assert imr("cases", "list").returncode == 0
    ok = imr("audit", "verify")
    assert ok.returncode == 0 and ok.stdout.startswith("intact: 2 audit entries chained"), ok.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "imr.sqlite3") as db:
        db.execute("DROP TRIGGER case_audit_log_no_update")
        db.execute("UPDATE case_audit_log SET action = 'case.list' WHERE id = (SELECT min(id) FROM case_audit_log)")
    broken = imr("audit", "verify")
    assert broken.returncode == 1
    assert broken.stderr.startswith("imr: audit verify: broken at audit entry 1: ") and broken.stderr.count("\n") == 1
