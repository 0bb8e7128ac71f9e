"""Invitations: an administrator invites a panel member or an analyst by email; the link creates the account."""

from __future__ import annotations

import datetime as dt
import secrets

from starlette.requests import Request
from tortoise.transactions import in_transaction

from consult.accounts import audit, clock, codes
from consult.accounts.models import AccountInvitation, Role, User
from consult.i18n import lazy_gettext
from consult.mail.compose import send_mail

INVITABLE = (Role.PANEL, Role.ANALYST, Role.ADMIN)


def token_hash(request: Request, token: str) -> str:
    return codes.keyed_hash(request.app.state.settings.secret_key, "invitation", token)


async def invite(request: Request, email: str, role: Role, language: str, actor: User) -> AccountInvitation:
    settings = request.app.state.settings
    token = secrets.token_urlsafe(32)
    now = clock.now()
    async with in_transaction():
        invitation = await AccountInvitation.create(
            token_hash=token_hash(request, token), email=email, role=role.value, language=language,
            invited_by_id=actor.id, created_at=now,
            expires_at=now + dt.timedelta(days=request.app.state.accounts.invitation_days))
        await send_mail(email, "invitation", language, lazy_gettext("You are invited"),
                        {"url": f"{settings.base_url}/account/invitation?t={token}", "role": role.label,
                         "days": request.app.state.accounts.invitation_days}, kind="invitation")
        await audit.record("invited", actor=actor, role=role.value)
    request.app.state.mailer.notify()
    return invitation


async def find(request: Request, token: str) -> AccountInvitation | None:
    """The open invitation a link's token names (not accepted, not expired)."""
    if not token or len(token) > 200:
        return None
    invitation = await AccountInvitation.get_or_none(token_hash=token_hash(request, token))
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= clock.now():
        return None
    return invitation


async def accept(invitation: AccountInvitation, display_name: str, language: str, password_hash: str | None) -> User:
    async with in_transaction():
        now = clock.now()
        user = await User.create(email=invitation.email, display_name=display_name, role=invitation.role,
                                 language=language, password_hash=password_hash, email_verified_at=now)
        invitation.accepted_at = now
        await invitation.save(update_fields=["accepted_at"])
        await audit.record("invitation_accepted", user=user, role=invitation.role)
    return user
