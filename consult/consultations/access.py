"""Who may read a consultation, comment on it, see whose comments, and run it.

Readers are the administrators (the secretariat) and the invited users; a respondent never reads a consultation,
invited or not, and nobody but the secretariat sees one still in preparation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from starlette.requests import Request

from consult.accounts import clock
from consult.accounts.models import Role, User
from consult.accounts.permissions import check_role
from consult.consultations.models import Comment, Consultation, Invitee, Phase, Visibility
from consult.i18n import gettext as _
from consult.web import PageError, not_found


def is_secretariat(user: User | None) -> bool:
    return user is not None and user.is_active and user.role == Role.ADMIN.value


@dataclass
class Reader:
    """A signed-in user reading one consultation, and what she may do there."""

    user: User
    consultation: Consultation
    invitee: Invitee | None

    @property
    def secretariat(self) -> bool:
        return is_secretariat(self.user)

    def accepting_comments(self, now: dt.datetime | None = None) -> bool:
        """Open, and the closing date (if any) not passed yet."""
        now = now or clock.now()
        c = self.consultation
        return c.phase == Phase.OPEN.value and (c.closes_at is None or now < c.closes_at)

    @property
    def may_comment(self) -> bool:
        return self.invitee is not None or self.secretariat

    def sees_comment_of(self, comment: Comment) -> bool:
        """Whether this reader sees a comment at all (hidden ones show as a placeholder elsewhere)."""
        if self.secretariat or comment.author_id == self.user.id:
            return True
        if self.consultation.phase == Phase.PUBLISHED.value:
            return True
        return self.consultation.visibility == Visibility.MEMBERS.value

    @property
    def sees_matrix(self) -> bool:
        return self.secretariat or self.consultation.phase == Phase.PUBLISHED.value


async def reader_for(request: Request, consultation_id: int | str) -> Reader:
    """The signed-in reader of consultation ``consultation_id``.

    Raises
    ------
    PageError
        401 (or the sign-in redirect, through ``check_role``) when nobody is signed in, 403 for a respondent, 404
        when the consultation does not exist or the user is not invited to it (so its existence is not disclosed).
    """
    user = check_role(request)
    if user.role == Role.RESPONDENT.value:
        raise PageError(403, _("Consultations are open to panel members and the secretariat only."))
    try:
        key = int(consultation_id)
    except (TypeError, ValueError):
        raise not_found() from None
    consultation = await Consultation.get_or_none(id=key)
    if consultation is None:
        raise not_found()
    invitee = await Invitee.get_or_none(consultation_id=consultation.id, user_id=user.id)
    if is_secretariat(user):
        return Reader(user, consultation, invitee)
    if invitee is None or consultation.phase == Phase.DRAFT.value:
        raise not_found()
    return Reader(user, consultation, invitee)


def require_secretariat(reader: Reader) -> None:
    if not reader.secretariat:
        raise PageError(403, _("Only the secretariat can do this."))
