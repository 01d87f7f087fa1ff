"""The case service's Alembic history goes down and up again cleanly on both databases."""

from __future__ import annotations

from sqlalchemy import inspect

from imr.cases.db import VERSION_TABLE, downgrade, migrate


def test_downgrade_to_base_and_upgrade_again(database) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert {"cases", "case_audit_log", "case_determinations", "case_users", VERSION_TABLE} <= tables
    downgrade(database.engine, "base")
    left = set(inspect(database.engine).get_table_names())
    assert not {t for t in left if t.startswith("case")}, left
    migrate(database.engine)
    assert set(inspect(database.engine).get_table_names()) == tables
    migrate(database.engine)  # idempotent
