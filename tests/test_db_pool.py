"""The PostgreSQL pool (consult/db_pool.py) gives a connection back without asyncpg's shielded task only when
nothing can interrupt the release; everything else — a transaction left open, a cancelled query, a closed
connection — still goes asyncpg's way, and the pool is whole afterwards."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from tortoise import Tortoise, connections

from consult import db
from consult.db_pool import LeanPool, _settled


@pytest.fixture
def pool_run(postgres_database):
    """Run ``fn(client)`` with Tortoise opened on the test database, in a loop of its own; count releases that
    went asyncpg's way (asyncpg's own method, watched, not replaced)."""
    calls = {"asyncpg": 0}
    original = asyncpg.Pool.release

    async def watched(self, connection, *, timeout=None):
        calls["asyncpg"] += 1
        return await original(self, connection, timeout=timeout)

    def run(fn):
        async def main():
            await db.open_database(postgres_database + "?pool_size=3")
            try:
                return await fn(connections.get("default"))
            finally:
                await db.close_database()

        asyncpg.Pool.release = watched
        try:
            return asyncio.run(main())
        finally:
            asyncpg.Pool.release = original

    run.calls = calls
    return run


def test_plain_queries_skip_the_shield_and_leave_the_pool_whole(pool_run):
    async def queries(client):
        results = await asyncio.gather(*(client.execute_query("SELECT $1::int AS n", [n]) for n in range(30)))
        assert isinstance(client._pool, LeanPool)
        assert [rows[0]["n"] for _, rows in results] == list(range(30))
        return client._pool.get_size(), client._pool.get_idle_size()

    size, idle = pool_run(queries)
    assert size == idle <= 3
    assert pool_run.calls["asyncpg"] == 0


def test_a_transaction_goes_asyncpgs_way_and_is_over_when_the_connection_comes_back(pool_run):
    async def transactions(client):
        from tortoise.transactions import in_transaction

        await client.execute_query("SELECT 1")  # the pool opens on first use
        async with in_transaction() as connection:
            await connection.execute_query("SELECT 1")
        with pytest.raises(RuntimeError):
            async with in_transaction() as connection:
                await connection.execute_query("CREATE TEMP TABLE doomed (n int)")
                raise RuntimeError("rolled back")
        # A connection handed back in the middle of a transaction (a bug elsewhere) is rolled back by asyncpg.
        raw = await client._pool.acquire()
        await raw.execute("BEGIN")
        assert not _settled(client._pool, raw)
        await client._pool.release(raw)
        states = []
        for _ in range(3):
            again = await client._pool.acquire()
            states.append(again.is_in_transaction())
            await client._pool.release(again)
        return states

    assert pool_run(transactions) == [False, False, False]
    assert pool_run.calls["asyncpg"] >= 1


def test_a_cancelled_query_gives_its_connection_back_usable(pool_run):
    async def cancelled(client):
        slow = [asyncio.ensure_future(client.execute_query("SELECT pg_sleep(5)")) for _ in range(3)]
        await asyncio.sleep(0.3)
        for task in slow:
            task.cancel()
        for task in slow:
            with pytest.raises(asyncio.CancelledError):
                await task
        _, rows = await asyncio.wait_for(client.execute_query("SELECT 42 AS n"), 5)
        many = await asyncio.wait_for(asyncio.gather(*(client.execute_query("SELECT 1") for _ in range(6))), 5)
        return rows[0]["n"], len(many), client._pool.get_idle_size()

    answer, count, idle = pool_run(cancelled)
    assert (answer, count) == (42, 6) and idle >= 1


def test_a_connection_closed_under_it_is_replaced(pool_run, postgres_database):
    async def closed(client):
        await client.execute_query("SELECT 1")  # the pool opens on first use
        raw = await client._pool.acquire()
        pid = raw.get_server_pid()
        await client._pool.release(raw)
        outside = await asyncpg.connect(postgres_database)  # as an administrator or a restart would
        try:
            await outside.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await outside.close()
        seen = []
        for _ in range(6):  # the terminated one fails at most once, then the pool opens another
            try:
                _, rows = await client.execute_query("SELECT pg_backend_pid() AS pid")
                seen.append(rows[0]["pid"])
            except Exception:  # noqa: BLE001 (the dead connection's own error, whatever asyncpg calls it)
                seen.append(None)
        return pid, seen

    pid, seen = pool_run(closed)
    assert pid not in seen and seen[-1] is not None
