"""Checks behind rows of the OWASP ASVS 4.0.3 level 2 review in docs/security.md that no other test covered:
cookie attributes over HTTPS, where session tokens and codes live, what a password change does to other sessions,
password sign-in answering alike for known and unknown addresses, files that must never be served, methods.

Through the app with Starlette's TestClient on SQLite and PostgreSQL, like the account tests.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re

import pytest
from itsdangerous import URLSafeSerializer

from consult.accounts import passwords
from consult.accounts.models import EmailCode, Session
from consult.app import create_app
from tests.accounts.conftest import STRONG, Flows
from tests.conftest import AppClient


def cheap(app):
    app.state.accounts = dataclasses.replace(app.state.accounts, argon2_time_cost=1, argon2_memory_kib=8,
                                             argon2_parallelism=1)
    passwords.configure(1, 8, 1)
    return app


@pytest.fixture
def app(settings, fake_clock):
    return cheap(create_app(settings))


@pytest.fixture
def flows(client, mailbox):
    return Flows(client, mailbox, lambda: client.run(client.app.state.mailer.deliver_pending))


def set_cookies(response) -> dict[str, str]:
    """Each Set-Cookie header of a response, by cookie name."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        found[header.split("=", 1)[0]] = header
    return found


def test_cookies_are_secure_httponly_samesite_and_host_wide_under_https(settings, fake_clock, mailbox):
    """V3.4.1, V3.4.2, V3.4.3, V3.4.4, V3.4.5 (and the language cookie alike, without the prefix)."""
    app = cheap(create_app(dataclasses.replace(settings, base_url="https://consult.example.org")))
    with AppClient(app, base_url="https://testserver", follow_redirects=False) as client:
        client.app_settings = app.state.settings
        flows = Flows(client, mailbox, lambda: client.run(app.state.mailer.deliver_pending))
        first = client.get("/account/register")
        flows.register("https@example.org")
        verified = flows.verify("register", "https@example.org", flows.code_for("https@example.org"))
        language = client.get("/language/fr?next=/")
        signed_out = client.post_form("/account/logout")
    cookies = {**set_cookies(first), **set_cookies(verified), **set_cookies(language)}
    assert {"__Host-csrf", "__Host-session", "lang"} <= set(cookies) and not {"csrf", "session"} & set(cookies)
    for name in ("__Host-csrf", "__Host-session", "lang"):
        attributes = [part.strip().lower() for part in cookies[name].split(";")[1:]]
        assert "secure" in attributes and "httponly" in attributes, cookies[name]
        assert "samesite=lax" in attributes and "path=/" in attributes, cookies[name]
        assert not any(part.startswith("domain=") for part in attributes), cookies[name]
    cleared = set_cookies(signed_out)["__Host-session"].lower()
    assert "max-age=0" in cleared and "secure" in cleared


def test_under_https_cookies_without_the_host_prefix_are_not_taken(settings, fake_clock, mailbox):
    """V3.4.4: what a subdomain or a plain-HTTP page could plant, a session or a CSRF cookie under the bare name,
    signs no one in and validates no form, however well it is signed."""
    app = cheap(create_app(dataclasses.replace(settings, base_url="https://consult.example.org")))
    with AppClient(app, base_url="https://testserver", follow_redirects=False) as client:
        client.app_settings = app.state.settings
        flows = Flows(client, mailbox, lambda: client.run(app.state.mailer.deliver_pending))
        flows.create_account("planted@example.org")
        assert client.get("/account/settings").status_code == 200
        session, csrf = client.cookies["__Host-session"], client.cookies["__Host-csrf"]
        token = client.csrf_token()

        client.cookies.clear()
        client.cookies.set("session", session)
        assert client.get("/account/settings").status_code == 303  # not signed in: sent to the sign-in page
        client.cookies.clear()  # the page just asked for set a fresh __Host-csrf: only the planted one now
        client.cookies.set("csrf", csrf)
        ask_code = {"csrf_token": token, "method": "code", "email": "planted@example.org"}
        refused = client.post("/account/login", data=ask_code)
        assert refused.status_code == 403 and "planted@example.org" in refused.text  # what she typed is kept

        client.cookies.clear()
        client.cookies.set("__Host-session", session)
        client.cookies.set("__Host-csrf", csrf)
        assert client.get("/account/settings").status_code == 200
        assert client.post("/account/login", data=ask_code).status_code == 303


def test_session_token_is_random_kept_hashed_and_never_in_a_url(client, flows):
    """V3.1.1, V3.2.2, V3.2.4: 256 random bits in a signed cookie; the database holds only its SHA-256."""
    flows.register("token@example.org")
    response = flows.verify("register", "token@example.org", flows.code_for("token@example.org"))
    cookie = client.cookies["session"]
    session_id = URLSafeSerializer(client.app_settings.secret_key, salt="consult.session").loads(cookie)
    assert len(session_id) >= 43  # secrets.token_urlsafe(32): 256 bits
    rows = client.run(lambda: Session.all().values_list("key_hash", flat=True))
    assert rows == [hashlib.sha256(session_id.encode()).hexdigest()]
    assert cookie not in response.headers.get("location", "") and session_id not in response.headers["location"]
    page = client.get(response.headers["location"])
    assert cookie not in page.text and session_id not in page.text


def test_codes_are_random_single_purpose_and_kept_only_as_keyed_hashes(client, flows):
    """V2.7.5, V2.7.6 (and V2.7.2, V2.7.3 in tests/accounts/test_codes.py)."""
    flows.register("codes@example.org")
    code = flows.code_for("codes@example.org")
    assert re.fullmatch(r"\d{6}", code)
    rows = client.run(lambda: EmailCode.all().values())
    stored = repr(rows)
    assert code not in stored and "codes@example.org" not in stored
    assert all(len(row["code_hash"]) == 64 for row in rows)


def test_a_password_change_signs_out_other_browsers_and_tells_the_owner(client, flows, mailbox):
    """V3.3.3, V2.1.5, V2.1.6, V2.5.5, V2.2.3. Two browsers are two cookie jars on one client."""
    flows.create_account("change@example.org", password=STRONG)
    first = dict(client.cookies)
    client.cookies.clear()
    signed_in = client.post_form("/account/login", {"email": "change@example.org", "method": "password",
                                                   "password": STRONG})
    assert signed_in.status_code == 303
    second = dict(client.cookies)
    assert first["session"] != second["session"]
    assert client.run(lambda: Session.all().count()) == 2

    client.cookies.clear()
    client.cookies.update(first)
    mailbox.clear()
    refused = client.post_form("/account/settings/password", {"current_password": "not-it",
                                                             "new_password": "An0ther-Str0ng-Pass!"})
    assert refused.status_code == 400
    changed = client.post_form("/account/settings/password", {"current_password": STRONG,
                                                             "new_password": "An0ther-Str0ng-Pass!"})
    assert changed.status_code == 303
    assert client.get("/account/settings").status_code == 200  # this browser stays signed in

    client.cookies.clear()
    client.cookies.update(second)
    ended = client.get("/account/settings")
    assert ended.status_code == 303 and ended.headers["location"].startswith("/account/login")

    flows.deliver()
    notice = mailbox.last_to("change@example.org")
    assert "An0ther" not in notice.as_string() and STRONG not in notice.as_string()


def test_password_sign_in_answers_alike_for_known_and_unknown_addresses(client, flows):
    """Enumeration (with tests/accounts/test_codes.py::test_register_sign_in_and_reset_do_not_reveal_accounts)."""
    flows.create_account("known@example.org", password=STRONG)
    flows.sign_out()
    answers = []
    for email in ("known@example.org", "unknown@example.org"):
        response = client.post_form("/account/login", {"email": email, "method": "password",
                                                      "password": "Wr0ng-Passw0rd!!"})
        answers.append((response.status_code, re.sub(r"(known|unknown)@example\.org", "X",
                                                     re.sub(r'name="csrf_token" value="[^"]+"', "", response.text))))
    assert answers[0] == answers[1]


def test_no_directory_listing_and_no_repository_files(client):
    """V4.3.2, V14.3.2: only the named static files are served; no traceback in an error page."""
    for path in ("/static/", "/static", "/.git/config", "/static/../pyproject.toml", "/static/%2e%2e/.env",
                 "/.env", "/static/.DS_Store", "/var/secret_key", "/static/..%2f..%2fconsult%2fsettings.py"):
        response = client.get(path, follow_redirects=True)  # "/static" redirects to "/static/", a 404
        assert response.status_code in (404, 400), (path, response.status_code)
        assert "SECRET" not in response.text and "[core]" not in response.text and "Traceback" not in response.text


def test_only_the_routed_methods_are_allowed(client):
    """V14.5.1."""
    for method in ("PUT", "DELETE", "PATCH", "TRACE"):
        response = client.request(method, "/", headers={"x-csrf-token": client.csrf_token()})
        assert response.status_code in (403, 405), (method, response.status_code)
    assert client.request("PUT", "/account/login", headers={"x-csrf-token": client.csrf_token()}).status_code == 405


def test_pages_declare_their_type_and_charset_and_allow_no_framing_or_cors(client):
    """V14.4.1, V14.4.7 (X-Frame-Options beside CSP frame-ancestors), V14.5.3 (no CORS at all)."""
    for path in ("/", "/account/login", "/healthz", "/does-not-exist"):
        response = client.get(path, headers={"origin": "https://evil.example"})
        assert response.headers["x-frame-options"] == "DENY", path
        assert not any(name.startswith("access-control-") for name in response.headers), path
    assert client.get("/").headers["content-type"] == "text/html; charset=utf-8"
    assert client.get("/account/login").headers["content-type"] == "text/html; charset=utf-8"
    assert client.get("/healthz").headers["content-type"] == "application/json"
    assert client.get("/static/consult.css").headers["content-type"].startswith("text/css")
