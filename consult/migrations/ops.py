"""Shared steps for hand-written migrations.

Migrations are history: never change what a function here does (that would change old migrations); add a new one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_table(name: str, *columns: sa.Column, unique_together: tuple[tuple[str, ...], ...] = (),
                 constraint_prefix: str = "uid") -> None:
    """``op.create_table``, except that on SQLite foreign keys are written inline on their column, as Tortoise
    writes them (SQLAlchemy would write table-level constraints, which SQLite's catalogue reports differently)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.create_table(name, *columns, *(sa.UniqueConstraint(*cols, name=f"{constraint_prefix}_{name}_{'_'.join(cols)}")
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
        clauses.append(f'CONSTRAINT "{constraint_prefix}_{name}_{"_".join(cols)}" UNIQUE ({quoted})')
    op.execute(f'CREATE TABLE "{name}" (\n    ' + ",\n    ".join(clauses) + "\n)")


def id_column() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True)


def fk_column(name: str, table: str, ondelete: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable)
