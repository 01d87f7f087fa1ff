"""Each determination version keeps the review engine's draft it started from, so what the reviewer
changed from the engine stays on record after the draft is edited (and after the rule book changes).

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN: a batch (copy-and-move) on SQLite would drop the immutability triggers
    op.add_column("case_determinations", sa.Column("engine_content", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_determinations", schema=None) as batch_op:
        batch_op.drop_column("engine_content")
