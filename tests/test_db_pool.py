"""The lean PostgreSQL pool (consult/db_pool.py) on a real server: fair to waiting requests, bounded, whole after
transactions, cancelled queries, closed connections, expiry, closing; and Tortoise's client runs on it."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from consult import db
from consult.db_pool import LeanPool, LeanPoolClient


def connect_kwargs(url: str) -> dict:
    credentials = db.tortoise_config(url)["connections"]["default"]["credentials"]
    return {"host": credentials["host"], "port": credentials["port"], "user": credentials["user"],
            "password": credentials["password"], "database": credentials["database"], "timeout": 5}


@pytest.fixture
def pool_of(postgres_database):
    """``pool_of(max_size)(fn)``: run ``fn(pool)`` in a loop of its own on a fresh pool, closed afterwards."""

    def of(max_size: int, min_size: int = 1):
        def run(fn):
            async def main():
                pool = await LeanPool(min_size=min_size, max_size=max_size,
                                      **connect_kwargs(postgres_database)).start()
                try:
                    return await fn(pool)
                finally:
                    await asyncio.wait_for(pool.close(), 10)

            return asyncio.run(main())

        return run

    return of


async def query(pool: LeanPool, sql: str, *args):
    connection = await pool.acquire()
    try:
        return await connection.fetchval(sql, *args)
    finally:
        await pool.release(connection)


def test_tortoise_runs_on_it(postgres_database):
    async def main():
        await db.open_database(postgres_database + "?pool_size=3")
        try:
            client = connections.get("default")
            results = await asyncio.gather(*(client.execute_query("SELECT $1::int AS n", [n]) for n in range(30)))
            assert isinstance(client, LeanPoolClient) and isinstance(client._pool, LeanPool)  # opened at first use
            assert [rows[0]["n"] for _, rows in results] == list(range(30))
            async with in_transaction() as connection:
                await connection.execute_query("SELECT 1")
            return client._pool.get_size(), client._pool.get_idle_size()
        finally:
            await db.close_database()

    size, idle = asyncio.run(main())
    assert size == idle <= 3


def test_never_more_connections_than_its_size_and_all_come_back(pool_of):
    async def main(pool):
        busy = {"now": 0, "most": 0}

        async def one(n):
            connection = await pool.acquire()
            busy["now"] += 1
            busy["most"] = max(busy["most"], busy["now"])
            try:
                return await connection.fetchval("SELECT $1::int FROM pg_sleep(0.005)", n)
            finally:
                busy["now"] -= 1
                await pool.release(connection)

        assert await asyncio.gather(*(one(n) for n in range(60))) == list(range(60))
        return busy["most"], pool.get_size(), pool.get_idle_size()

    most, size, idle = pool_of(4)(main)
    assert most == 4 and size == idle == 4


def test_a_connection_given_back_goes_to_the_longest_waiting_request(pool_of):
    """A request that gives its connection back and asks again at once queues behind those already waiting (the
    starvation that making only asyncpg's release direct caused)."""

    async def main(pool):
        order = []
        holder = await pool.acquire()

        async def waiter(name):
            connection = await pool.acquire()
            order.append(name)
            await pool.release(connection)

        waiting = [asyncio.ensure_future(waiter(n)) for n in ("first", "second")]
        await asyncio.sleep(0.01)  # both are queued now
        await pool.release(holder)
        again = await pool.acquire()  # the releasing request asks again at once
        order.append("again")
        await pool.release(again)
        await asyncio.gather(*waiting)
        return order

    assert pool_of(1)(main) == ["first", "second", "again"]


def test_a_request_cancelled_while_waiting_leaves_the_queue_and_loses_nothing(pool_of):
    async def main(pool):
        holder = await pool.acquire()
        cancelled = asyncio.ensure_future(pool.acquire())
        later = asyncio.ensure_future(pool.acquire())
        await asyncio.sleep(0.01)
        cancelled.cancel()
        await pool.release(holder)  # goes to `later`, not to the cancelled request
        connection = await asyncio.wait_for(later, 5)
        assert cancelled.cancelled()
        await pool.release(connection)
        return pool.get_size(), pool.get_idle_size(), await query(pool, "SELECT 7")

    assert pool_of(1)(main) == (1, 1, 7)


def test_a_connection_handed_to_a_request_cancelled_at_that_moment_is_passed_on(pool_of):
    async def main(pool):
        holder = await pool.acquire()
        first = asyncio.ensure_future(pool.acquire())
        second = asyncio.ensure_future(pool.acquire())
        await asyncio.sleep(0.01)
        await pool.release(holder)  # handed to `first`, which has not run yet...
        first.cancel()  # ...and is cancelled before it does
        connection = await asyncio.wait_for(second, 5)
        await pool.release(connection)
        return pool.get_size(), pool.get_idle_size()

    assert pool_of(1)(main) == (1, 1)


def test_a_timeout_on_the_wait(pool_of):
    async def main(pool):
        holder = await pool.acquire()
        with pytest.raises(asyncio.TimeoutError):
            await pool.acquire(timeout=0.05)
        await pool.release(holder)
        return await query(pool, "SELECT 3"), pool.get_size()

    assert pool_of(1)(main) == (3, 1)


def test_a_transaction_left_open_is_rolled_back_before_the_connection_is_used_again(pool_of, postgres_database):
    async def main(pool):
        connection = await pool.acquire()
        await connection.execute("BEGIN")
        await connection.execute("CREATE TEMP TABLE left_open (n int)")
        await pool.release(connection)
        again = await pool.acquire()
        try:
            assert not again.is_in_transaction()
            # The temporary table was created in the rolled-back transaction: it is gone.
            return await again.fetchval("SELECT to_regclass('pg_temp.left_open') IS NULL")
        finally:
            await pool.release(again)

    assert pool_of(1)(main) is True


def test_a_query_cancelled_by_its_timeout_leaves_a_usable_connection(pool_of):
    async def main(pool):
        connection = await pool.acquire()
        try:
            with pytest.raises(asyncio.TimeoutError):
                await connection.fetchval("SELECT pg_sleep(5)", timeout=0.1)
        finally:
            await pool.release(connection)
        return await asyncio.wait_for(query(pool, "SELECT 11"), 5), pool.get_size()

    assert pool_of(1)(main) == (11, 1)


def test_a_connection_killed_on_the_server_is_replaced(pool_of, postgres_database):
    async def main(pool):
        connection = await pool.acquire()
        pid = connection.get_server_pid()
        await pool.release(connection)
        killer = await asyncpg.connect(**connect_kwargs(postgres_database))
        try:
            await killer.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await killer.close()
        await asyncio.sleep(0.2)  # the client notices the closed socket
        # The idle connection is dead: the pool opens another in its place.
        value = await query(pool, "SELECT pg_backend_pid()")
        return value != pid, pool.get_size()

    assert pool_of(1)(main) == (True, 1)


def test_a_connection_that_dies_in_use_frees_its_place_for_a_waiting_request(pool_of, postgres_database):
    async def main(pool):
        connection = await pool.acquire()
        waiting = asyncio.ensure_future(query(pool, "SELECT 5"))
        await asyncio.sleep(0.01)
        connection.terminate()  # as a database restart does
        await pool.release(connection)
        return await asyncio.wait_for(waiting, 5), pool.get_size()

    assert pool_of(1)(main) == (5, 1)


def test_an_unreachable_database_fails_each_request_and_keeps_no_place(postgres_database):
    async def main():
        pool = LeanPool(min_size=0, max_size=2, **{**connect_kwargs(postgres_database), "port": _closed_port()})
        await pool.start()
        for _ in range(3):
            with pytest.raises(OSError):
                await pool.acquire()
        return pool.get_size()

    assert asyncio.run(main()) == 0


def test_expired_connections_are_replaced(pool_of):
    async def main(pool):
        connection = await pool.acquire()
        old = connection.get_server_pid()
        await pool.expire_connections()
        await pool.release(connection)  # from before the expiry: closed, not kept
        await asyncio.sleep(0.05)
        return old != await query(pool, "SELECT pg_backend_pid()"), pool.get_size()

    assert pool_of(1)(main) == (True, 1)


def test_close_waits_for_connections_in_use_and_terminate_does_not(postgres_database):
    async def main():
        pool = await LeanPool(min_size=1, max_size=2, **connect_kwargs(postgres_database)).start()
        connection = await pool.acquire()
        closing = asyncio.ensure_future(pool.close())
        await asyncio.sleep(0.05)
        assert not closing.done()
        with pytest.raises(asyncpg.InterfaceError):
            await pool.acquire()
        await pool.release(connection)
        await asyncio.wait_for(closing, 5)
        assert connection.is_closed() and pool.get_size() == 0

        other = await LeanPool(min_size=1, max_size=1, **connect_kwargs(postgres_database)).start()
        held = await other.acquire()
        waiting = asyncio.ensure_future(other.acquire())
        await asyncio.sleep(0.01)
        other.terminate()
        with pytest.raises(asyncpg.InterfaceError):
            await waiting
        await other.release(held)  # given back after terminate(): nothing to do
        return held.is_closed(), other.get_size()

    assert asyncio.run(main()) == (True, 0)


def test_a_connection_being_opened_when_the_pool_is_terminated_is_not_kept(postgres_database):
    async def main():
        pool = await LeanPool(min_size=0, max_size=2, **connect_kwargs(postgres_database)).start()
        opening = asyncio.ensure_future(pool.acquire())
        await asyncio.sleep(0)  # it has started opening a connection
        pool.terminate()
        with pytest.raises(asyncpg.InterfaceError):
            await opening
        return pool.get_size()

    assert asyncio.run(main()) == 0


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

