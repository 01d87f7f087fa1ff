"""`imr serve --workers N` (issue 15, item 13): several worker processes on one port and one database,
each keeping few connections; and requests whose database cost does not grow with the case."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from unittest.mock import patch

import httpx
import pytest
from sqlalchemy import event

from imr.casefile import parse_case
from imr.cases import command_line_actor, service
from imr.cases.testing import fresh_database, fresh_database_url, postgres_url
from imr.cases.views import case_view
from imr.web.accounts import create_user

PASSWORD = "a long enough password"
SEEN: list[str] = []
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.parametrize("backend", BACKENDS)
def test_serve_runs_several_workers_on_one_database(backend: str, tmp_path: Path) -> None:
    if backend == "postgresql" and postgres_url() is None:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    with fresh_database_url(backend, tmp_path) as url:
        env = {**os.environ, "IMR_DATA_DIR": str(tmp_path), "IMR_DATABASE_URL": url}
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "imr", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(240):
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200 and len(_children(server.pid)) >= 2:
                        break
                except httpx.HTTPError:
                    pass
                assert server.poll() is None, server.stderr.read()
                time.sleep(0.25)
            else:
                pytest.fail("the server did not start its two workers")
            # both workers migrated nothing twice and made one secret key: tokens issued by one are valid in the other
            with subprocess.Popen(
                [sys.executable, "-m", "imr", "users", "add", "ada", "--role", "admin", "--password-stdin"],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            ) as add:
                add.communicate(PASSWORD + "\n", timeout=120)
                assert add.returncode == 0
            token = httpx.post(f"{base}/api/token", data={"username": "ada", "password": PASSWORD}, timeout=30).json()[
                "access_token"
            ]
            answers = [
                httpx.get(f"{base}/api/cases", headers={"Authorization": f"Bearer {token}"}, timeout=30) for _ in range(12)
            ]
            assert all(a.status_code == 200 for a in answers)
        finally:
            server.terminate()
            server.wait(timeout=60)


def _statements(database, action) -> list[str]:  # type: ignore[no-untyped-def]
    """Every statement `action` sends to the database (at most one round trip each: psycopg's pipeline
    sends several in one). On PostgreSQL they are counted at the driver, where the audit chain's
    statements are sent without SQLAlchemy."""
    seen: list[str] = []
    if database.engine.dialect.name == "postgresql":
        import psycopg

        def recording(method):  # type: ignore[no-untyped-def]
            def sent(cursor, query, *args, **kwargs):  # type: ignore[no-untyped-def]
                seen.append(query if isinstance(query, str) else repr(query))
                return method(cursor, query, *args, **kwargs)

            return sent

        with (
            patch.object(psycopg.Cursor, "execute", recording(psycopg.Cursor.execute)),
            patch.object(psycopg.Cursor, "executemany", recording(psycopg.Cursor.executemany)),
        ):
            action()
        return seen

    def count(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    return seen


def _selects(database, action) -> int:  # type: ignore[no-untyped-def]
    """How many SELECT statements `action` sends to the database."""
    SEEN[:] = [
        statement
        for statement in _statements(database, action)
        # the audit chain's advisory lock (PostgreSQL) is a lock, and the wait for the commit to reach the
        # disk (a transaction id) no read of the case
        if statement.lstrip().upper().startswith("SELECT")
        and not any(call in statement for call in ("pg_advisory", "pg_current_xact_id"))
    ]
    return len(SEEN)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_case_costs_the_same_queries_whatever_its_size(backend: str) -> None:
    """Reading a case is a fixed number of queries (no query per document, party or assignment), and
    importing one reads nothing back that it has just written."""
    if backend == "postgresql" and postgres_url() is None:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    admin = command_line_actor()
    with fresh_database(backend) as database:
        from imr.cases.testing import add_example_reviewers

        with database.transaction() as session:
            add_example_reviewers(session, admin)
            create_user(session, admin, "ian", PASSWORD, "intake")
        ids = []
        for number, documents in (("CM26-0000001", 1), ("CM26-0000002", 12)):
            data = {
                "case_number": number,
                "received": "2026-01-05",
                "ur_decision_date": "2025-12-20",
                "claim_number": f"C-{number}",
                "requests": [{"text": "MRI lumbar spine"}, {"text": "Norco 10/325mg #120"}],
            }
            imported: list[int] = []

            def import_one(data=data, documents=documents, imported=imported) -> None:  # type: ignore[no-untyped-def]
                with database.transaction() as session:
                    case = service.import_case(session, admin, parse_case(data))
                    session.flush()
                    case_view(case)
                    imported.append(case.id)

            # only the audit chain's last hash (tamper evidence); a taken case number is refused by its unique key
            assert _selects(database, import_one) == 1, SEEN[1:]
            with database.transaction() as session:
                for n in range(documents):
                    service.add_document(
                        session, admin, imported[0], service.NewDocument(f"note-{n}.txt", f"Note {n}.\n".encode())
                    )
            ids.append(imported[0])

        def read(case_id: int) -> int:
            def action() -> None:
                with database.transaction() as session:
                    case_view(service.load_case(session, admin, case_id))

            return _selects(database, action)

        assert read(ids[0]) == read(ids[1])


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_read_and_a_list_cost_a_few_statements_and_audit_every_case_shown(backend: str) -> None:
    """A case read is at most 8 round trips on PostgreSQL (the case with its parties and items, its
    documents, assignments and versions, and the audit entry: lock, last hash, insert, the wait for the
    disk); a list writes one audit entry per case shown, all in one statement whether it shows 2 cases or 20."""
    if backend == "postgresql" and postgres_url() is None:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    from sqlalchemy import func, select

    from imr.cases.models import AuditEntry
    from imr.cases.views import case_summary

    admin = command_line_actor()
    with fresh_database(backend) as database:
        ids = []
        for n in range(20):
            data = {
                "case_number": f"CM26-{n:07d}",
                "received": "2026-01-05",
                "ur_decision_date": "2025-12-20",
                "claim_number": f"C-{n}",
                "requests": [{"text": "MRI lumbar spine"}, {"text": "Norco 10/325mg #120"}],
                "parties": [
                    {"role": "injured_worker", "name": "Maria L. Garcia"},
                    {"role": "employer", "name": "Valley Packing Co."},
                ],
            }
            with database.transaction() as session:
                case = service.import_case(session, admin, parse_case(data))
                session.flush()
                ids.append(case.id)

        def read() -> None:
            with database.transaction() as session:
                view = case_view(service.load_case(session, admin, ids[0]))
            # the parties and items joined to the case's own query are all there, once each
            assert [p["name"] for p in view["parties"]] == ["Maria L. Garcia", "Valley Packing Co."]
            assert [i["text"] for i in view["items"]] == ["MRI lumbar spine", "Norco 10/325mg #120"]

        assert len(_statements(database, read)) <= (8 if backend == "postgresql" else 7)

        def audited(limit: int) -> tuple[int, int]:
            with database.reading() as session:
                before = session.scalar(select(func.count()).select_from(AuditEntry))

            def listing() -> None:
                with database.transaction() as session:
                    assert len([case_summary(c) for c in service.list_cases(session, admin, limit=limit)]) == limit

            statements = len(_statements(database, listing))
            with database.reading() as session:
                entries = session.scalar(select(func.count()).select_from(AuditEntry)) - before
                cases_shown = set(session.scalars(select(AuditEntry.case_id).order_by(AuditEntry.id.desc()).limit(limit)))
            assert entries == limit and cases_shown == set(ids[:limit])
            return statements, entries

        assert audited(2)[0] == audited(20)[0]
