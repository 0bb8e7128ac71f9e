"""Sessions (server-side, idle and absolute limits, sign out everywhere) and the settings page."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from consult.accounts.models import Session
from tests.accounts.conftest import STRONG, get_user


async def session_count():
    return await Session.all().count()


def test_session_cookie_carries_only_a_signed_random_id(client, flows):
    response = flows.create_account("cookie@example.org")
    cookie = client.cookies["session"]
    assert "cookie" not in cookie and "@" not in cookie
    assert "httponly" in response.headers["set-cookie"].lower()


def test_new_session_id_at_each_sign_in(client, flows):
    flows.create_account("fix@example.org")
    first = client.cookies["session"]
    flows.sign_in_by_code("fix@example.org")
    assert client.cookies["session"] != first
    assert client.run(session_count) == 1  # the previous one was ended


def test_sign_out_ends_the_session_on_the_server(client, flows):
    flows.create_account("out@example.org")
    stolen = client.cookies["session"]
    flows.sign_out()
    assert client.run(session_count) == 0
    client.cookies.set("session", stolen)
    assert client.get("/account/settings").status_code == 303


def test_idle_timeout_and_absolute_lifetime(client, flows, fake_clock, settings):
    flows.create_account("idle@example.org")
    fake_clock.advance(minutes=settings.session_idle_minutes + 1)
    response = client.get("/account/settings")
    assert response.status_code == 303 and "expired=1" in response.headers["location"]
    flows.sign_in_by_code("idle@example.org")
    for _ in range(settings.session_max_days * 2):
        fake_clock.advance(hours=12)
        client.get("/account/settings")
    assert client.get("/account/settings").status_code == 303


def test_form_sent_after_the_session_ended_gets_401(client, flows, fake_clock, settings):
    flows.create_account("late@example.org")
    fake_clock.advance(days=settings.session_max_days + 1)
    response = client.post_form("/account/settings/profile", {"display_name": "New", "language": "en"})
    assert response.status_code == 401 and "sign in again" in response.text


async def second_session(email, settings):
    """A session as another browser would have it: a row, and the cookie value that names it."""
    import datetime as dt
    import hashlib

    from itsdangerous import URLSafeSerializer

    from consult.accounts import clock

    user = await get_user(email)
    now = clock.now()
    await Session.create(key_hash=hashlib.sha256(b"other-browser-id").hexdigest(), user_id=user.id, created_at=now,
                         last_seen_at=now, expires_at=now + dt.timedelta(days=1), label="Firefox")
    return URLSafeSerializer(settings.secret_key, salt="consult.session").dumps("other-browser-id")


def test_sign_out_everywhere(client, flows, settings):
    flows.create_account("many@example.org")
    other = client.run(second_session, "many@example.org", settings)
    assert client.run(session_count) == 2
    assert "Firefox" in client.get("/account/settings").text
    assert client.post_form("/account/settings/sign-out-everywhere").status_code == 303
    assert client.run(session_count) == 0
    client.cookies.set("session", other)
    assert client.get("/account/settings").status_code == 303


def test_settings_change_name_language_and_password(client, flows, mailbox):
    flows.create_account("set@example.org", password=STRONG)
    response = client.post_form("/account/settings/profile", {"display_name": "Renamed", "language": "uk"})
    assert response.status_code == 303
    user = client.run(get_user, "set@example.org")
    assert user.display_name == "Renamed" and user.language == "uk"
    wrong = client.post_form("/account/settings/password", {"current_password": "nope",
                                                           "new_password": "N3w-Passw0rd-Lake!"})
    assert wrong.status_code == 400
    ok = client.post_form("/account/settings/password", {"current_password": STRONG,
                                                        "new_password": "N3w-Passw0rd-Lake!"})
    assert ok.status_code == 303


def test_change_email_confirmed_by_a_code_to_the_new_address(client, flows, mailbox):
    flows.create_account("old@example.org")
    response = client.post_form("/account/settings/email", {"email": "new@example.org"})
    assert response.status_code == 303
    code = flows.code_for("new@example.org")
    assert flows.verify("email", "new@example.org", code).status_code == 303
    assert client.run(get_user, "new@example.org") is not None
    flows.deliver()
    assert "changed" in mailbox.last_to("old@example.org").get_body(preferencelist=("plain",)).get_content()


def test_delete_account(client, flows):
    flows.create_account("gone@example.org")
    bad = client.post_form("/account/settings/delete", {"confirm": "someone@example.org"})
    assert bad.status_code == 400
    ok = client.post_form("/account/settings/delete", {"confirm": "gone@example.org"})
    assert ok.status_code == 200
    assert client.run(get_user, "gone@example.org") is None
    assert client.run(session_count) == 0


def test_language_switcher_sets_the_account_language(client, flows):
    flows.create_account("lang@example.org")
    client.get("/language/ar?next=/")
    assert client.run(get_user, "lang@example.org").language == "ar"


def test_changes_that_could_lock_her_out_need_a_recent_sign_in(client, flows, fake_clock):
    """ASVS V3.7.1, V3.3.4: a browser signed in more than 15 minutes ago (a phone left unlocked, a stolen cookie)
    cannot change the address, set a first password, sign out everywhere or delete the account."""
    flows.create_account("held@example.org")  # signed in by a code, no password
    fake_clock.advance(minutes=14, seconds=59)
    page = client.get("/account/settings")
    assert 'action="/account/settings/delete"' in page.text and "Sign in again" not in page.text
    fake_clock.advance(seconds=1)
    page = client.get("/account/settings")
    assert page.status_code == 200 and page.text.count('action="/account/settings/sign-in-again"') == 5
    for action in ("delete", "email", "sign-out-everywhere"):
        assert f'action="/account/settings/{action}"' not in page.text
    assert 'action="/account/settings/profile"' in page.text  # the rest stays as it was

    # Sent anyway (a page loaded earlier): refused, nothing changed, what she typed is kept.
    email = client.post_form("/account/settings/email", {"email": "taken-over@example.org"})
    assert email.status_code == 403 and "sign in again before you make this change" in email.text
    assert "What you typed: taken-over@example.org" in email.text
    assert client.post_form("/account/settings/delete", {"confirm": "held@example.org"}).status_code == 403
    assert client.post_form("/account/settings/password", {"new_password": STRONG}).status_code == 403
    assert client.post_form("/account/settings/sign-out-everywhere").status_code == 403
    user = client.run(get_user, "held@example.org")
    assert user is not None and user.password_hash is None and client.run(session_count) == 1
    assert client.post_form("/account/settings/profile", {"display_name": "Held", "language": "en"}).status_code == 303

    # Signing in again: this session ends, the sign-in page comes with her address, a new session may do it all.
    again = client.post_form("/account/settings/sign-in-again")
    assert again.status_code == 200 and 'value="held@example.org"' in again.text
    assert "Sign in again to confirm that it is you" in again.text and client.run(session_count) == 0
    assert client.get("/account/settings").status_code == 303  # signed out
    assert flows.sign_in_by_code("held@example.org", "/account/settings").status_code == 303
    assert client.post_form("/account/settings/password", {"new_password": STRONG}).status_code == 303
    assert client.post_form("/account/settings/delete", {"confirm": "held@example.org"}).status_code == 200
    assert client.run(get_user, "held@example.org") is None


def test_with_a_password_the_current_one_is_asked_whenever_she_changes_it(client, flows, fake_clock):
    flows.create_account("pw-held@example.org", password=STRONG)
    fake_clock.advance(hours=3)
    page = client.get("/account/settings")
    assert 'action="/account/settings/password"' in page.text and 'name="current_password"' in page.text
    changed = client.post_form("/account/settings/password", {"current_password": STRONG,
                                                               "new_password": "An0ther-Str0ng-Pass!"})
    assert changed.status_code == 303


def test_a_lifetime_in_hours_ends_the_session_after_those_hours(settings, mailbox, fake_clock):
    """ASVS V3.3.2 at level 2: CONSULT_SESSION_MAX_HOURS=12 ends a session 12 hours after sign-in, however busy."""
    import dataclasses

    from consult.app import create_app
    from tests.accounts.conftest import Flows
    from tests.conftest import AppClient

    app = create_app(dataclasses.replace(settings, session_max_hours=12))
    with AppClient(app, base_url="http://testserver", follow_redirects=False) as client:
        client.app_settings = app.state.settings
        flows = Flows(client, mailbox, lambda: client.run(app.state.mailer.deliver_pending))
        signed_in = flows.create_account("twelve@example.org")
        session_cookie = [h for h in signed_in.headers.get_list("set-cookie") if h.startswith("session=")][0]
        assert "Max-Age=43200" in session_cookie
        for _ in range(11):
            fake_clock.advance(hours=1)
            assert client.get("/account/settings").status_code == 200
        fake_clock.advance(hours=1)
        assert client.get("/account/settings").status_code == 303
