"""Emailed one-time codes: issued from ``secrets``, kept only as a keyed hash, single use, compared in constant time.

Limits (per purpose and address, counted in the database so that they hold across app servers):

- a code expires after the purpose's minutes (30 for registration and reset, 10 for sign-in);
- at most :data:`MAX_FAILURES` wrong entries, counted across the codes of one hour: asking for a new code replaces
  the code but keeps the count, so "send new code" never buys more guesses;
- a new code at most once a minute and :data:`MAX_SENDS_PER_HOUR` times an hour.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from consult.accounts import clock
from consult.accounts.models import EmailCode
from consult.i18n import gettext as _

DIGITS = 6
MAX_FAILURES = 5
MAX_SENDS_PER_HOUR = 5
RESEND_AFTER = dt.timedelta(minutes=1)
WINDOW = dt.timedelta(hours=1)
PURPOSES = ("register", "login", "reset", "email")


def keyed_hash(secret_key: str, *parts: str) -> str:
    """HMAC-SHA256 of the parts: what is stored instead of a code, a link token or an address."""
    message = "\x1f".join(parts).encode("utf-8")
    return hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def code_key(secret_key: str, purpose: str, email: str) -> str:
    return keyed_hash(secret_key, "code-row", purpose, email)


class TooManyCodes(Exception):
    """A new code was asked for too soon; ``retry_after`` is in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = max(1, retry_after)


@dataclass
class Issued:
    code: str
    #: ``"<row id>.<secret>"`` for the one-click sign-in link (``None`` unless asked for).
    link_token: str | None
    row: EmailCode


async def issue(secret_key: str, purpose: str, email: str, minutes: int, payload: dict | None = None,
                with_link: bool = False) -> Issued:
    """Make a new code for ``purpose`` and ``email`` (replacing the previous one). Call inside a transaction.

    Raises
    ------
    TooManyCodes
        When the previous code was sent less than a minute ago, or five were sent this hour.
    """
    now = clock.now()
    key = code_key(secret_key, purpose, email)
    row = await EmailCode.filter(key=key).select_for_update().first()
    if row is None:
        row = EmailCode(key=key, purpose=purpose, window_started_at=now, sends=0, failures=0, payload={})
    elif now - row.window_started_at >= WINDOW:
        row.window_started_at, row.sends, row.failures = now, 0, 0
    if row.last_sent_at is not None and now - row.last_sent_at < RESEND_AFTER:
        raise TooManyCodes(int((row.last_sent_at + RESEND_AFTER - now).total_seconds()))
    if row.sends >= MAX_SENDS_PER_HOUR:
        raise TooManyCodes(int((row.window_started_at + WINDOW - now).total_seconds()))
    code = "".join(secrets.choice("0123456789") for _ in range(DIGITS))
    row.code_hash = keyed_hash(secret_key, "code", key, code)
    row.expires_at = now + dt.timedelta(minutes=minutes)
    row.used_at = None
    row.sends += 1
    row.last_sent_at = now
    if payload is not None:
        row.payload = payload
    link_secret = secrets.token_urlsafe(24) if with_link else None
    row.link_hash = keyed_hash(secret_key, "link", key, link_secret) if link_secret else None
    await row.save()
    return Issued(code=code, link_token=f"{row.id}.{link_secret}" if link_secret else None, row=row)


@dataclass
class Checked:
    row: EmailCode | None
    #: A translated sentence when the code was refused; ``None`` when it was right (and is now used up).
    error: str | None


def _state_error(row: EmailCode | None, now: dt.datetime) -> str | None:
    if row is None or row.code_hash is None:
        return _("This code is not right. Check the latest email we sent and try again.")
    if row.failures >= MAX_FAILURES:
        return _("Too many wrong codes were entered. Please ask for a new code in an hour.")
    if row.used_at is not None:
        return _("This code has already been used. Please ask for a new code.")
    if row.expires_at is None or row.expires_at <= now:
        return _("This code has expired. Please ask for a new code.")
    return None


async def check(secret_key: str, purpose: str, email: str, code: str) -> Checked:
    """Check a typed code; a right one is used up, a wrong one counted. Call inside a transaction."""
    now = clock.now()
    key = code_key(secret_key, purpose, email)
    row = await EmailCode.filter(key=key).select_for_update().first()
    error = _state_error(row, now)
    if error:
        return Checked(row, error)
    assert row is not None and row.code_hash is not None
    typed = "".join(ch for ch in (code or "") if ch.isdigit())[:32]
    if not hmac.compare_digest(keyed_hash(secret_key, "code", key, typed), row.code_hash):
        row.failures += 1
        await row.save(update_fields=["failures"])
        if row.failures >= MAX_FAILURES:
            return Checked(row, _("Too many wrong codes were entered. Please ask for a new code in an hour."))
        return Checked(row, _("This code is not right. Check the latest email we sent and try again."))
    row.used_at = now
    row.failures = 0
    await row.save(update_fields=["used_at", "failures"])
    return Checked(row, None)


async def check_link(secret_key: str, purpose: str, token: str) -> Checked:
    """Check a one-click link's token (``"<row id>.<secret>"``) like a typed code."""
    now = clock.now()
    row_id, _sep, link_secret = (token or "").partition(".")
    row = None
    if row_id.isdigit() and link_secret:
        row = await EmailCode.filter(id=int(row_id), purpose=purpose).select_for_update().first()
    if _state_error(row, now) or row is None or row.link_hash is None:
        return Checked(row, _("This sign-in link can no longer be used. Please ask for a new code."))
    assert row is not None and row.link_hash is not None
    if not hmac.compare_digest(keyed_hash(secret_key, "link", row.key, link_secret), row.link_hash):
        row.failures += 1
        await row.save(update_fields=["failures"])
        return Checked(row, _("This sign-in link can no longer be used. Please ask for a new code."))
    row.used_at = now
    row.failures = 0
    await row.save(update_fields=["used_at", "failures"])
    return Checked(row, None)
