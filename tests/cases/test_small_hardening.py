"""Small hardening: the embedded database is private to its owner; a case number is never mistaken
for a case id."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from imr.casefile import load_case
from imr.cases import open_database, service
from imr.errors import CaseFileError
from imr.examples import EXAMPLE_SERVICE
from imr.settings import Settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_embedded_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a usual umask, which would give 0644 and 0755
    try:
        settings = Settings(data_dir=tmp_path / "imr-data")
        database = open_database(settings=settings)
        with database.transaction() as session:
            service.list_cases(session, service.Actor("cli:test", "admin"))
        database.dispose()
    finally:
        os.umask(old)
    assert _mode(tmp_path / "imr-data") == 0o700
    for path in (tmp_path / "imr-data").iterdir():
        assert _mode(path) == 0o600, path


@pytest.mark.parametrize("number", ["12345", " 1 "])
def test_a_case_number_of_digits_only_is_refused(database, admin, number: str) -> None:
    case = load_case(EXAMPLE_SERVICE / "case.yaml").model_copy(update={"case_number": number})
    with database.transaction() as session, pytest.raises(CaseFileError, match="case_number: .* is digits only"):
        service.import_case(session, admin, case)


def test_ids_and_case_numbers_find_the_same_case(database, admin) -> None:
    case = load_case(EXAMPLE_SERVICE / "case.yaml")
    with database.transaction() as session:
        case_id = service.import_case(session, admin, case).id
    with database.transaction() as session:
        assert service.load_case(session, admin, case_id).case_number == "CM26-0000001"
        assert service.load_case(session, admin, str(case_id)).case_number == "CM26-0000001"
        assert service.load_case(session, admin, "CM26-0000001").id == case_id
        assert service.load_case(session, admin, "CM26-0000001").received == dt.date(2026, 11, 17)
