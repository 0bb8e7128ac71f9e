"""Saves arriving together (consult/surveys/save_batch.py on PostgreSQL, one transaction each on SQLite): each is
written or refused on its own conditions, whatever else shares its statement."""

from __future__ import annotations

import asyncio

from tortoise import connections

from consult.surveys import responding, save_batch, store
from consult.surveys.models import PageSubmission, Response, Survey
from tests.surveys.support import open_survey

ABOUT = {"country": "ua", "age": 30}


async def _started(survey: Survey, count: int) -> list[Response]:
    version, form = await store.current_form(survey)
    return [(await responding.start_response(survey, version, form, "en"))[0] for _ in range(count)]


def _about(row: Response) -> dict:
    """The answers of the first page as saved (the later questions are saved as unanswered)."""
    return {name: row.answers.get(name) for name in ABOUT}


def _statements() -> int:
    return save_batch.batcher(connections.get("default"), "open").statements


def test_saves_arriving_together_keep_their_own_outcomes(client):
    async def scenario():
        survey = await open_survey()
        closing = await open_survey()
        _version, form = await store.current_form(survey)
        plain = await _started(survey, 30)
        taken_over = await _started(survey, 4)
        twice = await _started(survey, 4)
        back = await _started(survey, 3)
        in_arabic = await _started(survey, 3)
        closed = await _started(closing, 4)
        # Another device took these over (a new cookie key); this survey was closed elsewhere.
        for response in taken_over:
            await Response.filter(id=response.id).update(key_hash=f"another device {response.id}")
        await Survey.filter(id=closing.id).update(status="closed")
        closing_form = (await store.current_form(closing))[1]

        def save(response, answers=ABOUT, move="next", language=None, with_form=form):
            return responding.save_page(response, with_form, 0, 0, answers, move=move, language=language)

        copies = [await Response.get(id=r.id) for r in twice]
        before = _statements()
        outcomes = await asyncio.gather(
            *(save(r) for r in plain), *(save(r) for r in taken_over),
            # The same page sent twice at once from two copies of one response (the step is the same).
            *(save(r) for r in twice), *(save(r) for r in copies),
            *(save(r, move="back") for r in back), *(save(r, language="ar", move="stay") for r in in_arabic),
            *(save(r, with_form=closing_form) for r in closed))
        statements = _statements() - before
        rows = {r.id: r for r in await Response.all()}
        submissions = [(s.response_id, s.step, s.page) for s in await PageSubmission.all()]
        return (plain, taken_over, twice, back, in_arabic, closed, outcomes, rows, submissions, statements,
                connections.get("default").capabilities.dialect)

    plain, taken_over, twice, back, in_arabic, closed, outcomes, rows, submissions, statements, dialect = (
        client.run(scenario))
    saved = iter(outcomes)
    for response in plain:
        assert next(saved).applied
        row = rows[response.id]
        assert (row.step, _about(row), row.page) == (1, ABOUT, 1)
        assert submissions.count((response.id, 1, "about")) == 1
    for response in taken_over:
        assert not next(saved).applied
        assert (rows[response.id].step, rows[response.id].answers) == (0, {})
    first_copies = [next(saved).applied for _ in twice]
    second_copies = [next(saved).applied for _ in twice]
    for response, first, second in zip(twice, first_copies, second_copies):
        assert first != second  # exactly one copy of the page was written
        assert rows[response.id].step == 1
        assert submissions.count((response.id, 1, "about")) == 1
    for response in back:
        assert next(saved).applied
        assert (rows[response.id].step, _about(rows[response.id])) == (1, ABOUT)
    for response in in_arabic:
        assert next(saved).applied
        assert (rows[response.id].step, rows[response.id].language, rows[response.id].page) == (1, "ar", 0)
    for response in closed:
        assert not next(saved).applied
        assert rows[response.id].step == 0
    # Only pages submitted with Next leave a submission row.
    assert {response_id for response_id, _, _ in submissions} == {r.id for r in plain + twice}
    if dialect == "postgres":  # written together: far fewer statements than saves
        assert 1 <= statements <= 10, statements


def test_a_unique_violation_fails_only_its_own_save(client):
    async def scenario():
        survey = await open_survey()
        _version, form = await store.current_form(survey)
        others = await _started(survey, 12)
        (spoilt,) = await _started(survey, 1)
        # A submission row at the step the save would take (only a change by hand can make one).
        await PageSubmission.create(response_id=spoilt.id, step=1, page="about", created_at=spoilt.created_at)
        outcomes = await asyncio.gather(
            *(responding.save_page(r, form, 0, 0, ABOUT, move="next") for r in [*others[:6], spoilt, *others[6:]]))
        rows = {r.id: r for r in await Response.all()}
        return others, spoilt, outcomes, rows

    others, spoilt, outcomes, rows = client.run(scenario)
    assert [saved.applied for saved in outcomes] == [True] * 6 + [False] + [True] * 6
    assert (rows[spoilt.id].step, rows[spoilt.id].answers) == (0, {})
    assert all(rows[r.id].step == 1 and _about(rows[r.id]) == ABOUT for r in others)


def test_the_last_page_completes_the_response_in_a_shared_statement(client):
    async def scenario():
        survey = await open_survey()
        _version, form = await store.current_form(survey)
        responses = await _started(survey, 6)
        last = len(form.pages) - 1
        for response in responses:
            await Response.filter(id=response.id).update(page=last)
            response.page = last
        outcomes = await asyncio.gather(
            *(responding.save_page(r, form, last, 0, {"score": 1.5}, move="next") for r in responses))
        return outcomes, [await Response.get(id=r.id) for r in responses]

    outcomes, rows = client.run(scenario)
    assert all(saved.applied and saved.complete for saved in outcomes)
    assert all(row.status == "complete" and row.completed_at is not None and row.step == 1 for row in rows)
