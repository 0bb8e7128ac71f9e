"""Two-step sign-in: after the emailed code, the link or the password, a code from an authenticator app (TOTP,
RFC 6238: six digits that change every 30 seconds, made from a secret shared once through a QR code).

An email account that someone else can read (a shared phone, a taken-over mailbox) then no longer opens the account
alone (ASVS V4.3.1, V2.2.2). The administration and analysis pages hold every response, so production asks it of
those roles (``CONSULT_TWO_STEP_ROLES``).

* A code is taken once: the step it belongs to is kept, and a code of that step or an earlier one is refused
  (RFC 6238, section 5.2). The check and the update are one conditional statement, so two servers cannot both take
  the same code.
* One step either side of the server's clock is accepted (a phone a little fast or slow).
* Ten recovery codes, shown once when two-step sign-in is turned on, each good once, for a lost phone; only their
  keyed hashes are kept.
* Between the first step and the second, the browser holds a signed ticket (who, how she signed in, where to go
  next) good for :data:`TICKET_SECONDS`; it opens nothing by itself.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

import pyotp
import segno
from itsdangerous import BadSignature, URLSafeTimedSerializer
from tortoise.transactions import in_transaction

from consult.accounts import clock
from consult.accounts.codes import keyed_hash
from consult.accounts.models import User

#: Seconds a first step stays good for its second.
TICKET_SECONDS = 10 * 60
RECOVERY_CODES = 10
#: A recovery code: 10 characters from an alphabet without look-alikes (about 50 bits), shown as two groups.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_ISSUER = "Consult"


def new_secret() -> str:
    """A fresh shared secret: 160 random bits in base32, as RFC 4226 recommends."""
    return pyotp.random_base32(32)


def setup_uri(secret: str, email: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=_ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as an inline SVG element, drawn here: no image service sees the secret."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff", omitsize=False)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _step(at: dt.datetime) -> int:
    return int(at.timestamp()) // 30


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def code_is_right(secret: str, code: str, at: dt.datetime) -> int | None:
    """The step of ``code`` when it is the app's code for ``at`` or a step either side; ``None`` otherwise."""
    code = _normalise(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = _step(at)
    for step in (now, now - 1, now + 1):
        if hmac.compare_digest(totp.at(step * 30), code):
            return step
    return None


async def take_code(user: User, code: str) -> bool:
    """Whether ``code`` is a good app code for ``user`` never taken before; a good one is taken (used up)."""
    if not user.two_step_secret:
        return False
    step = code_is_right(user.two_step_secret, code, clock.now())
    if step is None:
        return False
    # One statement: of two requests with the same code (two servers, a double click), one takes it.
    return bool(await User.filter(id=user.id, two_step_last_step__lt=step).update(two_step_last_step=step))


def new_recovery_codes(secret_key: str) -> tuple[list[str], list[str]]:
    """Ten recovery codes to show once, and the keyed hashes to keep."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes, [_recovery_hash(secret_key, code) for code in codes]


def _recovery_hash(secret_key: str, code: str) -> str:
    return keyed_hash(secret_key, "two-step-recovery", _normalise(code))


async def take_recovery_code(secret_key: str, user: User, code: str) -> bool:
    """Whether ``code`` is one of ``user``'s unused recovery codes; a good one is used up."""
    wanted = _recovery_hash(secret_key, code)
    async with in_transaction():
        row = await User.filter(id=user.id).select_for_update().first()
        left = list(row.two_step_recovery or []) if row else []
        if not any(hmac.compare_digest(wanted, kept) for kept in left):
            return False
        left.remove(wanted)
        await User.filter(id=user.id).update(two_step_recovery=left)
    user.two_step_recovery = left
    return True


def is_on(user: User | None) -> bool:
    return user is not None and user.two_step_since is not None


# ---------------------------------------------------------------------------------------------- the ticket


@dataclass(frozen=True)
class Ticket:
    """A first step passed: who, how (``code``, ``link``, ``password``), and where she was going."""

    user_id: int
    method: str
    next_url: str | None


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="consult.two-step")


def ticket(secret_key: str, user: User, method: str, next_url: str | None) -> str:
    return _serializer(secret_key).dumps([user.id, method, next_url])


def read_ticket(secret_key: str, token: str) -> Ticket | None:
    """The ticket ``token`` holds, or ``None`` when it is forged, malformed or older than :data:`TICKET_SECONDS`."""
    try:
        user_id, method, next_url = _serializer(secret_key).loads(token, max_age=TICKET_SECONDS)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(method, str) or not isinstance(next_url, (str, type(None))):
        return None
    return Ticket(user_id, method, next_url)
