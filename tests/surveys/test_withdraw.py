"""A respondent deletes her answers (/s/<slug>/withdraw): asked first, then the row, its page submissions and her
cookie go; a resume code no longer finds it; a response of another device is not hers to delete."""

from __future__ import annotations

import functools

from consult.surveys import response_cache
from consult.surveys.responding import hash_token
from consult.surveys.models import PageSubmission, Response
from tests.surveys.support import Respondent, open_survey


def _setup(client):
    survey = client.run(open_survey)
    return survey, Respondent(client, survey.slug)


async def _counts():
    return await Response.all().count(), await PageSubmission.all().count()


def test_she_deletes_her_answers_in_the_middle_of_the_survey(client):
    survey, who = _setup(client)
    who.start()
    assert who.submit({"country": "ua", "age": "30"}).status_code == 303
    page = who.page()
    assert f'href="/s/{survey.slug}/withdraw"' in page.text
    code = client.run(lambda: Response.all().values_list("resume_code", flat=True))[0]
    key_hash = hash_token(client.cookies[f"r{survey.id}"])
    assert key_hash in response_cache._responses  # this process keeps her response between requests
    assert client.run(_counts) == (1, 1)

    asked = client.get(f"/s/{survey.slug}/withdraw")
    assert asked.status_code == 200 and "cannot be recovered" in asked.text and "Quick exit" in asked.text
    assert client.run(_counts) == (1, 1)  # asking changes nothing

    done = client.post_form(f"/s/{survey.slug}/withdraw")
    assert done.status_code == 200 and "Your answers have been deleted" in done.text
    cleared = [h for h in done.headers.get_list("set-cookie") if h.startswith(f"r{survey.id}=")]
    assert cleared and "max-age=0" in cleared[0].lower() and f"path=/s/{survey.slug}" in cleared[0].lower()
    assert client.run(_counts) == (0, 0)
    assert key_hash not in response_cache._responses  # nor is it kept here any more

    # Nothing of hers is left to find: not by this browser, not by her resume code.
    assert client.get(f"/s/{survey.slug}/page").headers["location"] == f"/s/{survey.slug}"
    resumed = client.post_form(f"/s/{survey.slug}/resume", {"code": code})
    assert resumed.status_code != 303
    assert client.post_form(f"/s/{survey.slug}/withdraw").status_code == 200  # again: nothing to delete, no error


def test_a_completed_response_can_be_deleted_from_the_thank_you_page(client):
    survey, who = _setup(client)
    who.start()
    who.submit({"country": "ua", "age": "30"})
    who.submit({"unsafe": "no"})
    assert who.submit({"score": "3"}).headers["location"] == f"/s/{survey.slug}/done"
    thanks = client.get(f"/s/{survey.slug}/done")
    assert f'href="/s/{survey.slug}/withdraw"' in thanks.text
    assert client.post_form(f"/s/{survey.slug}/withdraw").status_code == 200
    assert client.run(_counts) == (0, 0)


def test_only_the_device_that_holds_the_response_deletes_it(client):
    survey, who = _setup(client)
    who.start()
    who.submit({"country": "ua", "age": "30"})
    client.cookies.clear()
    refused_without_token = client.post(f"/s/{survey.slug}/withdraw")
    assert refused_without_token.status_code == 403  # a form from another site (CSRF) deletes nothing
    nothing = client.post_form(f"/s/{survey.slug}/withdraw")
    assert nothing.status_code == 200 and "There is no questionnaire in progress" in nothing.text
    assert client.run(_counts) == (1, 1)
    assert client.get(f"/s/{survey.slug}/withdraw").status_code == 200


def test_a_response_taken_over_by_another_device_is_not_deleted_by_the_old_one(client):
    from consult.surveys.responding import erase_response

    survey, who = _setup(client)
    who.start()
    response = client.run(lambda: Response.all().first())

    async def taken_over():
        await Response.filter(id=response.id).update(key_hash="0" * 64)  # a resume on another device

    client.run(taken_over)
    assert client.run(functools.partial(erase_response, response)) is False
    assert client.run(_counts)[0] == 1
