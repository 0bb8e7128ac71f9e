"""The middleware layers on their own: headers added once and a view's own header winning, the cookies parsed once,
the language remembered, the CSRF cookie's shape."""

from __future__ import annotations

import asyncio
import re

import pytest
from starlette.responses import PlainTextResponse, Response
from starlette.testclient import TestClient

from consult.middleware import csrf, locale
from consult.middleware.cookies import request_cookies
from consult.middleware.security_headers import (CONTENT_SECURITY_POLICY, HSTS, MutableHeaders,
                                                 SecurityHeadersMiddleware, apply_security_headers)


def _headers_of(response: Response, https: bool = False) -> list[tuple[str, str]]:
    async def app(scope, receive, send):
        await response(scope, receive, send)

    client = TestClient(SecurityHeadersMiddleware(app, https=https))
    return client.get("/").headers.items()


def test_a_views_own_cache_control_and_policy_win():
    response = PlainTextResponse("x", headers={"Cache-Control": "public, max-age=60",
                                               "Content-Security-Policy": "default-src 'none'"})
    headers = _headers_of(response)
    assert [v for k, v in headers if k == "cache-control"] == ["public, max-age=60"]
    assert [v for k, v in headers if k == "content-security-policy"] == ["default-src 'none'"]
    assert [v for k, v in headers if k == "x-content-type-options"] == ["nosniff"]


def test_every_security_header_once_and_no_store_by_default():
    headers = _headers_of(PlainTextResponse("x"))
    names = [k for k, _ in headers]
    assert len(names) == len(set(names))
    assert dict(headers)["cache-control"] == "no-store"
    assert dict(headers)["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "strict-transport-security" not in dict(headers)
    assert dict(_headers_of(PlainTextResponse("x"), https=True))["strict-transport-security"] == HSTS


def test_apply_security_headers_keeps_the_setdefault_meaning():
    headers = MutableHeaders({"cache-control": "private"})
    apply_security_headers(headers, https=True)
    assert headers.getlist("cache-control") == ["private"]
    assert headers["strict-transport-security"] == HSTS


def test_the_cookie_header_is_parsed_once_for_every_layer(monkeypatch):
    calls = []
    real = request_cookies.__globals__["cookie_parser"]
    monkeypatch.setitem(request_cookies.__globals__, "cookie_parser", lambda text: calls.append(text) or real(text))
    from consult.accounts.middleware import AuthMiddleware
    from consult.settings import Settings

    seen = {}

    async def view(scope, receive, send):
        seen.update(language=scope["state"]["language"], csrf=scope["csrf_cookie"], cookies=scope["cookies"])
        await PlainTextResponse("ok")(scope, receive, send)

    app = AuthMiddleware(locale.LocaleMiddleware(csrf.CSRFMiddleware(view, secret_key="k" * 40),
                                                 languages=("en", "fr")),
                         settings=Settings(env="test", secret_key="k" * 40))
    token = "a" * 43
    response = TestClient(app).get("/", headers={"cookie": f"csrf={token}; lang=fr; r1=x",
                                                 "accept-language": "en-US,en;q=0.9"})
    assert response.status_code == 200
    assert "set-cookie" not in response.headers  # the csrf cookie was read, not replaced
    assert seen == {"language": "fr", "csrf": token, "cookies": {"csrf": token, "lang": "fr", "r1": "x"}}
    assert calls == [f"csrf={token}; lang=fr; r1=x"]


def test_request_cookies_without_a_cookie_header():
    scope = {"headers": [(b"accept", b"*/*")]}
    assert request_cookies(scope) == {}
    assert scope["cookies"] == {}


@pytest.mark.parametrize("header,chosen,expected", [
    ("en-US,en;q=0.9", None, "en"),
    ("fr-CA,fr;q=0.8", None, "fr"),
    ("fr-CA,fr;q=0.8", "en", "en"),
    ("de,fa;q=0.5", "xx", "fa"),
    ("x" * 300, None, "en"),  # too long to be remembered, still answered
    (None, None, "en"),
])
def test_language_is_negotiated_the_same_when_remembered(header, chosen, expected):
    from consult import i18n

    headers = [(b"accept-language", header.encode())] if header is not None else []
    if chosen:
        headers.append((b"cookie", f"lang={chosen}".encode()))
    for _ in range(2):  # the second answer comes from the cache
        assert locale.language_of({"headers": headers}, ("en", "fr", "fa")) == expected
        assert i18n.negotiate(("en", "fr", "fa"), chosen=chosen, accept_language=header) == expected


def test_languages_not_offered_are_not_remembered():
    locale._negotiate.cache_clear()
    for n in range(50):
        locale.language_of({"headers": [(b"cookie", f"lang=zz{n}".encode())]}, ("en", "fr"))
    assert locale._negotiate.cache_info().currsize == 1


def test_csrf_cookie_shape_is_letters_digits_dash_and_underscore():
    def by_hand(cookie):  # the rule as it was written before the regular expression
        return 20 <= len(cookie) <= 64 and all(c.isalnum() or c in "-_" for c in cookie)

    samples = ["a" * 19, "a" * 20, "a" * 64, "a" * 65, "a" * 30 + "\n", "a" * 30 + " ", "é" * 30, "٣" * 30,
               "a-b_c" * 5, "a" * 30 + ".", "", "a" * 30 + "\u00b2"]
    samples += [c * 25 for c in map(chr, range(0, 0x3000, 7))]
    for sample in samples:
        assert bool(csrf._well_formed(sample)) == by_hand(sample), repr(sample)


def test_a_response_sent_twice_keeps_its_own_headers():
    response = PlainTextResponse("x")
    before = list(response.raw_headers)
    assert dict(_headers_of(response, https=True))["strict-transport-security"] == HSTS
    assert response.raw_headers == before
    assert "strict-transport-security" not in dict(_headers_of(response))
