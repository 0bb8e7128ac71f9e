"""The respondent's path through /s/<slug>: consent, pages, skip logic, validation, resume, replays, languages."""

from __future__ import annotations

import re

from consult.surveys.models import PageSubmission, Response, Survey
from tests.surveys.support import Respondent, hidden, open_survey


def _setup(client, **options):
    import functools

    survey = client.run(functools.partial(open_survey, **options))
    return survey, Respondent(client, survey.slug)


async def _responses():
    return await Response.all().order_by("id")


def test_consent_then_pages_then_done(client):
    survey, who = _setup(client)
    start = client.get(f"/s/{survey.slug}")
    assert start.status_code == 200
    assert "Before you start" in start.text and "Quick exit" in start.text
    assert who.start().status_code == 303
    page = who.page()
    assert 'name="a:country"' in page.text and "About you" in page.text
    assert who.submit({"country": "ua", "age": "30"}).status_code == 303
    assert who.submit({"unsafe": "yes", "places": ["home", "work"], "comment": " hello "}).status_code == 303
    finished = who.submit({"score": "3,5"})
    assert finished.headers["location"] == f"/s/{survey.slug}/done"
    [response] = client.run(_responses)
    assert response.status == "complete"
    assert response.answers == {"country": "ua", "age": 30, "unsafe": "yes", "places": ["home", "work"],
                                "comment": "hello", "score": 3.5}
    assert client.get(f"/s/{survey.slug}/done").status_code == 200


def test_declining_records_nothing(client):
    survey, who = _setup(client)
    declined = client.post_form(f"/s/{survey.slug}/start", {"consent": "no", "lang": "en"})
    assert declined.status_code == 200 and "Nothing has been recorded" in declined.text
    assert client.run(_responses) == []


def test_validation_messages_keep_what_was_entered(client):
    survey, who = _setup(client)
    who.start()
    bad = who.submit({"country": "xx", "age": "12"})
    assert bad.status_code == 422
    assert "Choose one of the options listed." in bad.text
    bad = who.submit({"country": "ua", "age": "12"})
    assert "Between 15 and 99" in bad.text and 'value="12"' in bad.text
    missing = who.submit({"country": "ua", "age": ""})
    assert "This question requires an answer." in missing.text
    assert who.submit({"country": "ua", "age": "abc"}).status_code == 422
    [response] = client.run(_responses)
    assert response.answers == {} and response.step == 0


def test_skip_logic_hides_and_clears(client):
    survey, who = _setup(client)
    who.start()
    who.submit({"country": "sy", "age": "40"})
    page = who.page().text
    assert 'name="a:places"' not in page  # relevant only when unsafe = yes
    more = who.submit({"unsafe": "yes"})
    assert re.search(r"/page\?more=1&v=\d+$", more.headers["location"])  # the same page again, with the revealed question
    page = client.get(more.headers["location"]).text
    assert 'name="a:places"' in page and "opened further questions" in page
    who.submit({"unsafe": "yes", "places": ["street"]}, html=page)
    back = who.submit({}, action="back")
    assert back.status_code == 303
    page = who.page().text
    assert 'value="street" checked' in page  # Back keeps answers
    who.submit({"unsafe": "no", "places": ["street"]})
    [response] = client.run(_responses)
    assert response.answers["places"] is None


def test_double_submission_is_applied_once(client):
    survey, who = _setup(client)
    who.start()
    html = who.page().text
    first = who.submit({"country": "ua", "age": "33"}, html=html)
    again = who.submit({"country": "ua", "age": "33"}, html=html)
    assert first.status_code == again.status_code == 303
    [response] = client.run(_responses)
    assert response.step == 1 and response.page == 1

    async def submissions():
        return await PageSubmission.filter(response_id=response.id).count()

    assert client.run(submissions) == 1
    # A replay of the last page after completion changes nothing either.
    who.submit({"unsafe": "no"})
    last = who.page().text
    who.submit({"score": "1"}, html=last)
    assert who.submit({"score": "1"}, html=last).headers["location"].endswith("/done")
    assert client.run(submissions) == 3


def test_tampered_hidden_fields_lose_nothing(client):
    survey, who = _setup(client)
    who.start()
    who.submit({"country": "ua", "age": "20"})
    for fields in ({"step": "x", "page": "0"}, {"step": "99", "page": "1"}, {"step": "1", "page": "7"},
                   {"step": "1", "page": "0"}):
        response = client.post_form(f"/s/{survey.slug}/page", {**fields, "action": "next", "a:country": "sy"})
        assert response.status_code == 400
        assert "could not be read" in response.text
    [stored] = client.run(_responses)
    assert stored.answers["country"] == "ua" and stored.page == 1


def test_resume_with_cookie_and_with_code(client):
    survey, who = _setup(client)
    who.start()
    who.submit({"country": "ua", "age": "25"})
    assert client.get(f"/s/{survey.slug}").headers["location"].endswith("/page")  # same device: the cookie
    code = client.run(_responses)[0].resume_code
    client.cookies.clear()  # another device
    assert client.get(f"/s/{survey.slug}/page").headers["location"] == f"/s/{survey.slug}"
    wrong = client.post_form(f"/s/{survey.slug}/resume", {"code": "AAAA-AAAA"})
    assert wrong.status_code == 404 and "No questionnaire in progress has this code" in wrong.text
    resumed = client.post_form(f"/s/{survey.slug}/resume", {"code": f"{code[:4]}-{code[4:].lower()}"})
    assert re.search(r"/page\?v=\d+$", resumed.headers["location"])
    page = client.get(f"/s/{survey.slug}/page").text
    assert 'name="a:unsafe"' in page


def test_language_switch_mid_survey_keeps_answers_and_lays_out_rtl(client):
    survey, who = _setup(client)
    who.start("en")
    who.submit({"country": "ua", "age": "25"})
    switched = who.submit({"unsafe": "yes"}, lang="ar")
    assert switched.status_code == 303
    page = who.page().text
    assert '<html lang="ar" dir="rtl">' in page
    assert "هل تشعرين بعدم الأمان؟" in page and 'value="yes" checked' in page
    back = who.submit({}, action="back", html=page)
    assert back.status_code == 303
    first = who.page().text
    assert 'value="25"' in first and 'value="ua" checked' in first
    [response] = client.run(_responses)
    assert response.language == "ar" and response.answers["unsafe"] == "yes"


def test_closed_and_draft_surveys(client):
    from consult.surveys import lifecycle

    survey, who = _setup(client)
    who.start()
    html = who.page().text
    client.run(lifecycle.set_status, survey, "closed")
    assert "is closed" in client.get(f"/s/{survey.slug}").text
    late = who.submit({"country": "ua", "age": "30"}, html=html)
    assert late.status_code == 410 and "The answers you gave before it closed are kept." in late.text

    async def draft():
        from consult.surveys.lifecycle import import_survey
        from tests.surveys.support import workbook

        return await import_survey(workbook())

    hidden_survey = client.run(draft)
    assert client.get(f"/s/{hidden_survey.slug}").status_code == 404


def test_discreet_survey_has_neutral_title_and_address(client):
    survey, who = _setup(client, discreet=True)
    assert "safety" not in survey.slug
    page = client.get(f"/s/{survey.slug}").text
    title = page.split("<title>")[1].split("</title>")[0]
    assert "Safety" not in title and "Consult" not in title


def test_no_address_or_user_agent_is_stored(client):
    survey, who = _setup(client)
    client.headers["user-agent"] = "UniqueAgent/9.9"
    who.start()
    who.submit({"country": "ua", "age": "30"})

    async def rows():
        from tortoise import Tortoise

        _, data = await Tortoise.get_connection("default").execute_query(
            "SELECT * FROM survey_responses")
        return [dict(r) for r in data]

    for row in client.run(rows):
        text = repr(row)
        assert "UniqueAgent" not in text and "testclient" not in text and "127.0.0.1" not in text
        assert not {"ip", "ip_address", "user_agent", "user_id", "account_id"} & set(row)


def test_invitation_links_are_single_use(client):
    from consult.surveys import responding

    survey, who = _setup(client)

    async def invite():
        fresh = await Survey.get(id=survey.id)
        fresh.access = "invitation"
        await fresh.save()
        return await responding.create_invitations(fresh, 2)

    tokens = client.run(invite)
    assert "personal invitation link" in client.get(f"/s/{survey.slug}").text
    assert "not valid" in client.get(f"/s/{survey.slug}?t=nope").text
    start = client.get(f"/s/{survey.slug}?t={tokens[0]}")
    assert hidden(start.text, "token") == tokens[0]
    assert who.start(token=tokens[0]).status_code == 303
    reused = client.post_form(f"/s/{survey.slug}/start", {"consent": "yes", "lang": "en", "token": tokens[0]})
    assert reused.status_code == 409 and "already been used" in reused.text

    async def linked():
        from consult.surveys.models import Invitation

        return [i.response_id for i in await Invitation.all()]

    assert client.run(linked) == [None, None]  # anonymous: not linked to the answers


def test_expired_invitation_and_translated_message(client):
    import datetime as dt

    from consult.surveys import responding
    from consult.surveys.models import Invitation

    survey, who = _setup(client)

    async def invite():
        [token] = await responding.create_invitations(await Survey.get(id=survey.id), 1, valid_days=1)
        await Invitation.all().update(expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1))
        return token

    token = client.run(invite)
    assert "has expired" in client.get(f"/s/{survey.slug}?t={token}").text
    refused = who.start(token=token)
    assert refused.status_code == 409 and "has expired" in refused.text
    assert client.run(_responses) == []
    arabic = client.get(f"/s/{survey.slug}?t={token}&lang=ar").text
    assert '<html lang="ar" dir="rtl">' in arabic and "has expired" not in arabic
