"""People who sign in: the user record and its role."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from consult.i18n import lazy_gettext


class Role(StrEnum):
    """What a user may do. Ordered from the most to the least powerful."""

    ADMIN = "admin"
    ANALYST = "analyst"
    PANEL = "panel"
    RESPONDENT = "respondent"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: lazy_gettext("Administrator"),
    Role.ANALYST: lazy_gettext("Analyst"),
    Role.PANEL: lazy_gettext("Panel member"),
    Role.RESPONDENT: lazy_gettext("Respondent"),
}


class User(Model):
    id = fields.IntField(primary_key=True)
    #: Stored lower-cased, so that one address is one account whatever the case typed.
    email = fields.CharField(max_length=254, unique=True)
    display_name = fields.CharField(max_length=120)
    role = fields.CharField(max_length=16, default=Role.RESPONDENT.value)
    language = fields.CharField(max_length=8, default="en")
    #: argon2id; empty when the user signs in by emailed code only.
    password_hash = fields.CharField(max_length=255, null=True)
    email_verified_at = fields.DatetimeField(null=True)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "users"

    def __str__(self) -> str:
        return self.email
