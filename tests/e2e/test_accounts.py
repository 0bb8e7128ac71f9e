"""The account pages in a real browser on a 360×740 phone, JavaScript on and off: register → the code from the live
server's outbox → verified → sign out → sign in by code; a wrong code first, to see the error. In Arabic (right to
left), with screenshots kept in test-artifacts/, and axe-core finding no serious or critical violation on each
account page in English and Arabic."""

from __future__ import annotations

import time

import pyotp
import pytest

from tests.e2e.conftest import axe_violations, screenshot
from tests.e2e.support import latest_code, outbox_dir

pytestmark = pytest.mark.e2e


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def submit(page, action: str) -> None:
    page.locator(f"form[action='{action}'] [type=submit]").click()


@pytest.mark.parametrize("phone", [True, False], indirect=True, ids=["js", "nojs"])
def test_register_verify_sign_out_and_sign_in_by_code(live_server, phone, request, tmp_path_factory):
    name = request.node.callspec.id
    address = f"e2e-{name}-{int(time.time() * 1000)}@example.org"
    outbox = outbox_dir(tmp_path_factory)

    # Register, in Arabic.
    since = time.time()
    phone.goto(f"{live_server}/language/ar?next=/account/register")
    assert phone.locator("html").get_attribute("dir") == "rtl"
    phone.locator("#email").fill(address)
    phone.locator("#display_name").fill("ليلى")
    no_sideways_scroll(phone)
    screenshot(phone, f"accounts-register-{name}")
    submit(phone, "/account/register")
    phone.wait_for_url("**/account/verify**")
    code = latest_code(outbox, address, since)
    # The address reads left to right inside the Arabic sentence (not reordered by the bidi algorithm).
    assert phone.locator("bdi[dir=ltr]").inner_text() == address

    # A wrong code first: the error is shown at the field and announced (aria-invalid, described by the error).
    phone.locator("#code").fill("000000" if code != "000000" else "111111")
    submit(phone, "/account/verify")
    phone.wait_for_selector("#code[aria-invalid=true]")
    described = phone.locator("#code").get_attribute("aria-describedby")
    assert described and phone.locator(f"#{described}").inner_text().strip()
    no_sideways_scroll(phone)
    screenshot(phone, f"accounts-verify-wrong-code-{name}")

    phone.locator("#code").fill(code)
    submit(phone, "/account/verify")
    phone.wait_for_url("**/account/welcome")
    assert phone.locator("header a[href='/account/settings']").inner_text().strip() == "ليلى"
    no_sideways_scroll(phone)
    screenshot(phone, f"accounts-welcome-{name}")

    # Sign out (the button in the header).
    phone.locator("form[action='/account/logout'] button").click()
    phone.wait_for_url(live_server + "/")
    assert phone.locator("a[href='/account/login']").count() == 1
    assert phone.locator("a[href='/account/settings']").count() == 0

    # Sign in again by emailed code; back to the page asked for.
    since = time.time()
    phone.goto(f"{live_server}/account/login?next=/account/settings")
    phone.locator("#email").fill(address)
    screenshot(phone, f"accounts-login-{name}")
    submit(phone, "/account/login")
    phone.wait_for_url("**/account/verify**")
    screenshot(phone, f"accounts-verify-{name}")
    phone.locator("#code").fill(latest_code(outbox, address, since))
    submit(phone, "/account/verify")
    phone.wait_for_url("**/account/settings")
    assert address in phone.content()
    no_sideways_scroll(phone)
    screenshot(phone, f"accounts-settings-{name}")
    assert phone.foreign_requests == []


def through_the_code(page, action: str, fields: dict[str, str], address: str, outbox) -> None:
    """Fill and send the form at ``action`` (registering, signing in), then type the code mailed to ``address``."""
    since = time.time()
    for selector, value in fields.items():
        page.locator(selector).fill(value)
    page.locator(f"form[action='{action}'] [type=submit]").click()
    page.wait_for_url("**/account/verify**")
    page.locator("#code").fill(latest_code(outbox, address, since))
    page.locator("form[action='/account/verify'] [type=submit]").click()


ANONYMOUS_PAGES = [
    "/account/register",
    "/account/login",
    "/account/login?method=password",
    "/account/verify?purpose=login&email=someone%40example.org",
    "/account/reset",
    "/account/login/link?t=1.x",
    "/newsletter",
]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_account_pages_have_no_serious_accessibility_violations(live_server, audit_page, language,
                                                                tmp_path_factory):
    found = {}
    audit_page.goto(f"{live_server}/language/{language}?next=/")
    for path in ANONYMOUS_PAGES:
        audit_page.goto(live_server + path)
        found[path] = axe_violations(audit_page)
    # A form sent back with errors.
    audit_page.goto(live_server + "/account/register")
    audit_page.locator("form[action='/account/register'] [type=submit]").click()
    audit_page.wait_for_selector("[aria-invalid=true]")
    found["register with errors"] = axe_violations(audit_page)
    # Signed in (a new account of its own, so no other test's code limits apply): welcome and settings.
    address, outbox = f"axe-{language}-{int(time.time() * 1000)}@example.org", outbox_dir(tmp_path_factory)
    audit_page.goto(live_server + "/account/register")
    through_the_code(audit_page, "/account/register", {"#email": address, "#display_name": "Axe"}, address, outbox)
    audit_page.wait_for_url("**/account/welcome")
    found["/account/welcome"] = axe_violations(audit_page)
    audit_page.goto(live_server + "/account/settings")
    found["/account/settings"] = axe_violations(audit_page)

    # Two-step sign-in: the QR code and key, the recovery codes, then the second step of the next sign-in.
    audit_page.locator("form[action='/account/settings/two-step-setup'] button").click()
    audit_page.wait_for_selector(".qr svg")
    found["settings, setting up two-step sign-in"] = axe_violations(audit_page)
    key = audit_page.locator("#two-step ~ p code[dir=ltr]").inner_text().replace(" ", "")
    audit_page.locator("#two_step_code").fill(pyotp.TOTP(key).now())
    audit_page.locator("form[action='/account/settings/two-step-confirm'] button").click()
    audit_page.wait_for_selector("ul.recovery-codes li")
    found["settings, recovery codes"] = axe_violations(audit_page)
    recovery = audit_page.locator("ul.recovery-codes li code").first.inner_text()
    audit_page.locator("form[action='/account/logout'] button").click()
    audit_page.wait_for_url(live_server + "/")
    audit_page.goto(live_server + "/account/login?next=/account/settings")
    through_the_code(audit_page, "/account/login", {"#email": address}, address, outbox)
    audit_page.wait_for_selector("form[action='/account/two-step']")
    found["second step"] = axe_violations(audit_page)
    audit_page.locator("#code").fill(recovery)  # the app's code of the setup is good once: a recovery code here
    audit_page.locator("form[action='/account/two-step'] [type=submit]").click()
    audit_page.wait_for_url("**/account/settings")
    assert {path: v for path, v in found.items() if v} == {}
