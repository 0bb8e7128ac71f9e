"""Creating and finding users; the one place that decides what an email address looks like."""

from __future__ import annotations

import re

from tortoise.transactions import in_transaction

from consult.accounts.models import Role, User
from consult.i18n import gettext as _

# Deliberately plain: one "@", no spaces, a dot in the domain. Deliverability is proven by the emailed code.
_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]\\]{1,64}@[^@\s<>(),;:\"\[\]\\]+\.[^@\s<>(),;:\"\[\]\\.]{2,}$")


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message is translated."""


def normalize_email(raw: str) -> str:
    """Trim and lower-case an address, or raise :class:`UserError` when it is not one."""
    email = (raw or "").strip().lower()
    if len(email) > 254 or not _EMAIL.match(email) or ".." in email:
        raise UserError(_("Enter an email address like name@example.org."))
    return email


async def create_user(email: str, role: Role | str = Role.RESPONDENT, display_name: str | None = None,
                      language: str = "en", verified: bool = False) -> User:
    email = normalize_email(email)
    role = Role(role)
    name = (display_name or email.split("@")[0]).strip()[:120]
    async with in_transaction():
        if await User.filter(email=email).exists():
            raise UserError(_("An account with this email address already exists."))
        from datetime import datetime, timezone

        return await User.create(
            email=email,
            display_name=name,
            role=role.value,
            language=language,
            email_verified_at=datetime.now(timezone.utc) if verified else None,
        )
