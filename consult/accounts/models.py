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
    #: An IANA zone such as Europe/Kyiv to show dates in; unset, consultation dates show in their own zone.
    time_zone = fields.CharField(max_length=64, null=True)
    #: argon2id; empty when the user signs in by emailed code only.
    password_hash = fields.CharField(max_length=255, null=True)
    #: Two-step sign-in (consult.accounts.two_step): the authenticator app's shared secret (base32), set when she
    #: starts setting it up; on only from ``two_step_since``, once she typed a code the app made.
    two_step_secret = fields.CharField(max_length=64, null=True)
    two_step_since = fields.DatetimeField(null=True)
    #: The last 30-second step whose code was taken: a code is good once (RFC 6238, section 5.2).
    two_step_last_step = fields.BigIntField(default=0)
    #: Keyed hashes of the recovery codes not used yet.
    two_step_recovery = fields.JSONField(default=list)
    email_verified_at = fields.DatetimeField(null=True)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "users"

    def __str__(self) -> str:
        return self.email


class Session(Model):
    """A signed-in browser. The cookie carries a random id; only its SHA-256 is stored, so a copy of the database
    cannot be used to take over sessions, and deleting the row really signs the browser out."""

    id = fields.BigIntField(primary_key=True)
    key_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE)
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    #: The absolute end of the session (settings.session_lifetime after sign-in), whatever the activity.
    expires_at = fields.DatetimeField()
    #: A coarse description of the browser, such as Firefox on Linux, for the settings page; never an address.
    label = fields.CharField(max_length=80, default="")

    class Meta:
        table = "account_sessions"


class EmailCode(Model):
    """The emailed code of one purpose for one address ("register", "login", "reset", "email").

    One row per (purpose, address), found by ``key`` (a keyed hash of both, so that the addresses people typed
    without having an account are not kept in clear). A new code replaces the hash in place: the failure count
    and the sending counts stay, which is what stops "send new code" from buying more guesses.
    """

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=64, unique=True)
    purpose = fields.CharField(max_length=16)
    code_hash = fields.CharField(max_length=64, null=True)
    #: The keyed hash of the secret in the one-click sign-in link, when the mail has one.
    link_hash = fields.CharField(max_length=64, null=True)
    expires_at = fields.DatetimeField(null=True)
    used_at = fields.DatetimeField(null=True)
    failures = fields.IntField(default=0)
    #: Codes sent since ``window_started_at`` (the hourly limit) and the last one (the per-minute limit).
    sends = fields.IntField(default=0)
    window_started_at = fields.DatetimeField()
    last_sent_at = fields.DatetimeField(null=True)
    #: What the code confirms: a pending registration (name, language, password hash), a new address…
    payload = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_codes"


class PasswordFailures(Model):
    """Wrong passwords typed for one address within a window: the per-account sign-in throttle, shared by every
    app server and worker (ASVS V2.2.1 counts per account, whichever process answered).

    Found by ``key``, a keyed hash of the address as typed (an address without an account is counted too, so the
    answer does not tell which addresses have one). Nothing of the client is kept here.
    """

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=64, unique=True)
    failures = fields.IntField(default=0)
    window_started_at = fields.DatetimeField()

    class Meta:
        table = "account_password_failures"


class AccountInvitation(Model):
    """An invitation by an administrator; the token of its link is stored as a keyed hash only.

    (No apostrophes in model docstrings: Tortoise copies them into SQL comments, which confuse the SQLite catalogue
    readers.)
    """

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    email = fields.CharField(max_length=254)
    role = fields.CharField(max_length=16)
    language = fields.CharField(max_length=8, default="en")
    invited_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitations_sent", null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    accepted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account_invitations"


class AuditEvent(Model):
    """A security event for the audit log that administrators read. Never a code, a password or a client's address."""

    id = fields.BigIntField(primary_key=True)
    created_at = fields.DatetimeField(db_index=True)
    event = fields.CharField(max_length=32)
    #: Whose account the event is about (kept empty once the account is deleted).
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="audit_events", null=True, on_delete=fields.SET_NULL)
    #: Who did it, when not the user herself (an administrator changing a role).
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="audit_actions", null=True, on_delete=fields.SET_NULL)
    detail = fields.JSONField(default=dict)

    class Meta:
        table = "audit_events"


class NewsletterSubscriber(Model):
    """An address that asked for the newsletter; it receives issues once ``confirmed_at`` is set (double opt-in)."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    language = fields.CharField(max_length=8, default="en")
    confirmed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "newsletter_subscribers"


class NewsletterIssue(Model):
    """One issue of the newsletter in one language, written by an administrator."""

    id = fields.IntField(primary_key=True)
    language = fields.CharField(max_length=8)
    subject = fields.CharField(max_length=200)
    body = fields.TextField()
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="newsletter_issues", null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    recipients = fields.IntField(default=0)

    class Meta:
        table = "newsletter_issues"
