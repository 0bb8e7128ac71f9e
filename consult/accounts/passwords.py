"""Passwords: the rules (length, character classes, not a common one) and argon2id hashing."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from consult.i18n import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 256  # long passphrases are welcome; the bound only stops hashing megabytes
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"

_hasher = PasswordHasher()
# A hash to verify against when there is no account, so that a wrong address costs as long as a wrong password.
_dummy_hash: str | None = None


def configure(time_cost: int, memory_kib: int, parallelism: int) -> None:
    """Set the argon2id parameters (from :class:`consult.accounts.config.AccountSettings`)."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
    _dummy_hash = None


@functools.lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _is_common(password: str) -> bool:
    lowered = password.lower()
    # "Password123!" is "password" dressed up to pass the character rules: strip digits and symbols at the ends.
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)
    known = common_passwords()
    return lowered in known or core in known


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why ``password`` is refused (a translated sentence), or ``None`` when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _("The password must be at least %(min)s characters long.", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("The password must be at most %(max)s characters long.", max=MAX_LENGTH)
    if any(c.isspace() for c in password):
        return _("The password must not contain spaces.")
    if not (any(c.islower() for c in password) and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password) and any(not c.isalnum() for c in password)):
        return _("The password must include upper- and lower-case letters, numbers and symbols.")
    if _is_common(password) or (email and email.split("@")[0].lower() in password.lower()
                                and len(email.split("@")[0]) >= 4):
        return _("This password is too common or too easy to guess. Please choose another one.")
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; with no stored hash, spend the same time and answer False."""
    global _dummy_hash
    if not stored_hash:
        if _dummy_hash is None:
            _dummy_hash = _hasher.hash("not-a-password-" + "x" * 12)
        try:
            _hasher.verify(_dummy_hash, password + "\0")
        except VerificationError:
            pass
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than today's (then it is replaced at sign-in)."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
