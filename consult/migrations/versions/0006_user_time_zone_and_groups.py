"""A time zone per user (consultation dates shown in it) and groups of users invited to consultations together.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from consult.migrations.types import TIMESTAMP

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _create_table(name: str, *columns: sa.Column, unique_together: tuple[tuple[str, ...], ...] = ()) -> None:
    """``op.create_table``, except that on SQLite foreign keys are written inline on their column, as Tortoise
    writes them (SQLAlchemy would write table-level constraints, which SQLite's catalogue reports differently)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.create_table(name, *columns, *(sa.UniqueConstraint(*cols, name=f"uid_{name}_{'_'.join(cols)}")
                                          for cols in unique_together))
        return
    clauses = []
    for column in columns:
        if column.primary_key:
            clauses.append(f'"{column.name}" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL')
            continue
        clause = f'"{column.name}" {column.type.compile(dialect=bind.dialect)}'
        if not column.nullable:
            clause += " NOT NULL"
        if column.unique:
            clause += " UNIQUE"
        for fk in column.foreign_keys:
            table, _, target = fk.target_fullname.partition(".")
            clause += f' REFERENCES "{table}" ("{target}") ON DELETE {fk.ondelete}'
        clauses.append(clause)
    for cols in unique_together:
        quoted = ", ".join(f'"{c}"' for c in cols)
        clauses.append(f'CONSTRAINT "uid_{name}_{"_".join(cols)}" UNIQUE ({quoted})')
    op.execute(f'CREATE TABLE "{name}" (\n    ' + ",\n    ".join(clauses) + "\n)")


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True)


def _fk(name: str, table: str, ondelete: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    op.add_column("users", sa.Column("time_zone", sa.String(64), nullable=True))
    _create_table(
        "consultation_groups",
        _id(),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    _create_table(
        "consultation_group_members",
        _id(),
        sa.Column("added_at", TIMESTAMP, nullable=False),
        _fk("group_id", "consultation_groups", "CASCADE"),
        _fk("user_id", "users", "CASCADE"),
        unique_together=(("group_id", "user_id"),),
    )
    _create_table(
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
