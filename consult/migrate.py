"""Applying the Alembic migrations from Python (``consult migrate``, ``make run``, the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig

from consult.settings import ROOT


def alembic_config(database_url: str) -> AlembicConfig:
    config = AlembicConfig(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at ``database_url`` up to ``revision`` (the newest by default)."""
    command.upgrade(alembic_config(database_url), revision)


def current_revision(database_url: str) -> str | None:
    from sqlalchemy import create_engine, pool
    from alembic.runtime.migration import MigrationContext

    from consult import db

    engine = create_engine(db.sqlalchemy_url(database_url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
