"""The corpus tables (SQLAlchemy Core): published decisions, their items, and facets for statistics.

The corpus keeps its own tables (prefix `corpus_`) and its own Alembic history in the same database as
the case service. Ids are assigned by the single writer of each batch (see store.py), so items can be
written in the same batch as their letter without a round trip per letter.

A *decision* is one disputed item of one letter: every count and rate in the statistics is over items.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

# the rowid itself on SQLite (see migration corpus_0001)
_ID = BigInteger().with_variant(Integer(), "sqlite")

letters = Table(
    "corpus_letters",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=False),
    # sha256 of the letter file's bytes: the idempotence guard for ingest
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("origin", Text, nullable=False),
    Column("case_number", String(32)),
    Column("decision_date", Date),
    Column("decision_year", SmallInteger),
    Column("date_of_injury", Date),
    Column("ur_denial_date", Date),
    Column("priority", String(16)),
    Column("age", SmallInteger),
    Column("sex", String(8)),
    Column("specialties", Text),  # '; '-joined, as the letter lists them
    Column("summary", Text),
    Column("diagnoses", Text),
    # the whole Determination as zlib-compressed JSON: evaluation rebuilds the case from it
    Column("document", LargeBinary, nullable=False),
)

items = Table(
    "corpus_items",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=False),
    Column("letter_id", BigInteger, ForeignKey("corpus_letters.id", ondelete="CASCADE"), nullable=False),
    Column("position", SmallInteger, nullable=False),
    Column("item", Text, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("generic", String(200)),
    Column("drug_class", String(100)),
    Column("procedure", String(100)),
    Column("body_part", String(200)),
    Column("outcome", String(12)),
    Column("decision_year", SmallInteger),
    Column("rationale", Text),
    Column("reviewer_basis", Text),  # JSON list of GuidelineCitation
    # outcome, kind, class and year as single words, indexed with the text so filters cost no lookups
    Column("tags", Text),
)

# One row per (decision, facet value) for facets a decision can have several of: the reviewer's
# specialties, and each guideline source, section and page the reviewer cited. The outcome is copied
# here so a statistic is one GROUP BY over one index.
facets = Table(
    "corpus_facets",
    metadata,
    Column("item_id", BigInteger, ForeignKey("corpus_items.id", ondelete="CASCADE"), nullable=False),
    Column("facet", String(16), nullable=False),
    Column("value", String(300), nullable=False),
    Column("upheld", Boolean),
)

failures = Table(
    "corpus_failures",
    metadata,
    Column("content_hash", String(64), primary_key=True),
    Column("origin", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("attempts", Integer, nullable=False, default=1),
)

Index("ix_corpus_items_letter", items.c.letter_id)
Index("ix_corpus_items_generic", items.c.generic)
Index("ix_corpus_items_class", items.c.drug_class)
Index("ix_corpus_items_procedure", items.c.procedure, items.c.body_part)
Index("ix_corpus_items_procedure_recent", items.c.procedure, items.c.id)
Index("ix_corpus_items_kind", items.c.kind)
Index("ix_corpus_items_kind_body", items.c.kind, items.c.body_part)
Index("ix_corpus_facets_value", facets.c.facet, facets.c.value, facets.c.upheld)
Index("ix_corpus_facets_item", facets.c.item_id)

FACETS = ("specialty", "source", "section", "page")
