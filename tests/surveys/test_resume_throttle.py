"""Guessing resume codes is slowed down: per client, and per code prefix whoever asks; a translated 429."""

from __future__ import annotations

import html

import pytest

from consult.accounts import clock
from consult.surveys import resume_limits
from consult.surveys.models import Response
from tests.surveys.support import Respondent, open_survey


def _code(client):
    async def get():
        return (await Response.all().order_by("-id").first()).resume_code
    return client.run(get)


def test_one_client_guessing_is_stopped_then_let_again(client, fake_clock):
    survey = client.run(open_survey)
    Respondent(client, survey.slug).start()
    code = _code(client)
    client.cookies.clear()
    url = f"/s/{survey.slug}/resume"
    wrong = [f"{c}{c}AA-AAAA" for c in "BCDEFGHJKMNP"]
    for guess in wrong[:resume_limits.PER_CLIENT_LIMIT]:
        assert client.post_form(url, {"code": guess}).status_code == 404
    refused = client.post_form(url, {"code": code, "lang": "ar"})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "<html" in refused.text and 'lang="ar"' in refused.text  # a page in the survey's language
    assert "r%d" % survey.id not in refused.headers.get("set-cookie", "")
    english = client.post_form(url, {"code": code, "lang": "en"})
    assert english.status_code == 429 and "Too many wrong codes" in html.unescape(english.text)
    fake_clock.advance(minutes=16)
    resumed = client.post_form(url, {"code": code})
    assert resumed.status_code == 303 and "/page?v=" in resumed.headers["location"]


def test_many_clients_guessing_one_prefix_are_stopped(client, fake_clock, monkeypatch):
    survey = client.run(open_survey)
    Respondent(client, survey.slug).start()
    code = _code(client)
    client.cookies.clear()
    counter = iter(range(10_000))
    monkeypatch.setattr(resume_limits, "client_key", lambda request: f"client-{next(counter)}")
    url = f"/s/{survey.slug}/resume"
    prefix = code[:2]
    other = "A" if code[2] != "A" else "B"
    for _ in range(resume_limits.PER_PREFIX_LIMIT):
        assert client.post_form(url, {"code": f"{prefix}{other}AAAAA"}).status_code == 404
    assert client.post_form(url, {"code": code}).status_code == 429  # same prefix, a new client: refused
    different = ("B" if code[0] != "B" else "C") + code[1:]
    assert client.post_form(url, {"code": different}).status_code == 404  # another prefix is still looked up
    fake_clock.advance(minutes=16)
    assert client.post_form(url, {"code": code}).status_code == 303
