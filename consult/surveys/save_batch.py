"""Page saves written together on PostgreSQL: the saves that arrive while earlier ones are being written go to the
database as one statement (a group commit).

One save is one conditional update of a response and, for a page submitted with Next, one page-submission row
(:func:`consult.surveys.responding.save_page`). Written one statement each, PostgreSQL spent about three times our
own CPU on each (a statement to plan, a transaction to commit, a backend to wake): with two server processes on two
cores, the database, not the app, set the pace (``bench/http_speed.py``). Here, at most :data:`WRITERS` statements
are in flight per process; a save that arrives while they are busy waits for the next one, which carries every save
waiting by then (up to :data:`MOST`), each with its own conditions. Measured on this machine's PostgreSQL
(``bench/save_batch.py``): one save a statement took about 219 µs of the machine's CPU, eight a statement 59 µs each.
With little traffic each save is its own statement, written at once.

Each save keeps its own outcome: a row whose response moved on, changed its cookie key or whose survey closed is
not written, and the others in the statement are. Two saves of one response never share a statement (the second
waits for the next), so that "which one wins" stays the database's usual rule. A unique violation (which the
conditions make impossible unless rows were changed by hand) fails the whole statement: its saves are then written
one by one, so that only the offending one fails.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from consult.surveys.statement_queue import StatementQueue, fail

#: Statements in flight at once per server process (and database client). One: while it is written, the next
#: batch fills up. With two, batches were half as large and PostgreSQL spent 122–130 µs of CPU a submission at 16
#: connections instead of 72 (bench/http_speed.py, 2026-12-05: one worker 22–23 % of the ceiling at 16 connections
#: with two writers, 24–25 % with one; 26–27 % and 28–29 % at 64; two workers no worse).
WRITERS = 1
#: Saves in one statement at the most.
MOST = 64


@dataclass(slots=True)
class Save:
    """One response's save, its values as the database takes them (``None``: the column keeps its value)."""

    response_id: int
    step: int  # the step the response must still be at
    key_hash: str
    answers: str  # JSON text
    page: int
    updated_at: Any
    language: str | None = None
    status: str | None = None
    completed_at: Any = None
    submission: str | None = None  # the page submitted with Next, for its submission row
    outcome: asyncio.Future = field(default=None)  # type: ignore[assignment]


class SaveBatcher(StatementQueue[Save]):
    """The queue of saves waiting for a statement, and the writers that take them (one per database client)."""

    def __init__(self, database: BaseDBAsyncClient, open_status: str) -> None:
        super().__init__()
        self._database = database
        self._sql = _statement(open_status)
        self.statements = 0  # written so far (for tests)

    def in_flight(self) -> int:
        return WRITERS

    async def write(self, save: Save) -> bool:
        """Write ``save`` with whatever else is waiting; True when its conditions held and it was written."""
        save.outcome = asyncio.get_running_loop().create_future()
        return await self._enqueue(save)

    def _next_batch(self) -> list[Save]:
        batch: list[Save] = []
        taken: set[int] = set()
        later: list[Save] = []
        while self._waiting and len(batch) < MOST:
            save = self._waiting.popleft()
            if save.outcome.done():  # its request was cancelled before it was written
                continue
            if save.response_id in taken:
                later.append(save)
            else:
                taken.add(save.response_id)
                batch.append(save)
        self._waiting.extendleft(reversed(later))
        return batch

    async def _send(self, batch: list[Save]) -> None:
        await self._write(batch)

    async def _write(self, batch: list[Save]) -> None:
        self.statements += 1
        try:
            _count, rows = await self._database.execute_query(self._sql, _columns(batch))
        except IntegrityError:
            if len(batch) == 1:
                _settle(batch[0], exception=IntegrityError("the page submission row exists already"))
                return
            for save in batch:  # one by one: only the offending save fails
                await self._write([save])
            return
        except BaseException as error:  # the database is gone, the statement timed out: every request is told
            fail(batch, error)
            if not isinstance(error, Exception):
                raise
            return
        written = {row[0] for row in rows}
        for save in batch:
            _settle(save, result=save.response_id in written)


def _settle(save: Save, result: bool | None = None, exception: BaseException | None = None) -> None:
    if save.outcome.done():  # the request was cancelled meanwhile; the row is written or not all the same
        return
    if exception is not None:
        save.outcome.set_exception(exception)
    else:
        save.outcome.set_result(result)


def _columns(batch: list[Save]) -> list[list[Any]]:
    return [[getattr(save, name) for save in batch] for name in _NAMES]


_NAMES = ("response_id", "step", "key_hash", "answers", "page", "updated_at", "language", "status", "completed_at",
          "submission")


def _statement(open_status: str) -> str:
    """Every save of the batch as one row of ``unnest``; the update applies each row's own conditions, and the
    submission rows are inserted for the updated responses only."""
    return (
        "WITH batch AS (SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::int[], "
        "$6::timestamptz[], $7::text[], $8::text[], $9::timestamptz[], $10::text[]) AS b(response_id, step, "
        "key_hash, answers, page, updated_at, language, status, completed_at, submission)), "
        "updated AS (UPDATE survey_responses r SET answers = b.answers::json, page = b.page, step = b.step + 1, "
        "updated_at = b.updated_at, language = COALESCE(b.language, r.language), "
        "status = COALESCE(b.status, r.status), completed_at = COALESCE(b.completed_at, r.completed_at) "
        "FROM batch b WHERE r.id = b.response_id AND r.step = b.step AND r.key_hash = b.key_hash "
        f"AND EXISTS (SELECT 1 FROM surveys s WHERE s.id = r.survey_id AND s.status = '{open_status}') "
        "RETURNING r.id, b.step, b.submission, b.updated_at), "
        "submitted AS (INSERT INTO survey_page_submissions (response_id, step, page, created_at) "
        "SELECT id, step + 1, submission, updated_at FROM updated WHERE submission IS NOT NULL) "
        "SELECT id FROM updated"
    )


_batchers: weakref.WeakKeyDictionary[BaseDBAsyncClient, SaveBatcher] = weakref.WeakKeyDictionary()


def batcher(database: BaseDBAsyncClient, open_status: str) -> SaveBatcher:
    """The batcher of ``database`` (a Tortoise client: one per process and database)."""
    found = _batchers.get(database)
    if found is None:
        found = _batchers[database] = SaveBatcher(database, open_status)
    return found
