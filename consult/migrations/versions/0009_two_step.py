"""Two-step sign-in: an authenticator app's secret, since when it is on, the last code's step, recovery codes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from consult.migrations.types import JSON, TIMESTAMP

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = ("two_step_secret", "two_step_since", "two_step_last_step", "two_step_recovery")


def upgrade() -> None:
    op.add_column("users", sa.Column("two_step_secret", sa.String(64), nullable=True))
    op.add_column("users", sa.Column("two_step_since", TIMESTAMP, nullable=True))
    op.add_column("users", sa.Column("two_step_last_step", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("users", sa.Column("two_step_recovery", JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    # SQLite (3.35+) drops a column in place; a batch copy of the users table would cascade to its dependants.
    for column in reversed(COLUMNS):
        op.drop_column("users", column)
