"""The account system's settings: the few that come from ``CONSULT_*`` variables (through
:mod:`consult.settings`) and the fixed rules (code lifetimes, throttles).

Kept apart so that tests can lower the cost of password hashing without touching the global settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from consult.settings import Settings


@dataclass(frozen=True)
class AccountSettings:
    #: argon2id cost (RFC 9106's second recommended option by default: 64 MiB, 3 passes).
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    argon2_parallelism: int = 4
    #: Subject of mails that carry a code; empty means a neutral, translated "Your one-time code". A code mail must
    #: not tell someone reading over a shoulder what the platform is about.
    code_subject: str = ""
    #: Minutes a code is valid.
    register_code_minutes: int = 30
    reset_code_minutes: int = 30
    email_code_minutes: int = 30
    login_code_minutes: int = 10
    invitation_days: int = 7
    #: Password sign-in attempts allowed per account and per client within ``throttle_window_minutes``.
    login_attempts_per_account: int = 10
    login_attempts_per_client: int = 30
    throttle_window_minutes: int = 15
    #: Minutes after signing in during which the changes that could lock her out (email address, a first password,
    #: signing out everywhere, deleting the account) are allowed; later she signs in again first (ASVS V3.7.1).
    confirm_minutes: int = 15


def load_account_settings(settings: Settings) -> AccountSettings:
    """The account settings that come from the environment (read once, in :mod:`consult.settings`)."""
    return AccountSettings(
        argon2_time_cost=settings.argon2_time_cost,
        argon2_memory_kib=settings.argon2_memory_kib,
        argon2_parallelism=settings.argon2_parallelism,
        code_subject=settings.code_mail_subject,
    )
