"""Tortoise's PostgreSQL client on a lean, fair pool of asyncpg connections (``"engine": "consult.db_pool"``).

Why not asyncpg's own pool: a query through it cost ≈ 65 µs of this process's CPU against ≈ 19 µs on a connection
held directly (``bench/pool_cpu.py``: the same one-row UPDATE, 16 in flight). The difference is the pool's
machinery around each query: an ``asyncio.Queue`` of holders, a timer handle scheduled at every release and
cancelled at every acquire (the idle-connection lifetime), a proxy object wrapping each connection handed out, and
a task per release (``asyncio.shield``). A respondent's page submission is one query; that machinery was a fifth of
its CPU.

This pool keeps the idle connections in a list and the requests waiting for one in a queue of futures:

* **Fair.** A connection given back goes straight to the longest-waiting request, never to the free list while
  someone waits. A request that gives its connection back and asks again at once queues behind the others (making
  only asyncpg's release direct, without this, let such requests take connections from the ones they woke: the p99
  at 64-256 connections rose to seconds, 2026-11-22).
* **No task, timer or proxy** on the usual path: a connection that comes back closed, inside a transaction, with a
  cancelled query or from before :meth:`LeanPool.expire_connections` goes through :meth:`LeanPool._recycle` (a task
  that resets it, or closes it and passes its place on) instead.
* **Bounded**: at most ``max_size`` connections exist or are being opened. A place freed by a connection that
  closed (a database restart) goes to the next waiting request, which opens a new connection itself and gets the
  error if that fails, as with asyncpg's pool; nobody waits for ever on a database that is down.
* **Idle connections** are used most-recently-first; one unused for :data:`MAX_IDLE_SECONDS` is replaced rather
  than trusted (a firewall may have dropped it silently).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from typing import Any

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.exceptions import IntegrityError, OperationalError, TransactionManagementError

#: A connection idle for longer is closed and replaced when next needed, as asyncpg's pool does after 300 s.
MAX_IDLE_SECONDS = 300.0
#: The longest a connection that came back in an unusual state may take to be reset before it is closed instead.
RESET_SECONDS = 10.0

#: asyncpg.create_pool's own arguments, which asyncpg.connect does not take.
_POOL_ONLY = ("min_size", "max_size", "max_queries", "max_inactive_connection_lifetime", "setup", "init", "reset")


class LeanPool:
    """A fixed-size pool of asyncpg connections with the methods Tortoise's client uses (``acquire``, ``release``,
    ``close``, ``terminate``, ``expire_connections``).

    Parameters
    ----------
    min_size, max_size : int
        Connections opened at start, and at most.
    connect_kwargs
        Passed to :func:`asyncpg.connect` for each new connection.
    """

    def __init__(self, *, min_size: int = 1, max_size: int = 10, **connect_kwargs: Any) -> None:
        if max_size < 1 or min_size > max_size:
            raise ValueError("a pool needs 0 <= min_size <= max_size and max_size >= 1")
        self._min_size = min_size
        self._max_size = max_size
        self._connect_kwargs = {k: v for k, v in connect_kwargs.items() if k not in _POOL_ONLY}
        self._free: list[asyncpg.Connection] = []  # the last one given back is the first one taken
        self._waiters: collections.deque[asyncio.Future] = collections.deque()
        self._size = 0  # connections open or being opened, and places handed to waiters to open one
        self._generation = 0
        self._born: dict[asyncpg.Connection, int] = {}  # every open connection -> its generation
        self._idle_since: dict[asyncpg.Connection, float] = {}
        self._tasks: set[asyncio.Task] = set()
        self._closing = False
        self._all_back: asyncio.Event | None = None

    async def start(self) -> LeanPool:
        """Open ``min_size`` connections (an unreachable database fails here, as asyncpg.create_pool does)."""
        opened = []
        try:
            for _ in range(self._min_size):
                self._size += 1
                opened.append(await self._open())
        finally:
            for connection in opened:
                self._hand_over(connection)
        return self

    # ---------------------------------------------------------------------------------------------- sizes

    def get_size(self) -> int:
        """Connections open or being opened."""
        return self._size

    def get_idle_size(self) -> int:
        return len(self._free)

    def get_max_size(self) -> int:
        return self._max_size

    # -------------------------------------------------------------------------------------- acquire, release

    async def acquire(self, *, timeout: float | None = None) -> asyncpg.Connection:
        """A connection for the caller alone until :meth:`release`. ``timeout`` bounds the wait for one."""
        if self._closing:
            raise asyncpg.InterfaceError("the connection pool is closing")
        if self._free:
            connection = self._free.pop()
            if self._still_good(connection):
                return connection
            self._forget(connection)
            connection.terminate()
            return await self._open()  # in its place, which stays counted
        if self._size < self._max_size:
            self._size += 1
            return await self._open()
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            if timeout is None:
                connection = await waiter
            else:
                connection = await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._hand_over(waiter.result())  # handed over just as the caller gave up: pass it on
            else:
                waiter.cancel()
                try:
                    self._waiters.remove(waiter)
                except ValueError:
                    pass
            raise
        if connection is None:  # a place freed by a connection that closed: open one
            return await self._open()
        return connection

    async def release(self, connection: asyncpg.Connection, *, timeout: float | None = None) -> None:
        """Give ``connection`` back: to the longest-waiting caller, else to the free list."""
        if (self._born.get(connection) == self._generation and not connection.is_closed()
                and not connection.is_in_transaction() and not _is_cancelling(connection)):
            self._hand_over(connection)
            return
        task = asyncio.get_running_loop().create_task(self._recycle(connection))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _still_good(self, connection: asyncpg.Connection) -> bool:
        if connection.is_closed():
            return False
        return time.monotonic() - self._idle_since.get(connection, 0.0) < MAX_IDLE_SECONDS

    def _hand_over(self, connection: asyncpg.Connection | None) -> None:
        """``connection`` (or, for None, a place to open one) to the first caller still waiting, else kept."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        if connection is None:
            self._size -= 1
        elif self._closing:
            self._discard(connection)
            connection.terminate()
        else:
            self._idle_since[connection] = time.monotonic()
            self._free.append(connection)
        self._check_all_back()

    async def _open(self) -> asyncpg.Connection:
        """A new connection in a place already counted in ``_size``; the place is passed on if opening fails."""
        try:
            connection = await asyncpg.connect(**self._connect_kwargs)
        except BaseException:
            self._hand_over(None)
            raise
        if self._closing:  # closed or terminated while this one was being opened
            connection.terminate()
            self._hand_over(None)
            raise asyncpg.InterfaceError("the connection pool is closing")
        self._born[connection] = self._generation
        return connection

    async def connect_alone(self) -> asyncpg.Connection:
        """A connection with the pool's settings, outside the pool: for a task that holds one for long (LISTEN)."""
        return await asyncpg.connect(**self._connect_kwargs)

    def _forget(self, connection: asyncpg.Connection) -> bool:
        """Forget a connection (closed, or about to be); False when it was not this pool's (any more)."""
        self._idle_since.pop(connection, None)
        return self._born.pop(connection, None) is not None

    def _discard(self, connection: asyncpg.Connection) -> None:
        """Forget a connection and free its place."""
        if self._forget(connection):
            self._size -= 1

    async def _recycle(self, connection: asyncpg.Connection) -> None:
        """A connection that came back in an unusual state: reset it (roll back, wait for a cancelled query) and
        give it back, or close it and pass its place on."""
        try:
            if (not connection.is_closed() and self._born.get(connection) == self._generation
                    and not self._closing):
                await connection.reset(timeout=RESET_SECONDS)
                if not connection.is_in_transaction():
                    self._hand_over(connection)
                    return
        except Exception:  # a connection that cannot be reset is closed below
            pass
        connection.terminate()
        if self._forget(connection):  # not after terminate(), which forgot every connection
            self._hand_over(None)

    # -------------------------------------------------------------------------------------------- closing

    async def expire_connections(self) -> None:
        """Replace every connection: idle ones now, those in use when they come back."""
        self._generation += 1
        while self._free:
            connection = self._free.pop()
            self._discard(connection)
            await connection.close()

    async def close(self) -> None:
        """Wait for every connection to come back, then close them all."""
        self._closing = True
        self._fail_waiters()
        while self._free:
            connection = self._free.pop()
            self._discard(connection)
            await connection.close()
        if self._size > 0:
            self._all_back = asyncio.Event()
            await self._all_back.wait()

    def terminate(self) -> None:
        """Close every connection at once, in use or not."""
        self._closing = True
        self._fail_waiters()
        for connection in list(self._born):
            connection.terminate()
            self._discard(connection)  # one in use, given back later, is no longer this pool's
        self._free.clear()
        self._check_all_back()

    def _fail_waiters(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(asyncpg.InterfaceError("the connection pool is closing"))

    def _check_all_back(self) -> None:
        if self._all_back is not None and self._size <= 0:
            self._all_back.set()


def _is_cancelling(connection: asyncpg.Connection) -> bool:
    # asyncpg's own pool asks the protocol the same (a query cancelled by a timeout is still being cancelled on the
    # server); the next query would wait for it, but a reset is the safer way back.
    protocol = getattr(connection, "_protocol", None)
    return protocol is not None and protocol._is_cancelling()


class LeanPoolClient(AsyncpgDBClient):
    """Tortoise's asyncpg client, on :class:`LeanPool`.

    ``execute_query`` (every ORM read, update and delete, and our own statements) is Tortoise's, less its layers:
    two wrapper coroutines, a context manager, a log call formatting nothing, and an upper-cased copy of the whole
    statement to see whether it starts with UPDATE (a submission's statement is 600 characters). Same results, same
    exceptions. Transactions keep Tortoise's own client (``_in_transaction`` is untouched).
    """

    async def create_pool(self, **kwargs: Any) -> LeanPool:  # type: ignore[override]
        kwargs.pop("loop", None)
        return await LeanPool(**kwargs).start()

    async def execute_query(self, query: str, values: list | None = None) -> tuple[int, list]:
        pool = self._pool
        if pool is None:  # not opened yet: Tortoise's way opens it
            return await super().execute_query(query, values)
        if self.log.isEnabledFor(logging.DEBUG):
            self.log.debug("%s: %s", query, values)
        connection = await pool.acquire()
        try:
            if query.lstrip()[:6].upper() in _COUNTED:
                status = await connection.execute(query, *values) if values else await connection.execute(query)
                try:
                    return int(status.split(" ")[1]), []
                except (AttributeError, IndexError, ValueError):
                    return 0, []
            rows = await connection.fetch(query, *values) if values else await connection.fetch(query)
            return len(rows), rows
        except (asyncpg.SyntaxOrAccessError, asyncpg.exceptions.DataError) as error:
            raise OperationalError(error) from error
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(error) from error
        except asyncpg.InvalidTransactionStateError as error:
            raise TransactionManagementError(error) from error
        finally:
            await pool.release(connection)


#: Statements whose outcome Tortoise reports as the number of rows they touched (its execute_query's rule).
_COUNTED = frozenset({"UPDATE", "DELETE", "INSERT"})


#: How Tortoise finds the client of an engine module.
client_class = LeanPoolClient
