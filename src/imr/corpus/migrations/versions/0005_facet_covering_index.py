"""The facet index covers the outcome: a statistic over specialties or cited pages reads the index only.

Revision ID: corpus_0005
Revises: corpus_0004
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "corpus_0005"
down_revision = "corpus_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_corpus_facets_value", "corpus_facets")
    op.create_index("ix_corpus_facets_value", "corpus_facets", ["facet", "value", "upheld"])


def downgrade() -> None:
    op.drop_index("ix_corpus_facets_value", "corpus_facets")
    op.create_index("ix_corpus_facets_value", "corpus_facets", ["facet", "value"])
