"""Respondents' responses read together on PostgreSQL: the reads that arrive while one is in flight go to the
database as one statement.

Every respondent request starts with her response. When this process has not kept it (another server or worker
served her last request, or a restart), it is read by the hash of her cookie secret
(:func:`consult.surveys.responding.response_for_cookie`). One statement a read cost PostgreSQL about 30–40 µs of CPU
and our process about as much again, almost all of it the round trip itself, not the row
(``bench/pg_statement_cpu.py``, ``bench/http_speed.py``'s "read" targets). Here, at most :data:`READERS` statements
are in flight per process; a read that arrives meanwhile waits for the next one, which carries every read waiting by
then (up to :data:`MOST`), as rows of ``unnest``. With little traffic each read is its own statement, sent at once.

A read in a statement that fails (the database went away, a timeout) gets that failure, as it would alone. A
request cancelled while it waits takes nothing from the others.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from consult.surveys.statement_queue import StatementQueue, fail

#: Statements in flight at once per server process (and database client): while one is read, the next fills up.
READERS = 1
#: Reads in one statement at the most.
MOST = 64


@dataclass(slots=True)
class Read:
    key_hash: str
    survey_id: int
    outcome: asyncio.Future


class ReadBatcher(StatementQueue[Read]):
    """The reads waiting for a statement, and the reader that takes them (one batcher per database client)."""

    def __init__(self, database: BaseDBAsyncClient, columns: tuple[str, ...]) -> None:
        super().__init__()
        self._database = database
        self.columns = columns
        self._sql = _statement(columns)
        self._key, self._survey = columns.index("key_hash"), columns.index("survey_id")
        self.statements = 0  # sent so far (for tests)

    def in_flight(self) -> int:
        return READERS

    async def read(self, key_hash: str, survey_id: int) -> tuple[Any, ...] | None:
        """The response row (in ``columns`` order) of ``key_hash`` in survey ``survey_id``, or None."""
        return await self._enqueue(Read(key_hash, survey_id, asyncio.get_running_loop().create_future()))

    def _next_batch(self) -> list[Read]:
        batch: list[Read] = []
        while self._waiting and len(batch) < MOST:
            read = self._waiting.popleft()
            if not read.outcome.done():  # else its request was cancelled while it waited
                batch.append(read)
        return batch

    async def _send(self, batch: list[Read]) -> None:
        self.statements += 1
        try:
            _count, rows = await self._database.execute_query(self._sql, [[read.key_hash for read in batch]])
        except BaseException as error:  # every request of the statement is told, as it would be alone
            fail(batch, error)
            if not isinstance(error, Exception):
                raise
            return
        found: dict[tuple[str, int], tuple[Any, ...]] = {}
        for row in rows:
            values = tuple(row)
            found[(values[self._key], values[self._survey])] = values
        for read in batch:
            if not read.outcome.done():
                read.outcome.set_result(found.get((read.key_hash, read.survey_id)))


def _statement(columns: tuple[str, ...]) -> str:
    """The rows of the keys asked for (the unique index on the key finds each); a row whose survey is not the one
    its read named is matched to no read, as ``AND survey_id = …`` would leave it out."""
    selected = ", ".join(f'"{column}"' for column in columns)
    return f'SELECT {selected} FROM "survey_responses" WHERE "key_hash" = ANY($1::text[])'


_batchers: weakref.WeakKeyDictionary[BaseDBAsyncClient, ReadBatcher] = weakref.WeakKeyDictionary()


def batcher(database: BaseDBAsyncClient, columns: tuple[str, ...]) -> ReadBatcher:
    """The batcher of ``database`` (a Tortoise client: one per process and database)."""
    found = _batchers.get(database)
    if found is None or found.columns != columns:
        found = _batchers[database] = ReadBatcher(database, columns)
    return found
