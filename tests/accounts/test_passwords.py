"""Password rules, hashing, sign in by password, throttling, reset."""

from __future__ import annotations

import pytest

from consult.accounts import passwords
from tests.accounts.conftest import STRONG, get_user


@pytest.mark.parametrize("weak", ["Short1!", "no upper case 1!", "NoDigitsHere!!", "NoSymbols12345",
                                  "Has Space 12!Ab", "Password123!", "Sunshine2024!!", "Qwertyuiop123!"])
def test_weak_passwords_are_refused(weak):
    assert passwords.password_problem(weak) is not None


def test_good_and_long_passwords_are_accepted():
    assert passwords.password_problem(STRONG) is None
    assert passwords.password_problem("Aa1!" + "x7Kq" * 31) is None  # 128 characters


def test_list_of_common_passwords_is_large():
    assert len(passwords.common_passwords()) >= 10_000


def test_rehash_when_parameters_change():
    stored = passwords.hash_password(STRONG)
    assert stored.startswith("$argon2id$")
    assert not passwords.needs_rehash(stored)
    passwords.configure(2, 8, 1)
    try:
        assert passwords.needs_rehash(stored)
    finally:
        passwords.configure(1, 8, 1)


def test_sign_in_by_password(client, flows):
    flows.create_account("pw@example.org", password=STRONG)
    flows.sign_out()
    bad = client.post_form("/account/login", {"method": "password", "email": "pw@example.org", "password": "x"})
    assert bad.status_code == 400 and "not right" in bad.text and 'value="pw@example.org"' in bad.text
    none = client.post_form("/account/login", {"method": "password", "email": "no@example.org", "password": "x"})
    assert none.status_code == 400 and "not right" in none.text
    ok = client.post_form("/account/login", {"method": "password", "email": "pw@example.org", "password": STRONG,
                                             "next": "/account/settings"})
    assert ok.status_code == 303 and ok.headers["location"] == "/account/settings"


def test_password_sign_in_is_throttled_per_account(client, flows):
    flows.create_account("slow@example.org", password=STRONG)
    flows.sign_out()
    for _ in range(10):
        client.post_form("/account/login", {"method": "password", "email": "slow@example.org", "password": "x"})
    response = client.post_form("/account/login", {"method": "password", "email": "slow@example.org",
                                                   "password": STRONG})
    assert response.status_code == 429


def test_reset_password_and_return_to_the_page(client, flows, mailbox):
    flows.create_account("reset@example.org", password=STRONG)
    flows.sign_out()
    response = client.post_form("/account/reset", {"email": "reset@example.org", "next": "/newsletter"})
    assert response.status_code == 303
    page = flows.verify("reset", "reset@example.org", flows.code_for("reset@example.org"), "/newsletter")
    assert page.status_code == 200 and "Create a new password" in page.text
    import re

    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    weak = client.post_form("/account/reset/password", {"token": token, "password": "weakpass", "next": "/newsletter"})
    assert weak.status_code == 400
    done = client.post_form("/account/reset/password", {"token": token, "password": "N3w-Passw0rd-Lake!",
                                                        "next": "/newsletter"})
    assert done.status_code == 200 and "Your password has been updated" in done.text
    assert 'href="/newsletter"' in done.text
    again = client.post_form("/account/reset/password", {"token": token, "password": "An0ther-Passw0rd-Lake!"})
    assert again.status_code == 400
    ok = client.post_form("/account/login", {"method": "password", "email": "reset@example.org",
                                             "password": "N3w-Passw0rd-Lake!"})
    assert ok.status_code == 303


def test_reset_never_returns_to_another_site(client, flows):
    flows.create_account("evil@example.org")
    flows.sign_out()
    client.post_form("/account/reset", {"email": "evil@example.org", "next": "//evil.example/x"})
    page = flows.verify("reset", "evil@example.org", flows.code_for("evil@example.org"), "//evil.example/x")
    assert "evil.example" not in page.text
