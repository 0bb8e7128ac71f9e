"""Settings of the account system that the foundation's settings do not cover, read from ``CONSULT_*`` variables.

Kept apart so that tests can lower the cost of password hashing without touching the global settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping


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


def load_account_settings(environ: Mapping[str, str] | None = None) -> AccountSettings:
    environ = os.environ if environ is None else environ

    def number(name: str, default: int) -> int:
        raw = environ.get(name, "").strip()
        if not raw:
            return default
        value = int(raw)
        if value <= 0:
            raise ValueError(f"{name} must be greater than zero")
        return value

    defaults = AccountSettings()
    return AccountSettings(
        argon2_time_cost=number("CONSULT_ARGON2_TIME_COST", defaults.argon2_time_cost),
        argon2_memory_kib=number("CONSULT_ARGON2_MEMORY_KIB", defaults.argon2_memory_kib),
        argon2_parallelism=number("CONSULT_ARGON2_PARALLELISM", defaults.argon2_parallelism),
        code_subject=environ.get("CONSULT_CODE_MAIL_SUBJECT", "").strip(),
    )
