"""Languages: negotiation, the switcher, right-to-left pages, Babel formatting, and no mixing between requests."""

from __future__ import annotations

import asyncio
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from consult import formatting, i18n

ALL = i18n.SUPPORTED


@pytest.mark.parametrize(
    "header, expected",
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("ar", "ar"),
        ("uk-UA", "uk"),
        ("fa-AF", "fa"),
        ("prs", "fa"),  # Dari
        ("de-DE,uk;q=0.5", "uk"),
        ("de, es", "en"),
        ("fr;q=0, ar;q=0.1", "ar"),
        ("", "en"),
        ("*", "en"),
        ("garbage;;;q=x,,", "en"),
    ],
)
def test_accept_language_negotiation(header, expected):
    assert i18n.negotiate(ALL, accept_language=header) == expected


def test_choice_beats_account_beats_browser():
    assert i18n.negotiate(ALL, chosen="uk", account="fr", accept_language="ar") == "uk"
    assert i18n.negotiate(ALL, chosen=None, account="fr", accept_language="ar") == "fr"
    assert i18n.negotiate(ALL, chosen="xx", account=None, accept_language="ar") == "ar"


def test_home_page_in_the_browser_language(client):
    response = client.get("/", headers={"accept-language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr" dir="ltr">' in response.text
    assert "Les quatre objectifs stratégiques" in response.text


@pytest.mark.parametrize("code", ["ar", "fa"])
def test_right_to_left_languages(client, code):
    response = client.get("/", headers={"accept-language": code})
    assert f'<html lang="{code}" dir="rtl">' in response.text


def test_language_switcher_is_on_every_page_and_remembered(client):
    page = client.get("/", headers={"accept-language": "en"}).text
    for code in ALL:
        assert f'href="/language/{code}?next=%2F"' in page
    response = client.get("/language/uk?next=/healthz")
    assert response.status_code == 303
    assert response.headers["location"] == "/healthz"
    assert "lang=uk" in response.headers["set-cookie"]
    # The cookie now wins over the browser's preference.
    assert '<html lang="uk"' in client.get("/", headers={"accept-language": "fr"}).text


def test_language_switcher_refuses_other_sites_and_unknown_languages(client):
    assert client.get("/language/fr?next=https://evil.example/").headers["location"] == "/"
    assert client.get("/language/fr?next=//evil.example/").headers["location"] == "/"
    assert client.get("/language/de?next=/").status_code == 404


def test_babel_formats_in_the_current_locale():
    day = dt.date(2026, 3, 8)
    with i18n.using_locale("fr"):
        assert formatting.format_date(day, "long") == "8 mars 2026"
        assert formatting.format_number(1234567.891, 1) == "1\u202f234\u202f567,9"
        assert formatting.format_percent(0.256) == "26\u00a0%"
    with i18n.using_locale("ar"):
        assert formatting.format_percent(0.5) == "50%"
    with i18n.using_locale("en"):
        assert formatting.format_date(day, "long") == "March 8, 2026"
        assert formatting.format_number(1234567.891, 1) == "1,234,567.9"


def test_gettext_with_placeholders_and_plurals():
    with i18n.using_locale("fr"):
        assert i18n.gettext("Error %(code)s", code=404) == "Erreur 404"
    with i18n.using_locale("en"):
        assert i18n.gettext("Error %(code)s", code=404) == "Error 404"


def test_lazy_strings_follow_the_current_locale():
    text = i18n.lazy_gettext("Page not found")
    with i18n.using_locale("fr"):
        assert str(text) == "Page introuvable"
    with i18n.using_locale("en"):
        assert str(text) == "Page not found"


def test_concurrent_requests_in_different_languages_never_mix(app, client):
    """Two requests interleave inside the app (each waits for the other to start); each keeps its language."""
    started = {"fr": asyncio.Event(), "ar": asyncio.Event()}

    async def probe(request):
        mine = i18n.current_code()
        other = "ar" if mine == "fr" else "fr"
        started[mine].set()
        await asyncio.wait_for(started[other].wait(), timeout=5)
        await asyncio.sleep(0.01)
        return PlainTextResponse(f"{mine}|{i18n.current_code()}|{i18n.gettext('Page not found')}")

    app.router.routes.append(Route("/probe", probe))
    with ThreadPoolExecutor(max_workers=2) as pool:
        french = pool.submit(client.get, "/probe", headers={"accept-language": "fr"})
        arabic = pool.submit(client.get, "/probe", headers={"accept-language": "ar"})
        fr_text, ar_text = french.result(timeout=10).text, arabic.result(timeout=10).text
    assert fr_text == "fr|fr|Page introuvable"
    assert ar_text.startswith("ar|ar|") and "Page not found" not in ar_text
    # And nothing leaked out of the requests into this thread's context.
    assert i18n.current_code() == "en"
