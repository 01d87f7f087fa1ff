"""SQLite: the writer fills the full-text tables once per batch instead of an insert trigger per row.

An FTS5 insert inside a trigger flushes its pending terms at every statement, so a trigger per row
writes one tiny index segment per row and merges them all: four times slower than one
INSERT ... SELECT per batch. Deletes keep their triggers (rare, and they must not leave stale terms).

Revision ID: corpus_0002
Revises: corpus_0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "corpus_0002"
down_revision = "corpus_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS corpus_items_ai")
        op.execute("DROP TRIGGER IF EXISTS corpus_letters_ai")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER corpus_items_ai AFTER INSERT ON corpus_items BEGIN "
            "INSERT INTO corpus_items_fts(rowid, item, rationale) VALUES (new.id, new.item, new.rationale); END"
        )
        op.execute(
            "CREATE TRIGGER corpus_letters_ai AFTER INSERT ON corpus_letters BEGIN "
            "INSERT INTO corpus_letters_fts(rowid, summary, diagnoses) VALUES (new.id, new.summary, new.diagnoses); END"
        )
