"""Sign-in attempts (to refuse a user or an address after too many failures) and revoked sessions
(a signed-out token is refused until it would have expired anyway).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_sign_in_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_sign_in_attempts_username_at", "case_sign_in_attempts", ["username", "at"])
    op.create_index("ix_case_sign_in_attempts_address_at", "case_sign_in_attempts", ["address", "at"])
    op.create_table(
        "case_revoked_sessions",
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )
    op.create_index("ix_case_revoked_sessions_expires_at", "case_revoked_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_case_revoked_sessions_expires_at", table_name="case_revoked_sessions")
    op.drop_table("case_revoked_sessions")
    op.drop_index("ix_case_sign_in_attempts_address_at", table_name="case_sign_in_attempts")
    op.drop_index("ix_case_sign_in_attempts_username_at", table_name="case_sign_in_attempts")
    op.drop_table("case_sign_in_attempts")
