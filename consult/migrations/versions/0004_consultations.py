"""Consultations: drafts in versions of paragraphs, invitees, comments, supports, flags.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from consult.migrations.types import JSON, TIMESTAMP
from consult.migrations.ops import create_table, fk_column as _fk, id_column as _id

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "consultations",
        _id(),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("languages", JSON, nullable=False),
        sa.Column("opens_at", TIMESTAMP, nullable=True),
        sa.Column("closes_at", TIMESTAMP, nullable=True),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("show_authors", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("opened_at", TIMESTAMP, nullable=True),
        sa.Column("closed_at", TIMESTAMP, nullable=True),
        sa.Column("published_at", TIMESTAMP, nullable=True),
        sa.Column("reminder_sent_at", TIMESTAMP, nullable=True),
        _fk("created_by_id", "users", "SET NULL", nullable=True),
    )
    create_table(
        "consultation_invitees",
        _id(),
        sa.Column("invited_at", TIMESTAMP, nullable=False),
        sa.Column("unsubscribed_at", TIMESTAMP, nullable=True),
        _fk("consultation_id", "consultations", "CASCADE"),
        _fk("user_id", "users", "CASCADE"),
        unique_together=(("consultation_id", "user_id"),),
    )
    create_table(
        "consultation_versions",
        _id(),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _fk("consultation_id", "consultations", "CASCADE"),
        unique_together=(("consultation_id", "number"),),
    )
    create_table(
        "consultation_paragraphs",
        _id(),
        sa.Column("key", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("texts", JSON, nullable=False),
        _fk("version_id", "consultation_versions", "CASCADE"),
        unique_together=(("version_id", "key"),),
    )
    create_table(
        "consultation_comments",
        _id(),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("edited_at", TIMESTAMP, nullable=True),
        sa.Column("hidden_at", TIMESTAMP, nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("response_paragraph_key", sa.String(16), nullable=True),
        sa.Column("responded_at", TIMESTAMP, nullable=True),
        _fk("author_id", "users", "SET NULL", nullable=True),
        _fk("consultation_id", "consultations", "CASCADE"),
        _fk("paragraph_id", "consultation_paragraphs", "CASCADE"),
        _fk("parent_id", "consultation_comments", "CASCADE", nullable=True),
    )
    create_table(
        "consultation_supports",
        _id(),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _fk("comment_id", "consultation_comments", "CASCADE"),
        _fk("user_id", "users", "CASCADE"),
        unique_together=(("comment_id", "user_id"),),
    )
    create_table(
        "consultation_flags",
        _id(),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _fk("comment_id", "consultation_comments", "CASCADE"),
        _fk("user_id", "users", "CASCADE"),
        unique_together=(("comment_id", "user_id"),),
    )


def downgrade() -> None:
    for table in ("consultation_flags", "consultation_supports", "consultation_comments", "consultation_paragraphs",
                  "consultation_versions", "consultation_invitees", "consultations"):
        op.drop_table(table)
