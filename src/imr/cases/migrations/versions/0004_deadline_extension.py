"""A deadline extension per case: up to 3 days in extraordinary circumstances, with the AD approval (LC 4610.6(d)).

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extension_days", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("extension_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("extension_reason")
        batch_op.drop_column("extension_days")
