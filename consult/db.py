"""The database: the only module that knows how ``CONSULT_DATABASE_URL`` maps onto Tortoise ORM and SQLAlchemy.

Tortoise serves the application; SQLAlchemy is used only by Alembic (migrations) and by the schema check in the tests.
The schema is owned by the migrations: nothing here creates tables.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise

#: Every module that defines models. An area adds its module here when it adds models (and a migration for them).
MODEL_MODULES = [
    "consult.accounts.models",
    "consult.mail.models",
    "consult.consultations.models",
    "consult.surveys.models",
    "consult.plans.models",
]


#: Seconds to open a PostgreSQL connection, and for one statement (see tortoise_config).
CONNECT_TIMEOUT = 5.0
COMMAND_TIMEOUT = 30.0
#: Connections a server process keeps to PostgreSQL at most (``?pool_size=`` in the URL). With 10, requests queued
#: for a connection under load made the p99 of pages and submissions 30–40 % longer than with 20
#: (bench/http_speed.py, 64 connections); servers × workers × this must stay under PostgreSQL's max_connections.
POOL_SIZE = 20


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def sqlite_path(url: str) -> Path:
    return Path(unquote(url[len("sqlite:///"):]))


def tortoise_config(url: str) -> dict:
    """The Tortoise configuration for a ``CONSULT_DATABASE_URL``."""
    if is_sqlite(url):
        connection = {
            "engine": "tortoise.backends.sqlite",
            # WAL lets readers go on while one writer writes; a busy timeout makes a second writer wait, not fail.
            "credentials": {"file_path": str(sqlite_path(url)), "journal_mode": "WAL", "foreign_keys": "ON",
                            "busy_timeout": 5000},
        }
    else:
        parts = urlsplit(url)
        options = dict(parse_qsl(parts.query))
        connection = {
            # Tortoise's asyncpg client on our lean, fair pool: asyncpg's own cost ≈ 40 µs of CPU a query more
            # (consult/db_pool.py says why and how).
            "engine": "consult.db_pool",
            "credentials": {
                # ``?host=/var/run/postgresql`` (libpq's way): the server's Unix socket, for a database on the
                # same machine — each query then costs this process less than over TCP on loopback.
                "host": options.get("host") or parts.hostname or "127.0.0.1",
                "port": parts.port or 5432,
                "user": unquote(parts.username or "postgres"),
                "password": unquote(parts.password or ""),
                "database": parts.path.lstrip("/"),
                "minsize": 1,
                "maxsize": int(options.get("pool_size", POOL_SIZE)),
                # A database host that stops answering (a network partition, a hung server) must not hold requests
                # until the proxy gives up: connecting and each statement are bounded, and the request gets the
                # 503 page. ``?connect_timeout=…&command_timeout=…`` (seconds) in the URL override the defaults.
                "timeout": float(options.get("connect_timeout", CONNECT_TIMEOUT)),
                "command_timeout": float(options.get("command_timeout", COMMAND_TIMEOUT)),
            },
        }
    return {
        "connections": {"default": connection},
        "apps": {"models": {"models": MODEL_MODULES, "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


def sqlalchemy_url(url: str) -> str:
    """The same database as a SQLAlchemy URL (synchronous drivers: sqlite3 and psycopg 3)."""
    if is_sqlite(url):
        return f"sqlite:///{sqlite_path(url)}"
    parts = urlsplit(url)
    # command_timeout and pool_size are ours (asyncpg's), not libpq's: psycopg would refuse them. Migrations may take
    # long anyway.
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k not in ("command_timeout", "pool_size")])
    return "postgresql+psycopg:" + urlunsplit(("", parts.netloc, parts.path, query, ""))


async def open_database(url: str) -> None:
    """Open the connection pool; called from the app's lifespan and by commands that use the models."""
    if is_sqlite(url):
        sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
    # Tortoise caches each model's INSERT statement per connection *name* ("default"), whatever the backend: a
    # process that opens SQLite and then PostgreSQL (the tests do) would send SQLite's "?" placeholders to asyncpg.
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    EXECUTOR_CACHE.clear()
    # The global fallback makes the context opened in the lifespan task visible to request tasks.
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)


async def close_database(timeout: float = 10.0) -> None:
    """Close the pool (and drop Tortoise's global context, so a later init starts clean).

    A graceful close waits for every connection to be given back; one held by a task stuck on a dead socket would
    hold it for ever, so after ``timeout`` seconds the pools are terminated instead.
    """
    from tortoise import context

    ctx = context.get_current_context()
    closing = asyncio.ensure_future(Tortoise.close_connections())
    done, _ = await asyncio.wait({closing}, timeout=timeout)
    if done:
        closing.result()
        return
    logging.getLogger("consult.db").warning("database pool did not close in time; terminating it")
    closing.add_done_callback(lambda task: task.cancelled() or task.exception())
    if ctx is not None and ctx._connections is not None:  # noqa: SLF001 - no public API for this
        for connection in ctx._connections.all():  # noqa: SLF001
            pool = getattr(connection, "_pool", None)
            if pool is not None:
                pool.terminate()
    if context._global_context is ctx:  # noqa: SLF001 - let the next open start clean
        context._global_context = None


async def ping(timeout: float = 2.0) -> bool:
    """True when the database answers a trivial query within ``timeout`` seconds."""
    try:
        connection = Tortoise.get_connection("default")
        query = asyncio.ensure_future(connection.execute_query("SELECT 1"))
        # Not wait_for: it waits for the cancelled query to wind up, and a connection to a host that stopped
        # answering can take far longer than ``timeout`` to do so (seen: /healthz silent for over 30 s).
        done, _pending = await asyncio.wait({query}, timeout=timeout)
        if not done:
            query.cancel()
            query.add_done_callback(lambda task: task.cancelled() or task.exception())
            return False
        query.result()
    except Exception:  # any failure means "not reachable"; /healthz reports it
        return False
    return True
