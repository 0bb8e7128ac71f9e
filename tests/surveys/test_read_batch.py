"""Reads of responses arriving together (consult/surveys/read_batch.py, PostgreSQL): each gets its own row, or
none, whatever else shares its statement; a failed statement fails each of its reads."""

from __future__ import annotations

import asyncio

import pytest
from tortoise import connections

from consult.surveys import read_batch, responding, response_cache, store
from consult.surveys.models import Response
from tests.surveys.support import open_survey


@pytest.fixture
def on_postgres(client):
    if connections.get("default").capabilities.dialect != "postgres":
        pytest.skip("reads are batched on PostgreSQL only (SQLite reads in process)")
    return client


def test_reads_arriving_together_each_get_their_own_row(on_postgres):
    client = on_postgres

    async def scenario():
        survey, other = await open_survey(), await open_survey()
        version, form = await store.current_form(survey)
        secrets = [(await responding.start_response(survey, version, form, "en"))[1] for _ in range(40)]
        other_version, other_form = await store.current_form(other)
        elsewhere = (await responding.start_response(other, other_version, other_form, "en"))[1]
        response_cache.clear()
        for kept in (survey, other):
            response_cache.remember_survey(kept)  # the surveys kept: each read is of the response alone
        # The batcher response_for_cookie uses: the response's columns, as its statement names them.
        batcher = read_batch.batcher(connections.get("default"), tuple(sorted(Response._meta.db_fields)))
        before = batcher.statements
        found = await asyncio.gather(
            *(responding.response_for_cookie(secret, survey_id=survey.id) for secret in secrets),
            responding.response_for_cookie("no such secret", survey_id=survey.id),
            # Her cookie, read as if for the other survey: not hers there.
            responding.response_for_cookie(elsewhere, survey_id=survey.id),
            responding.response_for_cookie(secrets[0], survey_id=survey.id),  # the same one twice at once
        )
        return survey, secrets, found, batcher.statements - before

    survey, secrets, found, statements = client.run(scenario)
    assert [r.key_hash for r in found[:40]] == [responding.hash_token(s) for s in secrets]
    assert all(r.survey_id == survey.id and r.survey.id == survey.id for r in found[:40])
    assert found[40] is None and found[41] is None
    assert found[42].id == found[0].id
    assert 1 <= statements < 10, statements  # 43 reads, a few statements


def test_a_failed_statement_fails_each_of_its_reads_and_the_next_ones_go_on(on_postgres):
    client = on_postgres

    class Broken:
        """A database client whose statement fails, as when the server went away."""

        async def execute_query(self, sql, values):
            await asyncio.sleep(0.01)
            raise ConnectionError("the database went away")

    async def scenario():
        batcher = read_batch.ReadBatcher(Broken(), ("id", "key_hash", "survey_id"))
        outcomes = await asyncio.gather(*(batcher.read(f"k{i}", 1) for i in range(5)), return_exceptions=True)
        again = await asyncio.gather(batcher.read("k9", 1), return_exceptions=True)
        return outcomes, again

    outcomes, again = client.run(scenario)
    assert all(isinstance(o, ConnectionError) for o in outcomes + again)


def test_a_cancelled_read_takes_nothing_from_the_others(on_postgres):
    client = on_postgres

    async def scenario():
        survey = await open_survey()
        version, form = await store.current_form(survey)
        secret = (await responding.start_response(survey, version, form, "en"))[1]
        columns = tuple(sorted(Response._meta.db_fields))
        batcher = read_batch.ReadBatcher(connections.get("default"), columns)
        first = asyncio.ensure_future(batcher.read(responding.hash_token(secret), survey.id))
        cancelled = asyncio.ensure_future(batcher.read(responding.hash_token(secret), survey.id))
        last = asyncio.ensure_future(batcher.read(responding.hash_token(secret), survey.id))
        await asyncio.sleep(0)
        cancelled.cancel()
        rows = await asyncio.gather(first, last)
        return rows, cancelled.cancelled(), columns.index("id")

    rows, was_cancelled, id_at = client.run(scenario)
    assert was_cancelled and rows[0] is not None and rows[0][id_at] == rows[1][id_at]


def test_reads_arriving_while_one_is_in_flight_wait_and_go_together(on_postgres):
    client = on_postgres

    class Held:
        """The real database, whose first statement is held until the test lets it go: the reads that arrive
        meanwhile are certainly waiting (the round trip alone could be over before they arrive)."""

        def __init__(self, database):
            self._database, self.let_go, self.held = database, asyncio.Event(), asyncio.Event()

        async def execute_query(self, sql, values):
            if not self.held.is_set():
                self.held.set()
                await self.let_go.wait()
            return await self._database.execute_query(sql, values)

    async def scenario():
        survey = await open_survey()
        version, form = await store.current_form(survey)
        keys = [responding.hash_token((await responding.start_response(survey, version, form, "en"))[1])
                for _ in range(11)]
        database = Held(connections.get("default"))
        batcher = read_batch.ReadBatcher(database, tuple(sorted(Response._meta.db_fields)))
        reads = [asyncio.ensure_future(batcher.read(keys[0], survey.id))]
        await database.held.wait()  # the first statement is on its way
        for key in keys[1:]:  # one at a time, each a moment later
            reads.append(asyncio.ensure_future(batcher.read(key, survey.id)))
            await asyncio.sleep(0)
        database.let_go.set()
        rows = await asyncio.gather(*reads)
        return rows, batcher.statements, keys, batcher.columns.index("key_hash")

    rows, statements, keys, key_at = client.run(scenario)
    assert [row[key_at] for row in rows] == keys
    assert statements == 2, statements  # the first alone, the ten that came meanwhile together
