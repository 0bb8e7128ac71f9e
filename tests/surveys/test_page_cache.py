"""A respondent's page comes from the app's page cache when another respondent saw the same page: it must be the
very page a fresh rendering gives, whatever was answered, in every language, gzip-compressed or not."""

from __future__ import annotations

import functools

from consult import pagecache
from consult.surveys import lifecycle
from tests.surveys.support import Respondent, hidden, open_survey
from tests.surveys.xlsforms import xlsform


def _fresh(client, path: str):
    """The page rendered without the cache (a cache that keeps nothing), then the cache put back."""
    app = client.app
    kept = app.state.page_cache
    app.state.page_cache = pagecache.PageCache(max_entries=0)
    try:
        return client.get(path)
    finally:
        app.state.page_cache = kept


def _same_as_fresh(client, slug: str, path: str | None = None) -> str:
    path = path or f"/s/{slug}/page"
    cached, fresh = client.get(path), _fresh(client, path)
    assert cached.status_code == fresh.status_code == 200
    assert cached.text == fresh.text
    return cached.text


def test_cached_pages_are_the_pages_rendered_afresh(client):
    survey = client.run(open_survey)
    slug = survey.slug
    for lang, country in (("en", "ua"), ("en", "sy"), ("ar", "ua")):
        client.cookies.clear()
        consent = _same_as_fresh(client, slug, f"/s/{slug}?lang={lang}")
        assert hidden(consent, "csrf_token") == client.csrf_token()
        who = Respondent(client, slug)
        who.start(lang=lang)
        first = _same_as_fresh(client, slug)
        assert 'value="30"' not in first
        who.submit({"country": country, "age": "30"}, html=first)
        second = _same_as_fresh(client, slug)
        assert 'name="a:places"' not in second  # shown only after "unsafe = yes"
        who.submit({"unsafe": "yes"}, html=second)  # reveals "places" on the same page
        revealed = _same_as_fresh(client, slug)
        assert 'name="a:places"' in revealed and 'value="yes" checked' in revealed
        who.submit({"unsafe": "yes", "places": ["home"]}, html=revealed)
        third = _same_as_fresh(client, slug)
        who.submit({}, action="back", html=third)
        back = _same_as_fresh(client, slug)
        assert 'value="home" checked' in back and hidden(back, "step") != hidden(second, "step")
        who.submit({}, action="back", html=back)
        again = _same_as_fresh(client, slug)
        assert 'value="30"' in again and f'value="{country}" checked' in again  # not the empty page 1 cached above
        assert hidden(again, "csrf_token") == client.csrf_token()
    assert len(client.app.state.page_cache) > 0


def test_the_cache_never_holds_an_answer(client):
    survey = client.run(open_survey)
    who = Respondent(client, survey.slug)
    who.start()
    who.submit({"country": "sy", "age": "47"})
    who.submit({"unsafe": "no", "comment": "my neighbour Layla"})
    back = who.submit({}, action="back", html=who.page().text)
    assert back.status_code == 303
    shown = _same_as_fresh(client, survey.slug)
    assert "my neighbour Layla" in shown  # her answer is on the page she came back to...
    held = b"".join(piece for page in client.app.state.page_cache._pages.values() for piece in page.pieces)
    assert b"Layla" not in held and b'value="47"' not in held and b'value="sy" checked' not in held  # ...not in the cache
    assert b"Anything else?" in held  # (the cache does hold the form's own pages)


def test_two_respondents_share_a_page_but_not_their_values(client):
    survey = client.run(open_survey)
    pages = []
    for _ in range(2):
        client.cookies.clear()
        who = Respondent(client, survey.slug)
        who.start()
        pages.append(who.page().text)
    survey_pages = [key for key in client.app.state.page_cache._pages if key[0] == "surveys/page.html"]
    assert len(survey_pages) == 1  # the second respondent's first page came from the cache
    codes = [page.split('class="code">')[1].split("<")[0] for page in pages]
    tokens = [hidden(page, "csrf_token") for page in pages]
    assert codes[0] != codes[1] and tokens[0] != tokens[1]
    assert pages[1] == pages[0].replace(codes[0], codes[1]).replace(tokens[0], tokens[1])


def test_gzip_only_for_browsers_that_accept_it(client):
    survey = client.run(open_survey)
    Respondent(client, survey.slug).start()
    path = f"/s/{survey.slug}/page"
    compressed = client.get(path, headers={"accept-encoding": "gzip"})
    assert compressed.headers["content-encoding"] == "gzip" and "accept-encoding" in compressed.headers["vary"].lower()
    assert "About you" in compressed.text  # httpx read the gzip body
    plain = client.get(path, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == compressed.text
    assert [v.strip().lower() for v in plain.headers["vary"].split(",")] == ["accept-encoding"]
    assert [v.strip().lower() for v in compressed.headers["vary"].split(",")] == ["accept-encoding"]
    assert plain.content.startswith(b"<!doctype html>")


async def _greeting_survey():
    survey = [["type", "name", "label::English (en)", "relevant"],
              ["begin group", "one", "One", ""],
              ["text", "name", "Your name", ""],
              ["end group", "", "", ""],
              ["begin group", "two", "Hello ${name}", ""],
              ["select_one yes_no", "ok", "Is ${name} how we should call you?", ""],
              ["end group", "", "", ""]]
    choices = [["list_name", "name", "label::English (en)"], ["yes_no", "yes", "Yes, ${name}"], ["yes_no", "no", "No"]]
    settings = [["form_title", "form_id", "default_language"], ["Greeting", "greeting", "en"]]
    return await lifecycle.import_survey(xlsform(survey, choices, settings), open_now=True)


def test_labels_show_the_answers_they_name(client):
    survey = client.run(_greeting_survey)
    for name in ("Amina", "<b>Noor</b>"):
        client.cookies.clear()
        who = Respondent(client, survey.slug)
        who.start()
        who.submit({"name": name})
        page = _same_as_fresh(client, survey.slug)
        shown = name.replace("<", "&lt;").replace(">", "&gt;")
        assert f"Hello {shown}" in page and f"Is {shown} how we should call you?" in page
        assert f"Yes, {shown}" in page and "${name}" not in page


def test_a_page_with_a_notice_is_not_cached(client):
    survey = client.run(functools.partial(open_survey))
    who = Respondent(client, survey.slug)
    who.start()
    who.submit({"country": "ua", "age": "30"})
    before = len(client.app.state.page_cache)
    notice = client.get(f"/s/{survey.slug}/page?more=1")
    assert "opened further questions" in notice.text
    assert len(client.app.state.page_cache) == before
    assert "opened further questions" not in client.get(f"/s/{survey.slug}/page").text


async def _filtered_survey():
    survey = [["type", "name", "label::English (en)", "choice_filter"],
              ["begin group", "one", "One", ""],
              ["select_one country", "country", "Country", ""],
              ["end group", "", "", ""],
              ["begin group", "two", "Two", ""],
              ["select_one region", "region", "Region", "country = ${country}"],
              ["end group", "", "", ""]]
    choices = [["list_name", "name", "label::English (en)", "country"],
               ["country", "ua", "Ukraine", ""], ["country", "ml", "Mali", ""],
               ["region", "kyiv", "Kyiv", "ua"], ["region", "lviv", "Lviv", "ua"], ["region", "gao", "Gao", "ml"]]
    settings = [["form_title", "form_id", "default_language"], ["Regions", "regions", "en"]]
    return await lifecycle.import_survey(xlsform(survey, choices, settings), open_now=True)


def test_a_page_whose_choices_follow_earlier_answers_is_cached_apart(client):
    survey = client.run(_filtered_survey)
    for country, shown, hidden_region in (("ua", "Kyiv", "Gao"), ("ml", "Gao", "Kyiv"), ("ua", "Lviv", "Gao")):
        client.cookies.clear()
        who = Respondent(client, survey.slug)
        who.start()
        who.submit({"country": country})
        page = _same_as_fresh(client, survey.slug)
        assert shown in page and hidden_region not in page
    survey_pages = [key for key in client.app.state.page_cache._pages if key[0] == "surveys/page.html"]
    assert len(survey_pages) == 3  # page one, and page two once per country
