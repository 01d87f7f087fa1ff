"""Filter tags in the items' full-text index, so a filtered search is one index lookup; a (kind, body part) index.

`corpus_items.tags` holds the decision's outcome, kind, drug class and year as single words
(`outcome_upheld kind_drug class_opioid year_2016`); on SQLite the items' FTS5 table indexes them as a
third column, so `--class opioid "red flag"` intersects posting lists instead of looking up every
"red flag" decision to test its class. PostgreSQL filters with its B-tree indexes and only gains the column.

Revision ID: corpus_0003
Revises: corpus_0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "corpus_0003"
down_revision = "corpus_0002"
branch_labels = None
depends_on = None

# must produce what imr.corpus.extract.tag() produces
_SLUG_CHARACTERS = " -/.,()&'"


def _slug(expression: str) -> str:
    sql = f"lower({expression})"
    for character in _SLUG_CHARACTERS:
        quoted = character.replace("'", "''")
        sql = f"replace({sql}, '{quoted}', '_')"
    return sql


def upgrade() -> None:
    op.add_column("corpus_items", sa.Column("tags", sa.Text))
    # precedents of a service: the newest decisions of the same kind on the same body part
    op.create_index("ix_corpus_items_kind_body", "corpus_items", ["kind", "body_part"])
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "UPDATE corpus_items SET tags = trim("
        f"coalesce('outcome_' || {_slug('outcome')}, '') || ' ' || coalesce('kind_' || {_slug('kind')}, '') || ' ' || "
        f"coalesce('class_' || {_slug('drug_class')}, '') || ' ' || coalesce('year_' || decision_year, ''))"
    )
    op.execute("DROP TRIGGER IF EXISTS corpus_items_ad")
    op.execute("DROP TABLE corpus_items_fts")
    op.execute(
        "CREATE VIRTUAL TABLE corpus_items_fts USING fts5(item, rationale, tags, content='corpus_items', "
        "content_rowid='id', tokenize=\"porter unicode61 tokenchars '_'\")"
    )
    op.execute("INSERT INTO corpus_items_fts(corpus_items_fts) VALUES ('rebuild')")
    op.execute(
        "CREATE TRIGGER corpus_items_ad AFTER DELETE ON corpus_items BEGIN "
        "INSERT INTO corpus_items_fts(corpus_items_fts, rowid, item, rationale, tags) "
        "VALUES ('delete', old.id, old.item, old.rationale, old.tags); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS corpus_items_ad")
        op.execute("DROP TABLE corpus_items_fts")
        op.execute(
            "CREATE VIRTUAL TABLE corpus_items_fts USING fts5(item, rationale, content='corpus_items', "
            "content_rowid='id', tokenize='porter unicode61')"
        )
        op.execute("INSERT INTO corpus_items_fts(corpus_items_fts) VALUES ('rebuild')")
        op.execute(
            "CREATE TRIGGER corpus_items_ad AFTER DELETE ON corpus_items BEGIN "
            "INSERT INTO corpus_items_fts(corpus_items_fts, rowid, item, rationale) "
            "VALUES ('delete', old.id, old.item, old.rationale); END"
        )
    op.drop_index("ix_corpus_items_kind_body", "corpus_items")
    with op.batch_alter_table("corpus_items") as batch:
        batch.drop_column("tags")
