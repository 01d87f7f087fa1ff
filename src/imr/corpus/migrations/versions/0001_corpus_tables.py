"""Corpus tables: letters, items, facets, failures; full-text search (FTS5 on SQLite, tsvector + GIN on PostgreSQL).

Revision ID: corpus_0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "corpus_0001"
down_revision = None
branch_labels = ("corpus",)
depends_on = None

# SQLite: external-content FTS5 tables kept in step by triggers, so the text is stored once and
# snippets still work; the vocabulary table gives document frequencies for precedent queries.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE corpus_items_fts USING fts5(item, rationale, content='corpus_items', "
    "content_rowid='id', tokenize='porter unicode61')",
    "CREATE VIRTUAL TABLE corpus_letters_fts USING fts5(summary, diagnoses, content='corpus_letters', "
    "content_rowid='id', tokenize='porter unicode61')",
    "CREATE VIRTUAL TABLE corpus_letters_vocab USING fts5vocab(corpus_letters_fts, 'row')",
    "CREATE TRIGGER corpus_items_ai AFTER INSERT ON corpus_items BEGIN "
    "INSERT INTO corpus_items_fts(rowid, item, rationale) VALUES (new.id, new.item, new.rationale); END",
    "CREATE TRIGGER corpus_items_ad AFTER DELETE ON corpus_items BEGIN "
    "INSERT INTO corpus_items_fts(corpus_items_fts, rowid, item, rationale) "
    "VALUES ('delete', old.id, old.item, old.rationale); END",
    "CREATE TRIGGER corpus_letters_ai AFTER INSERT ON corpus_letters BEGIN "
    "INSERT INTO corpus_letters_fts(rowid, summary, diagnoses) VALUES (new.id, new.summary, new.diagnoses); END",
    "CREATE TRIGGER corpus_letters_ad AFTER DELETE ON corpus_letters BEGIN "
    "INSERT INTO corpus_letters_fts(corpus_letters_fts, rowid, summary, diagnoses) "
    "VALUES ('delete', old.id, old.summary, old.diagnoses); END",
]

# PostgreSQL: generated tsvector columns (the item text weighs more than the rationale) with GIN indexes.
POSTGRES_FTS = [
    "ALTER TABLE corpus_items ADD COLUMN search tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', coalesce(item, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(rationale, '')), 'B')) STORED",
    "CREATE INDEX ix_corpus_items_search ON corpus_items USING gin (search)",
    "ALTER TABLE corpus_letters ADD COLUMN search tsvector GENERATED ALWAYS AS ("
    "to_tsvector('english', coalesce(summary, '') || ' ' || coalesce(diagnoses, ''))) STORED",
    "CREATE INDEX ix_corpus_letters_search ON corpus_letters USING gin (search)",
]


# On SQLite the id must be the rowid itself (INTEGER PRIMARY KEY): indexes then end in the id, so
# "newest decisions of this kind" walks an index backwards instead of sorting, and the FTS5 tables'
# content_rowid lookups need no second index.
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "corpus_letters",
        sa.Column("id", _ID, primary_key=True, autoincrement=False),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("case_number", sa.String(32)),
        sa.Column("decision_date", sa.Date),
        sa.Column("decision_year", sa.SmallInteger),
        sa.Column("date_of_injury", sa.Date),
        sa.Column("ur_denial_date", sa.Date),
        sa.Column("priority", sa.String(16)),
        sa.Column("age", sa.SmallInteger),
        sa.Column("sex", sa.String(8)),
        sa.Column("specialties", sa.Text),
        sa.Column("summary", sa.Text),
        sa.Column("diagnoses", sa.Text),
        sa.Column("document", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "corpus_items",
        sa.Column("id", _ID, primary_key=True, autoincrement=False),
        sa.Column("letter_id", sa.BigInteger, sa.ForeignKey("corpus_letters.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.SmallInteger, nullable=False),
        sa.Column("item", sa.Text, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("generic", sa.String(200)),
        sa.Column("drug_class", sa.String(100)),
        sa.Column("procedure", sa.String(100)),
        sa.Column("body_part", sa.String(200)),
        sa.Column("outcome", sa.String(12)),
        sa.Column("decision_year", sa.SmallInteger),
        sa.Column("rationale", sa.Text),
        sa.Column("reviewer_basis", sa.Text),
    )
    op.create_table(
        "corpus_facets",
        sa.Column("item_id", sa.BigInteger, sa.ForeignKey("corpus_items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("facet", sa.String(16), nullable=False),
        sa.Column("value", sa.String(300), nullable=False),
        sa.Column("upheld", sa.Boolean),
    )
    op.create_table(
        "corpus_failures",
        sa.Column("content_hash", sa.String(64), primary_key=True),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
    )
    op.create_index("ix_corpus_items_letter", "corpus_items", ["letter_id"])
    op.create_index("ix_corpus_items_generic", "corpus_items", ["generic"])
    op.create_index("ix_corpus_items_class", "corpus_items", ["drug_class"])
    op.create_index("ix_corpus_items_procedure", "corpus_items", ["procedure", "body_part"])
    op.create_index("ix_corpus_items_kind", "corpus_items", ["kind"])
    op.create_index("ix_corpus_facets_value", "corpus_facets", ["facet", "value"])
    op.create_index("ix_corpus_facets_item", "corpus_facets", ["item_id"])
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_FTS if dialect == "sqlite" else POSTGRES_FTS if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("corpus_items_ai", "corpus_items_ad", "corpus_letters_ai", "corpus_letters_ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        for name in ("corpus_letters_vocab", "corpus_letters_fts", "corpus_items_fts"):
            op.execute(f"DROP TABLE IF EXISTS {name}")
    for table in ("corpus_failures", "corpus_facets", "corpus_items", "corpus_letters"):
        op.drop_table(table)
