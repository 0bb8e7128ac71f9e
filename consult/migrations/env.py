"""Alembic environment: runs the migrations against CONSULT_DATABASE_URL (or the URL the caller passes)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from consult import db

config = context.config


def database_url() -> str:
    url = config.attributes.get("database_url")
    if url is None:
        from consult.settings import load_settings

        url = load_settings().database_url
    return url


def run_migrations_online() -> None:
    url = database_url()
    if db.is_sqlite(url):
        db.sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(db.sqlalchemy_url(url), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            # SQLite cannot ALTER most things in place; batch mode copies the table instead.
            render_as_batch=db.is_sqlite(url),
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run `consult migrate`.")
run_migrations_online()
