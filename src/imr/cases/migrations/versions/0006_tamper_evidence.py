"""Tamper evidence. A signed determination version is immutable in every column: only its status may
move from signed to superseded, and the issued letter (with its SHA-256) and the published copy may be
added once. On SQLite a replacing insert (INSERT OR REPLACE, which deletes without firing delete
triggers) is refused for signed versions and audit entries; on PostgreSQL TRUNCATE is refused for
determination versions (the audit log refused it already). Audit entries are chained by hash; the
entries already on file are chained here, in id order.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Columns a signed version never changes, and those it may gain once (NULL to a value).
_FIXED = (
    "id",
    "case_id",
    "number",
    "content",
    "engine_content",
    "content_hash",
    "source",
    "correction_reason",
    "created_by",
    "created_at",
    "signed_by",
    "signed_at",
)
_ONCE = ("letter_pdf", "letter_sha256", "issued_at", "published_text", "published_pdf", "published_at")
_JSON = ("content", "engine_content")


def _changed(column: str, postgresql: bool) -> str:
    if postgresql:
        cast = "::text" if column in _JSON else ""
        return f"NEW.{column}{cast} IS DISTINCT FROM OLD.{column}{cast}"
    return f"NEW.{column} IS NOT OLD.{column}"


def _signed_version_changed(postgresql: bool) -> str:
    fixed = [_changed(c, postgresql) for c in _FIXED]
    once = [f"(OLD.{c} IS NOT NULL AND {_changed(c, postgresql)})" for c in _ONCE]
    status = "NOT (NEW.status = OLD.status OR (OLD.status = 'signed' AND NEW.status = 'superseded'))"
    return "\n        OR ".join([*fixed, *once, status])


_PG = f"""
CREATE OR REPLACE FUNCTION imr_signed_version_is_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.status <> 'draft' AND (
        {_signed_version_changed(True)}) THEN
        RAISE EXCEPTION 'case_determinations: signed version % of case % is immutable', OLD.number, OLD.case_id;
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.case_id IS DISTINCT FROM OLD.case_id OR NEW.number IS DISTINCT FROM OLD.number THEN
        RAISE EXCEPTION 'case_determinations: a version keeps its id, case and number';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE FUNCTION imr_signed_version_is_new() RETURNS trigger AS $$
BEGIN
    IF NEW.status <> 'draft' THEN
        RAISE EXCEPTION 'case_determinations: a version is signed after it is drafted, never inserted signed';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER case_determinations_inserted_as_draft BEFORE INSERT ON case_determinations
    FOR EACH ROW EXECUTE FUNCTION imr_signed_version_is_new();
CREATE FUNCTION imr_signed_versions_are_not_truncated() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'case_determinations: TRUNCATE refused (signed versions are kept)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER case_determinations_no_truncate BEFORE TRUNCATE ON case_determinations
    FOR EACH STATEMENT EXECUTE FUNCTION imr_signed_versions_are_not_truncated();
"""

_SQLITE = [
    "DROP TRIGGER IF EXISTS case_determinations_signed_immutable",
    f"""CREATE TRIGGER case_determinations_signed_immutable BEFORE UPDATE ON case_determinations
    WHEN OLD.status <> 'draft' AND (
        {_signed_version_changed(False)})
    BEGIN SELECT RAISE(ABORT, 'case_determinations: a signed version is immutable'); END""",
    """CREATE TRIGGER case_determinations_keep_identity BEFORE UPDATE ON case_determinations
    WHEN NEW.id IS NOT OLD.id OR NEW.case_id IS NOT OLD.case_id OR NEW.number IS NOT OLD.number
    BEGIN SELECT RAISE(ABORT, 'case_determinations: a version keeps its id, case and number'); END""",
    # REPLACE deletes the row it collides with without firing delete triggers: refuse the insert instead
    """CREATE TRIGGER case_determinations_inserted_as_draft BEFORE INSERT ON case_determinations
    WHEN NEW.status <> 'draft' OR EXISTS (SELECT 1 FROM case_determinations
        WHERE status <> 'draft' AND (id = NEW.id OR (case_id = NEW.case_id AND number = NEW.number)))
    BEGIN SELECT RAISE(ABORT, 'case_determinations: a signed version is never replaced or inserted signed'); END""",
    """CREATE TRIGGER case_audit_log_no_replace BEFORE INSERT ON case_audit_log
    WHEN EXISTS (SELECT 1 FROM case_audit_log WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'case_audit_log is append-only: replacing an entry refused'); END""",
]


def _chain_existing_entries(postgresql: bool) -> None:
    from imr.cases.audit_chain import GENESIS, link_hash

    bind = op.get_bind()
    # the append-only triggers refuse the one UPDATE that fills the new column; lifted for it only
    if postgresql:
        op.execute("ALTER TABLE case_audit_log DISABLE TRIGGER case_audit_log_append_only")
    else:
        op.execute("DROP TRIGGER IF EXISTS case_audit_log_no_update")
    previous = GENESIS
    rows = bind.execute(sa.text("SELECT id, at, username, action, case_id, outcome FROM case_audit_log ORDER BY id")).all()
    for row in rows:
        at = row.at if not isinstance(row.at, str) else _parse_sqlite_time(row.at)
        previous = link_hash(previous, at, row.username, row.action, row.case_id, row.outcome)
        bind.execute(sa.text("UPDATE case_audit_log SET chain_hash = :hash WHERE id = :id"), {"hash": previous, "id": row.id})
    if postgresql:
        op.execute("ALTER TABLE case_audit_log ENABLE TRIGGER case_audit_log_append_only")
    else:
        op.execute(
            "CREATE TRIGGER case_audit_log_no_update BEFORE UPDATE ON case_audit_log "
            "BEGIN SELECT RAISE(ABORT, 'case_audit_log is append-only: UPDATE refused'); END"
        )


def _parse_sqlite_time(value: str):
    import datetime as dt

    return dt.datetime.fromisoformat(value)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    # plain ADD COLUMN: a batch (copy-and-move) on SQLite would drop the triggers
    op.add_column("case_determinations", sa.Column("letter_sha256", sa.String(length=64), nullable=True))
    op.add_column("case_audit_log", sa.Column("chain_hash", sa.String(length=64), nullable=True))
    _chain_existing_entries(postgresql)
    # letters issued before this revision: their hash is that of the PDF on file now
    signed = op.get_bind().execute(sa.text("SELECT id, letter_pdf FROM case_determinations WHERE letter_pdf IS NOT NULL")).all()
    if signed:
        import hashlib

        _set_letter_hashes(postgresql, [(row.id, hashlib.sha256(row.letter_pdf).hexdigest()) for row in signed])
    if postgresql:
        op.execute(_PG)
    else:
        for statement in _SQLITE:
            op.execute(statement)


def _set_letter_hashes(postgresql: bool, hashes: list[tuple[int, str]]) -> None:
    # the 0003 triggers allow adding a column's value to a signed version only through this path
    if postgresql:
        op.execute("ALTER TABLE case_determinations DISABLE TRIGGER case_determinations_signed_immutable")
    for version_id, digest in hashes:
        op.get_bind().execute(
            sa.text("UPDATE case_determinations SET letter_sha256 = :d WHERE id = :id"), {"d": digest, "id": version_id}
        )
    if postgresql:
        op.execute("ALTER TABLE case_determinations ENABLE TRIGGER case_determinations_signed_immutable")


# 0003's function, restored on downgrade (its trigger stays bound to it by name)
_PG_0003 = """
CREATE OR REPLACE FUNCTION imr_signed_version_is_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.status <> 'draft' AND (
        NEW.content::text IS DISTINCT FROM OLD.content::text
        OR NEW.content_hash IS DISTINCT FROM OLD.content_hash
        OR NEW.signed_by IS DISTINCT FROM OLD.signed_by
        OR NEW.signed_at IS DISTINCT FROM OLD.signed_at
        OR NEW.status = 'draft') THEN
        RAISE EXCEPTION 'case_determinations: signed version % of case % is immutable', OLD.number, OLD.case_id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("DROP TRIGGER IF EXISTS case_determinations_no_truncate ON case_determinations")
        op.execute("DROP FUNCTION IF EXISTS imr_signed_versions_are_not_truncated()")
        op.execute("DROP TRIGGER IF EXISTS case_determinations_inserted_as_draft ON case_determinations")
        op.execute("DROP FUNCTION IF EXISTS imr_signed_version_is_new()")
        op.execute(_PG_0003)
        op.drop_column("case_audit_log", "chain_hash")
        op.drop_column("case_determinations", "letter_sha256")
        return
    for name in (
        "case_determinations_keep_identity",
        "case_determinations_inserted_as_draft",
        "case_audit_log_no_replace",
        "case_determinations_signed_immutable",
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("""CREATE TRIGGER case_determinations_signed_immutable BEFORE UPDATE ON case_determinations
    WHEN OLD.status <> 'draft' AND (
        NEW.content IS NOT OLD.content OR NEW.content_hash IS NOT OLD.content_hash
        OR NEW.signed_by IS NOT OLD.signed_by OR NEW.signed_at IS NOT OLD.signed_at OR NEW.status = 'draft')
    BEGIN SELECT RAISE(ABORT, 'case_determinations: a signed version is immutable'); END""")
    # SQLite 3.35+ drops a plain column in place (the triggers on the other columns stay)
    op.execute("ALTER TABLE case_audit_log DROP COLUMN chain_hash")
    op.execute("ALTER TABLE case_determinations DROP COLUMN letter_sha256")
