"""Codes: expiry (injectable clock), single use, five wrong entries, resend limits, no enumeration."""

from __future__ import annotations

from tests.accounts.conftest import STRONG, get_user


def test_registration_code_expires_after_30_minutes(client, flows, fake_clock):
    flows.register("late@example.org")
    code = flows.code_for("late@example.org")
    fake_clock.advance(minutes=30, seconds=1)
    response = flows.verify("register", "late@example.org", code)
    assert response.status_code == 400
    assert "expired" in response.text
    assert client.run(get_user, "late@example.org") is None


def test_sign_in_code_expires_after_10_minutes(client, flows, fake_clock):
    flows.create_account("ten@example.org")
    flows.sign_out()
    client.post_form("/account/login", {"email": "ten@example.org"})
    code = flows.code_for("ten@example.org")
    fake_clock.advance(minutes=9, seconds=59)
    fake_clock.advance(seconds=2)
    assert flows.verify("login", "ten@example.org", code).status_code == 400


def test_code_is_single_use(client, flows):
    flows.create_account("once@example.org")
    flows.sign_out()
    client.post_form("/account/login", {"email": "once@example.org"})
    code = flows.code_for("once@example.org")
    assert flows.verify("login", "once@example.org", code).status_code == 303
    flows.sign_out()
    response = flows.verify("login", "once@example.org", code)
    assert response.status_code == 400 and "already been used" in response.text


def test_five_wrong_codes_kill_the_code_and_a_new_one_does_not_reset_the_count(client, flows, fake_clock):
    flows.register("guess@example.org")
    code = flows.code_for("guess@example.org")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        response = flows.verify("register", "guess@example.org", wrong)
        assert response.status_code == 400 and "not right" in response.text
        assert 'value="guess@example.org"' in response.text
    fake_clock.advance(minutes=2)
    assert client.post_form("/account/resend", {"purpose": "register", "email": "guess@example.org"}
                            ).status_code == 200
    new_code = flows.code_for("guess@example.org")
    assert flows.verify("register", "guess@example.org", wrong).status_code == 400  # the fifth
    response = flows.verify("register", "guess@example.org", new_code)
    assert response.status_code == 400 and "Too many wrong codes" in response.text


def test_send_new_code_once_a_minute_and_five_times_an_hour(client, flows, fake_clock, deliver, mailbox):
    flows.register("often@example.org")
    response = client.post_form("/account/resend", {"purpose": "register", "email": "often@example.org"})
    assert response.status_code == 429 and "wait a minute" in response.text
    for _ in range(4):
        fake_clock.advance(minutes=1)
        assert client.post_form("/account/resend", {"purpose": "register", "email": "often@example.org"}
                                ).status_code == 200
    fake_clock.advance(minutes=1)
    response = client.post_form("/account/resend", {"purpose": "register", "email": "often@example.org"})
    assert response.status_code == 429
    deliver()
    assert len(mailbox.to("often@example.org")) == 5
    fake_clock.advance(hours=1)
    assert client.post_form("/account/resend", {"purpose": "register", "email": "often@example.org"}
                            ).status_code == 200


def test_a_new_code_replaces_the_previous_one(client, flows, fake_clock):
    flows.register("replace@example.org")
    first = flows.code_for("replace@example.org")
    fake_clock.advance(minutes=1)
    client.post_form("/account/resend", {"purpose": "register", "email": "replace@example.org"})
    second = flows.code_for("replace@example.org")
    if first != second:
        assert flows.verify("register", "replace@example.org", first).status_code == 400
    assert flows.verify("register", "replace@example.org", second).status_code == 303


def test_a_code_for_another_account_does_not_work(client, flows):
    flows.create_account("one@example.org")
    flows.create_account("two@example.org")
    flows.sign_out()
    client.post_form("/account/login", {"email": "one@example.org"})
    client.post_form("/account/login", {"email": "two@example.org"})
    code_two = flows.code_for("two@example.org")
    code_one = flows.code_for("one@example.org")
    if code_one != code_two:
        assert flows.verify("login", "one@example.org", code_two).status_code == 400


def test_register_sign_in_and_reset_do_not_reveal_accounts(client, flows, mailbox, deliver, fake_clock):
    flows.create_account("known@example.org")
    flows.sign_out()
    fake_clock.advance(minutes=2)  # the registration's own code was just sent
    mailbox.clear()
    for path, fields in (("/account/register", {"display_name": "X", "language": "en"}),
                         ("/account/login", {}), ("/account/reset", {})):
        known = client.post_form(path, {"email": "known@example.org", **fields})
        unknown = client.post_form(path, {"email": "nobody@example.org", **fields})
        assert known.status_code == unknown.status_code == 303
        assert known.headers["location"].replace("known", "X") == unknown.headers["location"].replace("nobody", "X")
    deliver()
    # The owner hears that someone tried to register; the stranger's address gets a code only for registration.
    texts = [m.get_body(preferencelist=("plain",)).get_content() for m in mailbox.to("known@example.org")]
    assert any("already has one" in text for text in texts)
    assert len(mailbox.to("nobody@example.org")) == 1


def test_code_mail_is_neutral_and_in_the_users_language(client, flows, mailbox):
    flows.register("fr@example.org", language="fr")
    flows.deliver()
    message = mailbox.last_to("fr@example.org")
    assert "Peace" not in message["Subject"] and "WPS" not in message["Subject"]
    assert 'lang="fr"' in message.get_body(preferencelist=("html",)).get_content()  # rendered in French
    assert message["Message-ID"]


def test_malformed_email_keeps_what_was_typed(client):
    response = client.post_form("/account/register", {"email": "not-an-address", "display_name": "Zahra",
                                                      "language": "fa", "password": STRONG})
    assert response.status_code == 400
    assert 'value="not-an-address"' in response.text and 'value="Zahra"' in response.text
    assert STRONG not in response.text
