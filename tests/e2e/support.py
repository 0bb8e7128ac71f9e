"""Helpers shared by the end-to-end tests: the live server's outbox and signing in with an emailed code."""

from __future__ import annotations

import email
import email.policy
import re
import time
from pathlib import Path

CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def outbox_dir(tmp_path_factory) -> Path:
    """The outbox directory of the session's live server (``CONSULT_MAIL_URL=file://<data>/outbox``)."""
    data = sorted(tmp_path_factory.getbasetemp().glob("live*/consult.sqlite3"))
    assert data, "the live_server fixture must run first"
    return data[-1].parent / "outbox"


def _text(message) -> str:
    part = message.get_body(preferencelist=("plain",)) or message
    return part.get_content()


def latest_code(outbox: Path, address: str, since: float, timeout: float = 15.0) -> str:
    """The code in the newest mail to ``address`` written after ``since`` (a ``time.time()``), waiting for the
    delivery loop to write it."""
    deadline = time.monotonic() + timeout
    while True:
        files = sorted(outbox.glob("*.eml"), key=lambda f: f.stat().st_mtime, reverse=True) if outbox.is_dir() else []
        for path in files:
            if path.stat().st_mtime < since - 1:
                break
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address.lower() in str(message["To"]).lower():
                found = CODE.search(_text(message))
                if found:
                    return found.group(1)
        if time.monotonic() > deadline:
            raise AssertionError(f"no code mailed to {address} in {outbox}")
        time.sleep(0.1)  # the delivery loop writes the file; nothing in a page to wait on


def sign_in(page, base: str, outbox: Path, address: str, next_path: str = "/") -> None:
    """Sign in by emailed code: ask for a code, read it from the outbox, enter it."""
    since = time.time()
    page.goto(f"{base}/account/login?next={next_path}")
    page.locator("#email").fill(address)
    page.locator("form[action='/account/login'] [type=submit]").click()
    page.wait_for_url("**/account/verify**")
    page.locator("#code").fill(latest_code(outbox, address, since))
    page.locator("form[action='/account/verify'] [type=submit]").click()
    page.wait_for_url(lambda url: "/account/" not in url)
