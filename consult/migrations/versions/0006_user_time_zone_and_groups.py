"""A time zone per user (consultation dates shown in it) and groups of users invited to consultations together.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from consult.migrations.types import TIMESTAMP
from consult.migrations.ops import create_table, fk_column as _fk, id_column as _id

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("time_zone", sa.String(64), nullable=True))
    create_table(
        "consultation_groups",
        _id(),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    create_table(
        "consultation_group_members",
        _id(),
        sa.Column("added_at", TIMESTAMP, nullable=False),
        _fk("group_id", "consultation_groups", "CASCADE"),
        _fk("user_id", "users", "CASCADE"),
        unique_together=(("group_id", "user_id"),),
    )
    create_table(
        "consultation_group_invitations",
        _id(),
        sa.Column("invited_at", TIMESTAMP, nullable=False),
        _fk("consultation_id", "consultations", "CASCADE"),
        _fk("group_id", "consultation_groups", "CASCADE"),
        unique_together=(("consultation_id", "group_id"),),
    )


def downgrade() -> None:
    for table in ("consultation_group_invitations", "consultation_group_members", "consultation_groups"):
        op.drop_table(table)
    # SQLite (3.35+) drops a column in place; a batch copy of the users table would cascade to its dependants.
    op.drop_column("users", "time_zone")
