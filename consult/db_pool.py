"""Tortoise's PostgreSQL client with asyncpg's pool, giving a connection back without a new task when nothing can
interrupt the release (the engine ``consult.db_pool`` in :func:`consult.db.tortoise_config`).

asyncpg's ``Pool.release`` runs every release inside ``asyncio.shield``, a new task each time, so that a request
cancelled half-way through resetting its connection cannot lose it. Our pool resets nothing (see ``reset`` in
``tortoise_config``): a connection that comes back closed to no transaction, with no query being cancelled and
nothing to close, is released without waiting on anything — without a point where a cancellation could land —
so the shield buys nothing there and costs about a fifth of a small query (``bench/request_cpu.py``). Every
other release (a transaction left open, a cancelled query, a closed, expired or worn-out connection) takes
asyncpg's own path. The checks read asyncpg's internals; ``tests/test_db_pool.py`` pins them down.
"""

from __future__ import annotations

import asyncio

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from tortoise.backends.asyncpg.client import AsyncpgDBClient


class LeanPool(asyncpg.Pool):
    """asyncpg's pool with a release that skips the shield when it cannot be interrupted."""

    __slots__ = ()

    async def release(self, connection, *, timeout=None):  # noqa: ANN001 (asyncpg's signature)
        if _settled(self, connection):
            connection._con._on_release()
            # Awaited, but it never waits: no reset query, no ROLLBACK, no close (see _settled).
            await connection._holder.release(timeout)
            # Then let a request waiting for a connection take this one before this request asks for another:
            # asyncio's queue lets a getter that has not waited take the connection from under the one it woke,
            # which then queues again at the back (a p99 of 300+ ms for submissions, which ask twice).
            await asyncio.sleep(0)
            return None
        return await super().release(connection, timeout=timeout)


def _settled(pool: LeanPool, connection: object) -> bool:
    """Whether giving ``connection`` back involves no I/O at all."""
    if type(connection) is not PoolConnectionProxy:
        return False
    con, holder = connection._con, connection._holder
    return (
        con is not None
        and holder._pool is pool
        and pool._reset is not None  # ours does nothing; asyncpg's default sends a reset query
        and not con.is_closed()
        and not con.is_in_transaction()
        and con._top_xact is None
        and not con._protocol._is_cancelling()
        and holder._generation == pool._generation
        and con._protocol.queries_count < holder._max_queries
    )


class LeanPoolClient(AsyncpgDBClient):
    """Tortoise's asyncpg client, on :class:`LeanPool`."""

    async def create_pool(self, **kwargs) -> asyncpg.Pool:  # noqa: ANN003 (Tortoise's signature)
        return await LeanPool(**_pool_arguments(kwargs))


def _pool_arguments(kwargs: dict) -> dict:
    """``asyncpg.create_pool``'s defaults, which ``Pool.__init__`` does not have, under what Tortoise passes."""
    defaults = {"min_size": 10, "max_size": 10, "max_queries": 50000, "max_inactive_connection_lifetime": 300.0,
                "connect": None, "setup": None, "init": None, "reset": None, "loop": None,
                "connection_class": asyncpg.Connection, "record_class": asyncpg.Record}
    return {**defaults, **kwargs}


client_class = LeanPoolClient
