"""The ``consult`` command, run as a user runs it: in a subprocess, against a real database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from consult.cli import build_parser
from tests.support import databases


def consult(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "consult", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, cwd=cwd)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cli.sqlite3'}"
        return
    if not databases.POSTGRES_URL:
        pytest.skip("set CONSULT_TEST_DATABASE_URL to run on PostgreSQL too")
    url = databases.create_postgres_database("consult_cli")
    yield url
    databases.drop_postgres_database(url)


def sql(url: str, statement: str) -> list[tuple]:
    """Run one statement on the database the command used, as an admin at a database prompt would."""
    if url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return connection.execute(statement).fetchall()
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.execute(statement)
        return cursor.fetchall() if cursor.description else []


def subcommands(parser, prefix=()):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from subcommands(sub, (*prefix, name))


def test_every_subcommand_has_help():
    names = list(subcommands(build_parser()))
    for required in [("serve",), ("migrate",), ("demo",), ("user",), ("user", "add")]:
        assert required in names
    for name in names:
        result = consult(*name, "--help")
        assert result.returncode == 0, (name, result.stderr)
        assert "usage: consult" in result.stdout


def test_serve_help_names_its_options():
    out = consult("serve", "--help").stdout
    for option in ("--host", "--port", "--workers"):
        assert option in out


def test_migrate_demo_and_user_add(empty_database, tmp_path):
    env = {"CONSULT_DATABASE_URL": empty_database, "CONSULT_DATA_DIR": str(tmp_path),
           "CONSULT_MAIL_URL": f"file://{tmp_path / 'outbox'}"}
    migrated = consult("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    assert "database at revision" in migrated.stdout

    first = consult("demo", env=env)
    assert first.returncode == 0, first.stderr
    assert "created" in first.stdout
    second = consult("demo", env=env)  # idempotent: keeps what is there
    assert second.returncode == 0, second.stderr
    assert "already present" in second.stdout

    production = {**env, "CONSULT_ENV": "production", "CONSULT_SECRET_KEY": "k" * 40}
    refused = consult("demo", env=production)  # demo accounts are shared, known accounts (ASVS V2.5.4)
    assert refused.returncode == 2 and "production" in refused.stderr and not refused.stdout

    added = consult("user", "add", "Nadia@Example.org", "--role", "analyst", "--name", "Nadia", env=env)
    assert added.returncode == 0, added.stderr
    assert "created nadia@example.org (analyst)" in added.stdout
    again = consult("user", "add", "nadia@example.org", "--role", "panel", env=env)
    assert again.returncode == 1
    assert "already exists" in again.stderr

    off = consult("user", "two-step-off", "Nadia@example.org", env=env)
    assert off.returncode == 0 and "was not on" in off.stdout, off.stderr
    sql(empty_database, "UPDATE users SET two_step_secret = 'JBSWY3DPEHPK3PXP', two_step_since = created_at "
                        "WHERE email = 'nadia@example.org'")
    sql(empty_database, "INSERT INTO account_sessions (key_hash, user_id, created_at, last_seen_at, expires_at, "
                        "label) SELECT 'signed-in-on-her-phone', id, created_at, created_at, created_at, '' "
                        "FROM users WHERE email = 'nadia@example.org'")
    off = consult("user", "two-step-off", "nadia@example.org", env=env)  # her phone and codes lost
    assert off.returncode == 0 and "turned off" in off.stdout and "1 session(s) ended" in off.stdout, off.stderr
    assert sql(empty_database, "SELECT count(*) FROM account_sessions") == [(0,)]  # the phone's browser too
    assert sql(empty_database, "SELECT two_step_secret, two_step_since FROM users WHERE email = 'nadia@example.org'"
               ) == [(None, None)]
    assert sql(empty_database, "SELECT count(*) FROM mail_outbox WHERE to_address = 'nadia@example.org' "
                               "AND kind = 'notice'") == [(1,)]  # she is told
    nobody = consult("user", "two-step-off", "nobody@example.org", env=env)
    assert nobody.returncode == 1 and "no account" in nobody.stderr

    bad_role = consult("user", "add", "x@example.org", "--role", "queen", env=env)
    assert bad_role.returncode == 2
    assert "invalid choice" in bad_role.stderr
    bad_email = consult("user", "add", "not-an-email", "--role", "panel", env=env)
    assert bad_email.returncode == 1
    assert "email address" in bad_email.stderr
