"""Unexpected errors (a database refusing a write) are logged as class and reference only: never the
statement's values, never the database's detail, and no traceback for the server to print."""

from __future__ import annotations

import json
import logging

import pytest
import yaml
from sqlalchemy import text

from imr.examples import EXAMPLE_SERVICE

CASE = json.loads(json.dumps(yaml.safe_load((EXAMPLE_SERVICE / "case.yaml").read_text()), default=str))
NAME = "Zebulonia Quaxworth"
CLAIM = "QX-7731-552210"

_REFUSE_DOCUMENTS = {
    "sqlite": [
        "CREATE TRIGGER refuse_documents BEFORE INSERT ON case_documents BEGIN SELECT RAISE(ABORT, 'disk quota exceeded'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_documents() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk quota exceeded for %', NEW.filename; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse_documents BEFORE INSERT ON case_documents FOR EACH ROW EXECUTE FUNCTION refuse_documents()",
    ],
}


def _phi_case(**changes) -> dict:
    case = json.loads(json.dumps(CASE))
    case["parties"][0]["name"] = NAME
    case["claim_number"] = CLAIM
    case.update(changes)
    return case


def _assert_no_phi(caplog, answer) -> None:
    assert answer.status_code == 500, answer.text
    assert answer.json()["detail"].startswith("internal error (incident ")
    logged = caplog.text + "\n".join(str(r.exc_info) for r in caplog.records)
    for secret in (NAME, "Quaxworth", CLAIM, "INSERT", "parameters"):
        assert secret not in logged and secret not in answer.text, secret
    incident = answer.json()["detail"].split()[-1].rstrip(")")
    assert any(incident in r.getMessage() and r.exc_info is None for r in caplog.records), caplog.text


def test_a_database_error_logs_no_case_data(site, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    case_id = site["ian"].post("/api/cases", json=_phi_case()).json()["id"]
    database = site.app.state.database
    with database.engine.begin() as connection:
        for statement in _REFUSE_DOCUMENTS[database.engine.dialect.name]:
            connection.execute(text(statement))
    # The test client re-raises whatever escapes the app, as a server would log it: nothing must.
    answer = site["ian"].post(
        f"/api/cases/{case_id}/documents", files={"file": (f"{NAME} claim {CLAIM}.txt", b"Progress note.", "text/plain")}
    )
    _assert_no_phi(caplog, answer)


def test_values_postgresql_refuses_log_no_case_data(site, caplog) -> None:
    if site.app.state.database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite stores these values")
    caplog.set_level(logging.DEBUG)
    for changes in ({"case_number": f"CM17-{NAME}-" + "9" * 60}, {"claim_number": CLAIM + "\x00" + NAME}):
        answer = site["ian"].post("/api/cases", json=_phi_case(**changes))
        if answer.status_code != 500:  # refused as bad input instead: fine, and it says so
            assert answer.status_code in (400, 422), answer.text
            continue
        _assert_no_phi(caplog, answer)
