"""Surveys: surveys, immutable versions, responses, page submissions, invitations, population margins.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from consult.migrations.types import BIGID, JSON, TIMESTAMP
from consult.migrations.ops import create_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _create_table(name, *columns, uniques=()):
    create_table(name, *columns, unique_together=uniques, constraint_prefix="uq")


def upgrade() -> None:
    _create_table(
        "surveys",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("discreet", sa.Boolean(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("access", sa.String(16), nullable=False),
        sa.Column("consent", JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("opened_at", TIMESTAMP, nullable=True),
        sa.Column("closed_at", TIMESTAMP, nullable=True),
    )
    _create_table(
        "survey_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("definition", JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("survey_id", sa.Integer(), sa.ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False),
        uniques=(("survey_id", "number"),),
    )
    _create_table(
        "survey_population_margins",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("variable", sa.String(128), nullable=False),
        sa.Column("category", sa.String(128), nullable=False),
        sa.Column("population", sa.Float().with_variant(sa.REAL(), "sqlite"), nullable=False),
        sa.Column("survey_id", sa.Integer(), sa.ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False),
        uniques=(("survey_id", "variable", "category"),),
    )
    _create_table(
        "survey_responses",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("resume_code", sa.String(16), nullable=False, unique=True),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("completed_at", TIMESTAMP, nullable=True),
        sa.Column("survey_id", sa.Integer(), sa.ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("survey_versions.id", ondelete="CASCADE"),
                  nullable=False),
    )
    op.create_index("ix_survey_responses_survey_id_status", "survey_responses", ["survey_id", "status"])
    _create_table(
        "survey_invitations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=True),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        sa.Column("response_id", sa.BigInteger(), sa.ForeignKey("survey_responses.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("survey_id", sa.Integer(), sa.ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False),
    )
    _create_table(
        "survey_page_submissions",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("page", sa.String(128), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("response_id", sa.BigInteger(), sa.ForeignKey("survey_responses.id", ondelete="CASCADE"),
                  nullable=False),
        uniques=(("response_id", "step"),),
    )


def downgrade() -> None:
    op.drop_table("survey_page_submissions")
    op.drop_table("survey_invitations")
    op.drop_index("ix_survey_responses_survey_id_status", table_name="survey_responses")
    op.drop_table("survey_responses")
    op.drop_table("survey_population_margins")
    op.drop_table("survey_versions")
    op.drop_table("surveys")
