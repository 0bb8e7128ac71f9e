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


# The layers that only add to the response's start message register hooks with the one ResponseStartMiddleware
# in front of them; on their own they wrap ``send`` themselves. Both must send exactly the same messages.

def _layers(view, https=False):
    from consult.accounts.middleware import AuthMiddleware
    from consult.middleware.errors import ErrorPageMiddleware
    from consult.middleware.request_log import RequestLogMiddleware
    from consult.settings import Settings

    app = ErrorPageMiddleware(view)
    app = csrf.CSRFMiddleware(app, secret_key="k" * 40, https=https)
    app = locale.LocaleMiddleware(app, languages=("en", "fr"))
    app = AuthMiddleware(app, settings=Settings(env="test", secret_key="k" * 40,
                                                 base_url="https://test" if https else "http://test"))
    app = RequestLogMiddleware(app)
    return SecurityHeadersMiddleware(app, https=https)


def _messages(app, headers=(), scheme="http"):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append({**message, "headers": list(message["headers"])} if "headers" in message else dict(message))

    scope = {"type": "http", "method": "GET", "path": "/", "scheme": scheme, "query_string": b"", "root_path": "",
             "headers": [(b"host", b"test"), *headers]}
    asyncio.run(app(scope, receive, send))
    return sent


@pytest.mark.parametrize("https", [False, True])
@pytest.mark.parametrize("cookie", [None, b"a" * 43])
def test_hooks_send_what_the_layers_sent_on_their_own(https, cookie, caplog):
    from consult.middleware.response_start import ResponseStartMiddleware

    shared = PlainTextResponse("x", headers={"vary": "Cookie"})  # sent twice: its header list must stay its own
    before = list(shared.raw_headers)

    async def view(scope, receive, send):
        await shared(scope, receive, send)

    name = b"__Host-csrf=" if https else b"csrf="  # the CSRF cookie's name under HTTPS
    headers = [(b"cookie", name + cookie)] if cookie else []
    caplog.set_level("INFO", logger="consult.request")
    alone = _messages(_layers(view, https), headers)
    hosted = _messages(ResponseStartMiddleware(_layers(view, https)), headers)
    assert shared.raw_headers == before
    cookie_headers = lambda sent: [v for k, v in sent[0]["headers"] if k == b"set-cookie"]
    assert len(cookie_headers(alone)) == (0 if cookie else 1)
    # The fresh CSRF cookie differs from one request to the next; everything else is the same, in the same order.
    for sent in (alone, hosted):
        sent[0]["headers"] = [(k, b"<csrf>" if k == b"set-cookie" else v) for k, v in sent[0]["headers"]]
    assert hosted == alone
    assert (b"strict-transport-security", HSTS.encode()) in alone[0]["headers"] if https else True
    assert [r.status for r in caplog.records if r.name == "consult.request"] == [200, 200]


def test_hooks_run_innermost_layer_first_and_a_second_host_adds_nothing():
    from consult.middleware.response_start import ResponseStartMiddleware, on_response_start

    def layer(app, name):
        async def add(scope, receive, send):
            send = on_response_start(scope, send, lambda message: message["headers"].append((b"x-layer", name)))
            await app(scope, receive, send)

        return add

    async def view(scope, receive, send):
        await PlainTextResponse("x")(scope, receive, send)

    def order(app):
        return [v for k, v in _messages(app)[0]["headers"] if k == b"x-layer"]

    assert order(layer(layer(view, b"inner"), b"outer")) == [b"inner", b"outer"]
    assert order(ResponseStartMiddleware(layer(layer(view, b"inner"), b"outer"))) == [b"inner", b"outer"]
    assert order(ResponseStartMiddleware(layer(ResponseStartMiddleware(layer(view, b"inner")), b"outer"))) \
        == [b"inner", b"outer"]
    # A layer outside the host wraps send itself, and so runs after it.
    assert order(layer(ResponseStartMiddleware(layer(view, b"inner")), b"outer")) == [b"inner", b"outer"]


@pytest.mark.parametrize("hosted", [False, True])
def test_the_error_page_replaces_only_a_response_not_started(hosted, caplog):
    from consult.middleware.errors import ErrorPageMiddleware
    from consult.middleware.response_start import ResponseStartMiddleware

    async def fails_before(scope, receive, send):
        raise RuntimeError("before")

    async def fails_after(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise RuntimeError("after")

    def wrap(view):
        app = SecurityHeadersMiddleware(ErrorPageMiddleware(view))
        return ResponseStartMiddleware(app) if hosted else app

    sent = _messages(wrap(fails_before))
    assert sent[0]["status"] == 500 and (b"cache-control", b"no-store") in sent[0]["headers"]
    with pytest.raises(RuntimeError, match="after"):
        _messages(wrap(fails_after))


@pytest.mark.parametrize("hosted", [False, True])
@pytest.mark.parametrize("signs_in", [False, True])
def test_an_ended_session_cookie_is_cleared_unless_the_response_sets_one(hosted, signs_in, monkeypatch):
    from consult.accounts import sessions
    from consult.accounts.middleware import AuthMiddleware
    from consult.middleware.response_start import ResponseStartMiddleware
    from consult.settings import Settings

    async def ended(settings, cookie):
        return None, True

    monkeypatch.setattr(sessions, "load", ended)

    async def view(scope, receive, send):
        response = PlainTextResponse("x")
        if signs_in:
            response.set_cookie("__Host-session", "new")
        await response(scope, receive, send)

    # Under HTTPS: the session cookie is __Host-session.
    app = AuthMiddleware(view, settings=Settings(env="test", secret_key="k" * 40, base_url="https://test"))
    sent = _messages(ResponseStartMiddleware(app) if hosted else app, [(b"cookie", b"__Host-session=old")])
    cookies = [v for k, v in sent[0]["headers"] if k == b"set-cookie"]
    if signs_in:
        assert len(cookies) == 1 and cookies[0].startswith(b"__Host-session=new;")
    else:
        assert cookies == [b"__Host-session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure"]
