"""Register → code → verified → newsletter offer; the same answer whether or not the address has an account."""

from __future__ import annotations

from consult.accounts.models import User
from tests.accounts.conftest import STRONG, get_user
from tests.support.mailbox import code_in, text_of


def test_register_verify_sign_out_and_sign_in_by_code(client, flows, mailbox):
    response = flows.register("amina@example.org", name="Amina", language="fr", password=STRONG)
    assert response.headers["location"].startswith("/account/verify?purpose=register")
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert "30" in page.text and "Send new code" in page.text or "code" in page.text
    flows.deliver()
    message = mailbox.last_to("amina@example.org")
    assert message.get_body(preferencelist=("html",)) is not None
    code = code_in(message)
    response = flows.verify("register", "amina@example.org", code)
    assert response.status_code == 303
    assert response.headers["location"] == "/account/welcome"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    welcome = client.get("/account/welcome")
    assert welcome.status_code == 200
    assert 'action="/account/settings/newsletter"' in welcome.text
    user = client.run(get_user, "amina@example.org")
    assert user.language == "fr" and user.email_verified_at is not None and user.password_hash.startswith("$argon2id$")

    flows.sign_out()
    assert client.get("/account/settings").status_code == 303
    response = flows.sign_in_by_code("amina@example.org")
    assert response.status_code == 303
    assert client.get("/account/settings").status_code == 200
