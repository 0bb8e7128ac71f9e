"""Two-step sign-in (consult/accounts/two_step.py): setting it up, signing in with it, recovery codes, turning it
off, and the roles whose pages need it; on both databases."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pyotp
import pytest

from consult.accounts import two_step
from consult.accounts.models import AuditEvent, User
from consult.app import create_app
from tests.accounts.conftest import STRONG, get_user
from tests.support.mailbox import text_of


def app_code(secret: str, at: dt.datetime) -> str:
    """What the phone's app shows at ``at`` (pyotp stands in for it)."""
    return pyotp.TOTP(secret).at(at)


def turn_on(client, flows, fake_clock, email="two@example.org", password=STRONG):
    flows.create_account(email, password=password)
    assert client.post_form("/account/settings/two-step-setup").status_code == 303
    page = client.get("/account/settings")
    key = re.search(r'<code dir="ltr">([A-Z2-7 ]+)</code>', page.text).group(1).replace(" ", "")
    assert "<svg" in page.text and "otpauth" not in page.text  # the QR code is drawn here; the address is inside
    fake_clock.advance(seconds=30)
    done = client.post_form("/account/settings/two-step-confirm", {"two_step_code": app_code(key, fake_clock())})
    assert done.status_code == 200 and "Two-step sign-in is on" in done.text
    recovery = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.text)
    assert len(recovery) == 10 and len(set(recovery)) == 10
    return key, recovery


def sign_in_first_step(client, email, password=STRONG, next_url="/account/settings"):
    client.post_form("/account/logout")
    response = client.post_form("/account/login", {"method": "password", "email": email, "password": password,
                                                   "next": next_url})
    assert response.status_code == 200 and 'action="/account/two-step"' in response.text, response.status_code
    assert "session" not in client.cookies  # no session yet
    return re.search(r'name="ticket" value="([^"]+)"', response.text).group(1)


def second_step(client, ticket, code):
    return client.post_form("/account/two-step", {"ticket": ticket, "code": code})


def test_code_is_right_takes_one_step_either_side():
    secret = two_step.new_secret()
    now = dt.datetime(2026, 12, 5, 8, 0, 15, tzinfo=dt.timezone.utc)
    step = int(now.timestamp()) // 30
    for offset, expected in ((-60, None), (-30, step - 1), (0, step), (30, step + 1), (60, None)):
        assert two_step.code_is_right(secret, app_code(secret, now + dt.timedelta(seconds=offset)), now) == expected
    assert two_step.code_is_right(secret, "12345", now) is None
    assert two_step.code_is_right(secret, "abcdef", now) is None
    spaced = app_code(secret, now)
    assert two_step.code_is_right(secret, f"{spaced[:3]} {spaced[3:]}", now) == step


def test_ticket_is_signed_and_checked():
    ticket = two_step.ticket("k" * 40, User(id=7, email="x@example.org"), "password", "/next")
    assert two_step.read_ticket("k" * 40, ticket) == two_step.Ticket(7, "password", "/next")
    assert two_step.read_ticket("j" * 40, ticket) is None
    assert two_step.read_ticket("k" * 40, ticket[:-2] + "xx") is None
    assert two_step.read_ticket("k" * 40, "") is None


def test_set_up_sign_in_with_the_app_and_a_code_is_good_once(client, flows, fake_clock, mailbox):
    key, _recovery = turn_on(client, flows, fake_clock)
    flows.deliver()
    assert "Two-step sign-in has just been turned on" in text_of(mailbox.last_to("two@example.org"))

    fake_clock.advance(minutes=1)
    ticket = sign_in_first_step(client, "two@example.org")
    wrong = second_step(client, ticket, "000000" if app_code(key, fake_clock()) != "000000" else "111111")
    assert wrong.status_code == 400 and "This code is not right" in wrong.text
    assert f'value="{ticket}"' in wrong.text  # the first step is kept: she only types the code again
    code = app_code(key, fake_clock())
    ok = second_step(client, ticket, code)
    assert ok.status_code == 303 and ok.headers["location"] == "/account/settings"
    assert client.get("/account/settings").status_code == 200

    # The same code again (a replay, or read over her shoulder) is refused, even within its 30 seconds.
    ticket = sign_in_first_step(client, "two@example.org")
    assert second_step(client, ticket, code).status_code == 400
    fake_clock.advance(seconds=30)
    assert second_step(client, ticket, app_code(key, fake_clock())).status_code == 303


def test_the_emailed_code_alone_no_longer_signs_in(client, flows, fake_clock):
    key, _recovery = turn_on(client, flows, fake_clock)
    client.post_form("/account/logout")
    fake_clock.advance(minutes=1)
    page = flows.sign_in_by_code("two@example.org", "/account/settings")
    assert page.status_code == 200 and 'action="/account/two-step"' in page.text
    assert client.get("/account/settings").status_code == 303  # not signed in
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)
    assert second_step(client, ticket, app_code(key, fake_clock())).status_code == 303


def test_a_forged_or_foreign_ticket_opens_nothing(client, flows, fake_clock):
    key, _recovery = turn_on(client, flows, fake_clock)
    flows.create_account("other@example.org")
    other = client.run(get_user, "other@example.org")
    client.post_form("/account/logout")
    fake_clock.advance(minutes=1)
    # A ticket for an account without two-step sign-in (one that could be made only with the secret key anyway).
    forged = two_step.ticket("not-the-key-" + "x" * 30, other, "password", "/")
    refused = second_step(client, forged, app_code(key, fake_clock()))
    assert refused.status_code == 400 and "Please sign in again" in refused.text
    assert client.get("/account/settings").status_code == 303


def test_recovery_codes_each_sign_in_once(client, flows, fake_clock):
    _key, recovery = turn_on(client, flows, fake_clock)
    ticket = sign_in_first_step(client, "two@example.org")
    assert second_step(client, ticket, recovery[0].upper()).status_code == 303
    ticket = sign_in_first_step(client, "two@example.org")
    assert second_step(client, ticket, recovery[0]).status_code == 400
    assert second_step(client, ticket, recovery[1].replace("-", "")).status_code == 303
    assert len(client.run(get_user, "two@example.org").two_step_recovery) == 8

    async def events():
        return await AuditEvent.filter(event="two_step_recovery_used").count()

    assert client.run(events) == 2


def test_wrong_codes_are_limited_per_account(client, flows, fake_clock):
    key, _recovery = turn_on(client, flows, fake_clock)
    ticket = sign_in_first_step(client, "two@example.org")
    right = app_code(key, fake_clock())
    wrong = "123456" if right != "123456" else "654321"
    for _ in range(10):
        assert second_step(client, ticket, wrong).status_code == 400
    blocked = second_step(client, ticket, right)
    assert blocked.status_code == 429 and "Too many attempts" in blocked.text
    fake_clock.advance(minutes=15)
    assert second_step(client, ticket, app_code(key, fake_clock())).status_code == 303


def test_setting_it_up_needs_a_code_from_the_app_and_a_recent_sign_in(client, flows, fake_clock):
    flows.create_account("setup@example.org")
    client.post_form("/account/settings/two-step-setup")
    refused = client.post_form("/account/settings/two-step-confirm", {"two_step_code": "12"})
    assert refused.status_code == 400 and "This code is not right" in refused.text
    assert client.run(get_user, "setup@example.org").two_step_since is None
    fake_clock.advance(minutes=16)
    assert client.post_form("/account/settings/two-step-setup").status_code == 403
    page = client.get("/account/settings")
    assert "<svg" not in page.text  # the key is not shown to a browser signed in long ago


def test_turning_it_on_signs_out_other_browsers_and_off_tells_the_owner(client, flows, fake_clock, mailbox):
    flows.create_account("off@example.org", password=STRONG)
    first = dict(client.cookies)
    client.cookies.clear()
    client.post_form("/account/login", {"method": "password", "email": "off@example.org", "password": STRONG})
    second = dict(client.cookies)
    client.post_form("/account/settings/two-step-setup")
    key = client.run(get_user, "off@example.org").two_step_secret
    fake_clock.advance(seconds=30)
    client.post_form("/account/settings/two-step-confirm", {"two_step_code": app_code(key, fake_clock())})
    client.cookies.clear()
    client.cookies.update(first)
    assert client.get("/account/settings").status_code == 303  # the other browser was signed out
    client.cookies.clear()
    client.cookies.update(second)
    off = client.post_form("/account/settings/two-step-off")
    assert off.status_code == 303 and client.run(get_user, "off@example.org").two_step_since is None
    flows.deliver()
    assert "turned off" in text_of(mailbox.last_to("off@example.org"))
    client.post_form("/account/logout")
    signed_in = client.post_form("/account/login", {"method": "password", "email": "off@example.org",
                                                    "password": STRONG})
    assert signed_in.status_code == 303  # one step again


@pytest.fixture
def strict_client(settings, fake_clock):
    """An app that asks two-step sign-in of admins and analysts, as production does by default."""
    from consult.accounts import passwords
    from tests.conftest import AppClient

    app = create_app(dataclasses.replace(settings, two_step_roles=("admin", "analyst")))
    app.state.accounts = dataclasses.replace(app.state.accounts, argon2_time_cost=1, argon2_memory_kib=8,
                                             argon2_parallelism=1)
    passwords.configure(1, 8, 1)
    with AppClient(app, base_url="http://testserver", follow_redirects=False) as client:
        client.app_settings = app.state.settings
        yield client


def test_roles_that_need_it_see_their_pages_only_once_it_is_on(strict_client, mailbox, fake_clock):
    from tests.accounts.conftest import Flows

    client = strict_client
    flows = Flows(client, mailbox, lambda: client.run(client.app.state.mailer.deliver_pending))
    flows.create_account("boss@example.org", role="admin")
    page = client.get("/admin/users")
    assert page.status_code == 403 and "two-step sign-in" in page.text
    settings = client.get("/account/settings")
    assert settings.status_code == 200 and "Your role needs two-step sign-in" in settings.text
    client.post_form("/account/settings/two-step-setup")
    key = client.run(get_user, "boss@example.org").two_step_secret
    fake_clock.advance(seconds=30)
    client.post_form("/account/settings/two-step-confirm", {"two_step_code": app_code(key, fake_clock())})
    assert client.get("/admin/users").status_code == 200
