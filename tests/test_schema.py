"""The migrations own the schema: a database built by Alembic must equal what the Tortoise models describe.

The models' schema is built with ``generate_schemas`` in a throwaway database (the only place it is used), then both
are read back with SQLAlchemy's inspector and compared: tables, columns, types, nullability, indexes, uniques and
foreign keys. A model changed without a migration (or the reverse) fails here, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from tortoise import Tortoise

from consult import db
from consult.migrate import upgrade
from tests.support import databases


def _models_schema(url: str) -> None:
    async def build() -> None:
        await Tortoise.init(config=db.tortoise_config(url))
        try:
            await Tortoise.generate_schemas(safe=False)
        finally:
            await Tortoise.close_connections()

    # In a thread of its own: the browser tests' Playwright keeps an event loop running in the main thread.
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(asyncio.run, build()).result()


def _type_signature(column_type: sa.types.TypeEngine, dialect: str) -> tuple:
    """What a column's type means, in terms both builders must agree on."""
    if isinstance(column_type, sa.Boolean) or (dialect == "sqlite" and isinstance(column_type, sa.Integer)):
        # SQLite has no boolean type: Tortoise writes INT, SQLAlchemy BOOLEAN; both store 0/1.
        kind = "integer-or-boolean" if dialect == "sqlite" else "boolean"
        return (kind,)
    if isinstance(column_type, sa.String) and not isinstance(column_type, sa.Text) and column_type.length:
        return ("varchar", column_type.length)
    if isinstance(column_type, sa.DateTime):
        return ("datetime", bool(getattr(column_type, "timezone", False)) if dialect != "sqlite" else None)
    if isinstance(column_type, sa.Integer):
        return ("integer", type(column_type).__name__ if dialect != "sqlite" else None)
    return (type(column_type).__name__.lower(),)


def describe(url: str) -> dict:
    engine = sa.create_engine(db.sqlalchemy_url(url), poolclass=sa.NullPool)
    dialect = engine.dialect.name
    inspector = sa.inspect(engine)
    schema = {}
    for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        columns = {
            c["name"]: (_type_signature(c["type"], dialect), bool(c["nullable"]))
            for c in inspector.get_columns(table)
        }
        primary_key = tuple(inspector.get_pk_constraint(table)["constrained_columns"])
        uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)}
        indexes = set()
        for index in inspector.get_indexes(table):
            names = tuple(index["column_names"])
            if index.get("unique"):
                uniques.add(names)
            else:
                indexes.add(names)
        if dialect == "sqlite":
            uniques |= _sqlite_unique_column_sets(engine, table)
        foreign_keys = {
            (tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]),
             (fk.get("options") or {}).get("ondelete", "NO ACTION").upper())
            for fk in inspector.get_foreign_keys(table)
        }
        schema[table] = {
            "columns": columns,
            "primary_key": primary_key,
            "uniques": uniques - {primary_key},
            "indexes": indexes,
            "foreign_keys": foreign_keys,
        }
    engine.dispose()
    return schema


def _sqlite_unique_column_sets(engine: sa.Engine, table: str) -> set[tuple]:
    # The inspector misses a UNIQUE written inline on a column (as Tortoise writes it); SQLite's own catalogue
    # lists it as an automatic index.
    found = set()
    with engine.connect() as connection:
        for row in connection.exec_driver_sql(f'PRAGMA index_list("{table}")'):
            name, unique, origin = row[1], row[2], row[3]
            if unique and origin in ("u", "c"):
                columns = [info[2] for info in connection.exec_driver_sql(f'PRAGMA index_info("{name}")')]
                found.add(tuple(columns))
    return found


def _assert_same(migrated: dict, modelled: dict) -> None:
    assert sorted(migrated) == sorted(modelled), "tables differ between migrations and models"
    for table in modelled:
        for aspect in ("columns", "primary_key", "uniques", "indexes", "foreign_keys"):
            assert migrated[table][aspect] == modelled[table][aspect], f"{table}: {aspect} differ"


def test_migrations_match_models_on_sqlite(tmp_path: Path):
    migrated = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    modelled = f"sqlite:///{tmp_path / 'modelled.sqlite3'}"
    upgrade(migrated)
    _models_schema(modelled)
    _assert_same(describe(migrated), describe(modelled))


@pytest.mark.skipif(not databases.POSTGRES_URL, reason="set CONSULT_TEST_DATABASE_URL to check PostgreSQL")
def test_migrations_match_models_on_postgresql():
    migrated = databases.create_postgres_database("consult_schema_migrated")
    modelled = databases.create_postgres_database("consult_schema_modelled")
    try:
        upgrade(migrated)
        _models_schema(modelled)
        _assert_same(describe(migrated), describe(modelled))
    finally:
        databases.drop_postgres_database(migrated)
        databases.drop_postgres_database(modelled)


def test_the_check_notices_a_missing_column(tmp_path: Path):
    """The comparison itself must be able to fail: drop a column from the migrated side and see it caught."""
    migrated = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    modelled = f"sqlite:///{tmp_path / 'modelled.sqlite3'}"
    upgrade(migrated)
    _models_schema(modelled)
    engine = sa.create_engine(db.sqlalchemy_url(migrated))
    with engine.begin() as connection:
        connection.execute(sa.text('ALTER TABLE users DROP COLUMN "language"'))
    engine.dispose()
    with pytest.raises(AssertionError, match="users: columns differ"):
        _assert_same(describe(migrated), describe(modelled))


def test_migrations_downgrade_and_upgrade_again(tmp_path: Path):
    from alembic import command

    from consult.migrate import alembic_config, current_revision

    url = f"sqlite:///{tmp_path / 'round.sqlite3'}"
    upgrade(url)
    head = current_revision(url)
    command.downgrade(alembic_config(url), "base")
    assert current_revision(url) is None
    upgrade(url)
    assert current_revision(url) == head


@pytest.mark.skipif(not databases.POSTGRES_URL, reason="set CONSULT_TEST_DATABASE_URL to check PostgreSQL")
def test_responses_keep_room_for_their_updates_on_postgresql():
    """Each response is updated once a page: its table keeps room on each page, so updates stay there (migration
    0007); downgrading gives the default back."""
    from alembic import command

    from consult.migrate import alembic_config

    url = databases.create_postgres_database("consult_schema_fill")
    engine = sa.create_engine(db.sqlalchemy_url(url), poolclass=sa.NullPool)

    def options() -> list[str] | None:
        with engine.connect() as connection:
            return connection.exec_driver_sql(
                "SELECT reloptions FROM pg_class WHERE relname = 'survey_responses'").scalar_one()

    try:
        upgrade(url)
        assert options() == ["fillfactor=70"]
        command.downgrade(alembic_config(url), "0006")
        assert options() is None
    finally:
        engine.dispose()
        databases.drop_postgres_database(url)
