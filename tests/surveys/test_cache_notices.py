"""What one process tells the others about what they keep (consult/surveys/cache_notices.py, PostgreSQL's
LISTEN/NOTIFY): a response deleted by its respondent or moved to another device by its resume code, a survey
changed. The other process is played by a separate connection: its notices reach this app's listener, and this
app's announcements reach it."""

from __future__ import annotations

import time

import psycopg
import pytest
from tortoise import connections

from consult.surveys import cache_notices, response_cache
from consult.surveys.models import Response, Survey
from consult.surveys.responding import hash_token
from tests.surveys.support import Respondent, open_survey


@pytest.fixture
def on_postgres(client):
    if connections.get("default").capabilities.dialect != "postgres":
        pytest.skip("one process has the SQLite database: nothing to tell")
    return client


@pytest.fixture
def other_process(on_postgres):
    """A connection of "another server" on the same database, listening to the channel."""
    with psycopg.connect(on_postgres.app_settings.database_url, autocommit=True) as connection:
        connection.execute(f"LISTEN {cache_notices.CHANNEL}")
        yield connection


def heard_by(connection, seconds: float = 2.0) -> list[str]:
    return [notice.payload for notice in connection.notifies(timeout=seconds, stop_after=1)]


def wait_until(condition, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def _respondent(client):
    survey = client.run(open_survey)
    who = Respondent(client, survey.slug)
    who.start()
    who.page()
    return survey, who, hash_token(client.cookies[f"r{survey.id}"])


def test_a_response_another_process_announces_is_forgotten_here(on_postgres):
    client = on_postgres
    survey, who, key = _respondent(client)
    assert key in response_cache._responses
    with psycopg.connect(client.app_settings.database_url, autocommit=True) as elsewhere:
        elsewhere.execute("SELECT pg_notify(%s, %s)", (cache_notices.CHANNEL, f"r:{key}"))
    assert wait_until(lambda: key not in response_cache._responses)
    # A survey announced: its kept copy goes, and the next request reads it again.
    who.page()
    assert survey.id in response_cache._surveys
    with psycopg.connect(client.app_settings.database_url, autocommit=True) as elsewhere:
        elsewhere.execute("SELECT pg_notify(%s, %s)", (cache_notices.CHANNEL, f"s:{survey.id}"))
    assert wait_until(lambda: survey.id not in response_cache._surveys)
    cache_notices.heard("nonsense")  # anything else on the channel is ignored
    cache_notices.heard("s:not-a-number")


def test_deleting_her_answers_is_announced(on_postgres, other_process):
    client = on_postgres
    survey, who, key = _respondent(client)
    heard_by(other_process, 0.2)  # what starting announced (the survey created)
    assert client.post_form(f"/s/{survey.slug}/withdraw").status_code == 200
    assert heard_by(other_process) == [f"r:{key}"]


def test_resuming_on_another_device_announces_the_old_key(on_postgres, other_process):
    client = on_postgres
    survey, who, old_key = _respondent(client)
    heard_by(other_process, 0.2)
    code = client.run(lambda: Response.all().values_list("resume_code", flat=True))[0]
    client.cookies.clear()  # the other device
    assert client.post_form(f"/s/{survey.slug}/resume", {"code": code}).status_code == 303
    assert heard_by(other_process) == [f"r:{old_key}"]


def test_a_survey_saved_is_announced(on_postgres, other_process):
    client = on_postgres
    survey = client.run(open_survey)
    heard_by(other_process, 0.2)  # what creating it announced

    async def close():
        survey.status = "closed"
        await survey.save()

    client.run(close)
    assert heard_by(other_process) == [f"s:{survey.id}"]


def test_a_survey_changed_in_a_transaction_rolled_back_announces_nothing(on_postgres, other_process):
    from tortoise.transactions import in_transaction

    client = on_postgres
    survey = client.run(open_survey)
    heard_by(other_process, 0.2)

    async def change_then_fail():
        try:
            async with in_transaction():
                await Survey.filter(id=survey.id).update(status="closed")
                fetched = await Survey.get(id=survey.id)
                await fetched.save()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    client.run(change_then_fail)
    assert heard_by(other_process, 0.5) == []
