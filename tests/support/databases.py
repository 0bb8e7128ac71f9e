"""Test databases: one migrated SQLite file copied per test, and a private PostgreSQL database per test run.

PostgreSQL runs when ``CONSULT_TEST_DATABASE_URL`` names a server (``.ci/run`` sets it); each pytest process creates
its own database there (so parallel runs never meet), migrates it once, and empties its tables between tests.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa

from consult import db

POSTGRES_URL = os.environ.get("CONSULT_TEST_DATABASE_URL", "").strip()


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def create_postgres_database(prefix: str = "consult_test") -> str:
    """Create an empty database on the test server and return its URL."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    engine = sa.create_engine(db.sqlalchemy_url(POSTGRES_URL), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return with_database(POSTGRES_URL, name)


def drop_postgres_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    engine = sa.create_engine(db.sqlalchemy_url(POSTGRES_URL), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def empty_postgres_tables(url: str) -> None:
    """Remove every row (and restart the id sequences) but keep the migrated schema."""
    engine = sa.create_engine(db.sqlalchemy_url(url), poolclass=sa.NullPool)
    with engine.begin() as connection:
        tables = [name for name in sa.inspect(connection).get_table_names() if name != "alembic_version"]
        if tables:
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(sa.text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    engine.dispose()
