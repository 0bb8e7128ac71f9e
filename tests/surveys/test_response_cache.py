"""What a process keeps of a respondent's response between her requests (consult.surveys.response_cache).

It must save database round trips on the usual path (the page after a submission, the submission of the page
just shown) and never show or write anything a database read would not have: another server's changes are
simulated by writing to the database directly, as that server would, without going through this process.
"""

from __future__ import annotations

import re

import pytest

from consult.surveys import lifecycle, response_cache
from consult.surveys.models import PageSubmission, Response, Survey
from tests.surveys.support import Respondent, count_queries, hidden, open_survey, queries_of


def _setup(client):
    survey = client.run(open_survey)
    who = Respondent(client, survey.slug)
    who.start()
    return survey, who


def _postgres(client) -> bool:
    return client.app_settings.database_url.startswith("postgres")


async def _rows():
    return await Response.all().order_by("id")


async def _survey(survey_id: int) -> Survey:
    return await Survey.get(id=survey_id)


async def _submissions() -> int:
    return await PageSubmission.all().count()


def _step(location: str) -> int:
    match = re.search(r"[?&]v=(\d+)$", location)
    assert match, location
    return int(match.group(1))


def test_the_usual_path_saves_the_read(client):
    survey, who = _setup(client)
    first = who.page().text
    sent = count_queries(lambda: who.submit({"country": "ua", "age": "30"}, html=first))
    # From what the page left: PostgreSQL's one statement (survey open, update, submission row); on SQLite the
    # same three in a transaction.
    assert sent == (1 if _postgres(client) else 3)
    assert _step(who.location) == 1
    assert count_queries(who.page) == 0  # the page after the redirect

    response_cache.clear()  # a process that kept nothing reads the response first
    assert count_queries(who.page) == 1
    html = who.page().text
    response_cache.clear()
    assert count_queries(lambda: who.submit({"unsafe": "no"}, html=html)) == (2 if _postgres(client) else 4)


def test_a_page_kept_is_the_page_read(client):
    survey, who = _setup(client)
    who.submit({"country": "sy", "age": "41"})
    who.submit({"unsafe": "yes"})  # reveals "places" on the same page
    assert "more=1" in who.location
    kept = who.page().text
    response_cache.clear()
    read = who.page().text
    assert kept == read
    assert 'name="a:places"' in kept and 'value="yes" checked' in kept


def _moved_on_elsewhere(client, who) -> str:
    """Her next page saved by another server, while this one keeps her response at step 1; the step-1 page."""
    first = who.page().text
    who.submit({"country": "ua", "age": "30"}, html=first)
    second = who.page().text

    async def elsewhere():
        await Response.all().update(step=2, page=2, answers={"country": "ua", "age": 30, "unsafe": "no"})

    client.run(elsewhere)
    return second


def test_a_page_from_another_server_is_read(client):
    survey, who = _setup(client)
    _moved_on_elsewhere(client, who)
    # The address that server sent her to names step 2: this process's step-1 copy is not used.
    page = client.get(f"/s/{survey.slug}/page?v=2").text
    assert hidden(page, "step") == "2" and 'name="a:score"' in page


def test_a_kept_page_sent_after_another_server_saved_loses_nothing(client):
    survey, who = _setup(client)
    second = _moved_on_elsewhere(client, who)
    # The page she still had open, sent to this server with a change: the kept step-1 copy cannot be saved;
    # read again, the change is applied to where she is (as for any stale page), not lost.
    late = who.submit({"unsafe": "yes", "comment": "late"}, html=second)
    assert late.status_code == 303
    [row] = client.run(_rows)
    assert row.answers["comment"] == "late" and row.answers["unsafe"] == "yes" and row.step == 3


def test_a_survey_closed_elsewhere_refuses_a_kept_page(client):
    survey, who = _setup(client)
    first = who.page().text

    async def close_elsewhere():  # not through this process: no signal reaches its cache
        await Survey.filter(id=survey.id).update(status="closed")

    client.run(close_elsewhere)
    late = who.submit({"country": "ua", "age": "30"}, html=first)
    assert late.status_code == 410 and "is closed" in late.text
    [row] = client.run(_rows)
    assert row.step == 0 and row.answers == {} and client.run(_submissions) == 0


def test_a_survey_closed_here_is_seen_at_once(client):
    survey, who = _setup(client)
    who.page()
    client.run(lifecycle.set_status, client.run(_survey, survey.id), "closed")
    assert "is closed" in who.page().text


def test_survey_settings_from_elsewhere_arrive_within_seconds(client, monkeypatch):
    survey, who = _setup(client)
    who.page()

    async def close_elsewhere():
        await Survey.filter(id=survey.id).update(status="closed")

    client.run(close_elsewhere)
    now = response_cache._clock()
    monkeypatch.setattr(response_cache, "_clock", lambda: now + response_cache.SURVEY_SECONDS / 2)
    assert 'name="a:country"' in who.page().text  # still within the lag the module allows
    monkeypatch.setattr(response_cache, "_clock", lambda: now + response_cache.SURVEY_SECONDS + 0.1)
    assert "is closed" in who.page().text


def test_saves_from_kept_pages_do_not_keep_a_survey_fresh(client, monkeypatch):
    """A survey setting changed elsewhere reaches her pages within the seconds allowed even while she goes on
    from kept pages: a save does not start the kept survey's seconds again, only a read does."""
    survey, who = _setup(client)
    html = who.page().text
    assert "<title>Safety survey · Consult</title>" in html
    now = response_cache._clock()

    async def make_discreet_elsewhere():
        await Survey.filter(id=survey.id).update(discreet=True)

    client.run(make_discreet_elsewhere)
    monkeypatch.setattr(response_cache, "_clock", lambda: now + response_cache.SURVEY_SECONDS * 0.75)
    assert who.submit({"country": "ua", "age": "30"}, html=html).status_code == 303  # saved from the kept page
    monkeypatch.setattr(response_cache, "_clock", lambda: now + response_cache.SURVEY_SECONDS + 0.1)
    page = who.page().text
    assert 'name="a:unsafe"' in page and "<title>Questionnaire</title>" in page


def test_a_response_read_while_its_survey_is_kept_reads_the_response_alone(client):
    survey, who = _setup(client)
    who.page()
    response_cache.forget(client.run(_rows)[0].key_hash)  # her response is not kept; the survey still is
    queries = queries_of(who.page)
    assert 'name="a:country"' in who.page().text
    assert len(queries) == 1 and "JOIN" not in queries[0] and '"surveys"' not in queries[0], queries
    response_cache.clear()  # nothing kept: the response with its survey, in one query
    [query] = queries_of(who.page)
    assert "JOIN" in query


def test_another_device_took_over(client):
    survey, who = _setup(client)
    first = who.page().text

    async def taken_over():  # a resume with her code, on another server
        await Response.all().update(key_hash="0" * 64)

    client.run(taken_over)
    late = who.submit({"country": "ua", "age": "30"}, html=first)
    assert late.status_code == 303 and late.headers["location"] == f"/s/{survey.slug}"
    [row] = client.run(_rows)
    assert row.step == 0 and client.run(_submissions) == 0


def test_an_erased_response_is_not_written_again(client):
    survey, who = _setup(client)
    first = who.page().text

    async def erase():
        await Response.all().delete()

    client.run(erase)
    late = who.submit({"country": "ua", "age": "30"}, html=first)
    assert late.status_code == 303 and late.headers["location"] == f"/s/{survey.slug}"
    assert client.run(_rows) == [] and client.run(_submissions) == 0


def test_replays_and_stale_pages_behave_as_read(client):
    survey, who = _setup(client)
    first = who.page().text
    sent = who.submit({"country": "ua", "age": "30"}, html=first)
    again = who.submit({"country": "ua", "age": "30"}, html=first)  # the same page sent twice
    assert sent.status_code == again.status_code == 303
    [row] = client.run(_rows)
    assert row.step == 1 and client.run(_submissions) == 1


def test_what_a_request_changes_stays_with_it(client):
    survey, who = _setup(client)
    who.page()
    [row] = client.run(_rows)
    kept = response_cache.recall(row.key_hash, row.step)
    assert kept is not None
    kept.answers["country"] = "changed"
    kept.language = "xx"
    again = response_cache.recall(row.key_hash, row.step)
    assert again.answers.get("country") != "changed" and again.language == row.language


def test_entries_expire_and_are_bounded(client, monkeypatch):
    survey, who = _setup(client)
    who.page()
    [row] = client.run(_rows)
    now = response_cache._clock()
    assert response_cache.recall(row.key_hash, row.step) is not None
    assert response_cache.recall(row.key_hash, row.step + 1) is None  # another step: not this entry
    monkeypatch.setattr(response_cache, "_clock", lambda: now + response_cache.RESPONSE_SECONDS + 1)
    assert response_cache.recall(row.key_hash, row.step) is None
    assert response_cache.kept_responses() == 0

    monkeypatch.setattr(response_cache, "_clock", lambda: now)
    monkeypatch.setattr(response_cache, "MAX_RESPONSES", 2)
    survey_row = client.run(_survey, survey.id)
    for n in range(3):
        copy = Response(**{**{k: getattr(row, k) for k in ("survey_id", "version_id", "language", "page", "step",
                                                             "answers")}, "id": 1000 + n, "key_hash": f"{n:064d}"})
        response_cache.remember(copy, survey_row)
    assert response_cache.kept_responses() == 2
    assert response_cache.recall(f"{0:064d}", row.step) is None  # the least recently used went
    assert response_cache.recall(f"{2:064d}", row.step) is not None


@pytest.mark.parametrize("path", ["/page?v=abc", "/page?v=-1", "/page?v=99999999999999999999", "/page?v="])
def test_a_damaged_step_reads_the_database(client, path):
    survey, who = _setup(client)
    page = client.get(f"/s/{survey.slug}{path}")
    assert page.status_code == 200 and hidden(page.text, "step") == "0"
