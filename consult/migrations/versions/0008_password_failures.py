"""Wrong passwords counted in the database, per account, so that the sign-in throttle holds across servers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from consult.migrations.ops import create_table
from consult.migrations.types import BIGID, TIMESTAMP

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "account_password_failures",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", TIMESTAMP, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("account_password_failures")
