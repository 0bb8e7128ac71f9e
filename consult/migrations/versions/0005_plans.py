"""Plans: trackers (waves of one instrument), indicators, report runs, recommendations, action plans and actions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from consult.migrations.ops import create_table, fk_column as _fk, id_column as _id
from consult.migrations.types import JSON, TIMESTAMP

#: Tortoise's FloatField: REAL on SQLite, DOUBLE PRECISION on PostgreSQL.
FLOAT = sa.Float().with_variant(sa.REAL(), "sqlite")
#: Tortoise's DecimalField: exact NUMERIC on PostgreSQL; SQLite has none, so Tortoise keeps the digits as text.
MONEY = sa.Numeric(14, 2).with_variant(sa.String(40), "sqlite")

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "plan_trackers",
        _id(),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("design", JSON, nullable=False),
        sa.Column("rules", JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    create_table(
        "plan_waves",
        _id(),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        _fk("tracker_id", "plan_trackers", "CASCADE"),
        _fk("survey_id", "surveys", "CASCADE"),
        unique_together=(("tracker_id", "number"), ("tracker_id", "survey_id")),
    )
    create_table(
        "plan_indicators",
        _id(),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("objective", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("items", JSON, nullable=False),
        sa.Column("levels", JSON, nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("target", FLOAT, nullable=True),
        sa.Column("breakdowns", JSON, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _fk("tracker_id", "plan_trackers", "CASCADE"),
        unique_together=(("tracker_id", "code"),),
    )
    create_table(
        "plan_report_runs",
        _id(),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", FLOAT, nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("result", JSON, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("published_at", TIMESTAMP, nullable=True),
        _fk("tracker_id", "plan_trackers", "CASCADE"),
        _fk("wave_id", "plan_waves", "CASCADE"),
        _fk("requested_by_id", "users", "SET NULL", nullable=True),
    )
    create_table(
        "plan_action_plans",
        _id(),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _fk("tracker_id", "plan_trackers", "SET NULL", nullable=True),
        _fk("consultation_id", "consultations", "SET NULL", nullable=True),
    )
    create_table(
        "plan_actions",
        _id(),
        sa.Column("objective", sa.String(32), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("responsible", sa.String(200), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("budget", MONEY, nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("indicators", JSON, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _fk("plan_id", "plan_action_plans", "CASCADE"),
    )
    create_table(
        "plan_recommendations",
        _id(),
        sa.Column("indicator_code", sa.String(64), nullable=False),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("objective", sa.String(32), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("decided_at", TIMESTAMP, nullable=True),
        _fk("run_id", "plan_report_runs", "CASCADE"),
        _fk("decided_by_id", "users", "SET NULL", nullable=True),
        _fk("action_id", "plan_actions", "SET NULL", nullable=True),
    )
    op.create_index("idx_plan_recomm_run_id_rank", "plan_recommendations", ["run_id", "rank"])


def downgrade() -> None:
    op.drop_index("idx_plan_recomm_run_id_rank", table_name="plan_recommendations")
    for table in ("plan_recommendations", "plan_actions", "plan_action_plans", "plan_report_runs",
                  "plan_indicators", "plan_waves", "plan_trackers"):
        op.drop_table(table)
