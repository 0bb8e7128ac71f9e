"""The audit log of security events, for administrators. Never a code, a password or a client's address."""

from __future__ import annotations

from consult.accounts import clock
from consult.accounts.models import AuditEvent, User
from consult.i18n import lazy_gettext

EVENTS = {
    "registered": lazy_gettext("Account created"),
    "sign_in": lazy_gettext("Signed in"),
    "sign_in_failed": lazy_gettext("Sign-in failed"),
    "code_failed": lazy_gettext("Wrong code entered"),
    "sign_out": lazy_gettext("Signed out"),
    "sign_out_everywhere": lazy_gettext("Signed out everywhere"),
    "password_changed": lazy_gettext("Password changed"),
    "password_reset": lazy_gettext("Password reset"),
    "email_changed": lazy_gettext("Email address changed"),
    "role_changed": lazy_gettext("Role changed"),
    "invited": lazy_gettext("Invitation sent"),
    "invitation_accepted": lazy_gettext("Invitation accepted"),
    "account_deleted": lazy_gettext("Account deleted"),
    "two_step_on": lazy_gettext("Two-step sign-in turned on"),
    "two_step_off": lazy_gettext("Two-step sign-in turned off"),
    "two_step_failed": lazy_gettext("Wrong two-step code entered"),
    "two_step_recovery_used": lazy_gettext("Recovery code used"),
}


async def record(event: str, user: User | None = None, actor: User | None = None, **detail: str | int) -> None:
    assert event in EVENTS, event
    # By id: the user objects come from several queries (a session's select_related…); ids are what is stored.
    await AuditEvent.create(created_at=clock.now(), event=event, user_id=user.id if user else None,
                            actor_id=actor.id if actor else None, detail=detail)
