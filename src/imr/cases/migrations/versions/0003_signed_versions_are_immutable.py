"""A signed determination version is immutable in the database itself: its content, hash, signer and
signing time can never change (a correction is a new version). Issuing and publishing may still add
the letter and the redacted copy, and a correction may mark it superseded.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_PG = """
CREATE FUNCTION imr_signed_version_is_immutable() RETURNS trigger AS $$
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
CREATE TRIGGER case_determinations_signed_immutable BEFORE UPDATE ON case_determinations
    FOR EACH ROW EXECUTE FUNCTION imr_signed_version_is_immutable();
CREATE FUNCTION imr_signed_version_is_kept() RETURNS trigger AS $$
BEGIN
    IF OLD.status <> 'draft' THEN
        RAISE EXCEPTION 'case_determinations: signed version % of case % is kept', OLD.number, OLD.case_id;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER case_determinations_signed_kept BEFORE DELETE ON case_determinations
    FOR EACH ROW EXECUTE FUNCTION imr_signed_version_is_kept();
"""

_SQLITE = [
    """CREATE TRIGGER case_determinations_signed_immutable BEFORE UPDATE ON case_determinations
    WHEN OLD.status <> 'draft' AND (
        NEW.content IS NOT OLD.content OR NEW.content_hash IS NOT OLD.content_hash
        OR NEW.signed_by IS NOT OLD.signed_by OR NEW.signed_at IS NOT OLD.signed_at OR NEW.status = 'draft')
    BEGIN SELECT RAISE(ABORT, 'case_determinations: a signed version is immutable'); END""",
    """CREATE TRIGGER case_determinations_signed_kept BEFORE DELETE ON case_determinations
    WHEN OLD.status <> 'draft'
    BEGIN SELECT RAISE(ABORT, 'case_determinations: a signed version is kept'); END""",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG)
    else:
        for statement in _SQLITE:
            op.execute(statement)


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER IF EXISTS case_determinations_signed_immutable"
        + (" ON case_determinations" if op.get_bind().dialect.name == "postgresql" else "")
    )
    op.execute(
        "DROP TRIGGER IF EXISTS case_determinations_signed_kept"
        + (" ON case_determinations" if op.get_bind().dialect.name == "postgresql" else "")
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS imr_signed_version_is_immutable()")
        op.execute("DROP FUNCTION IF EXISTS imr_signed_version_is_kept()")
