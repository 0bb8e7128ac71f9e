"""The mails of a consultation — invitation, opening, reminder before closing, a reply to one's comment, published
responses — each in the recipient's language through the outbox, each with an unsubscribe link for this
consultation only (signed, so it works without signing in)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from itsdangerous import BadSignature, URLSafeSerializer

from consult.accounts import clock
from consult.accounts.models import User
from consult.consultations import zones
from consult.consultations.models import Comment, Consultation, Invitee, Phase
from consult.i18n import lazy_gettext
from consult.mail.compose import send_mail
from consult.settings import Settings

#: Reminders go out this long before the closing date.
REMINDER_BEFORE = dt.timedelta(days=3)

SUBJECTS = {
    "invitation": lazy_gettext("You are invited to comment on a draft"),
    "opened": lazy_gettext("A consultation is open for your comments"),
    "reminder": lazy_gettext("A consultation closes soon"),
    "reply": lazy_gettext("Someone replied to your comment"),
    "responses": lazy_gettext("The responses to your comments are published"),
}


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt="consult.consultations.unsubscribe")


def unsubscribe_token(settings: Settings, consultation_id: int, user_id: int) -> str:
    return _serializer(settings).dumps([consultation_id, user_id])


def read_unsubscribe_token(settings: Settings, token: str) -> tuple[int, int] | None:
    try:
        value = _serializer(settings).loads(token)
    except BadSignature:
        return None
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return value[0], value[1]
    return None


async def mail_user(settings: Settings, consultation: Consultation, user: User, kind: str,
                    context: dict[str, Any] | None = None) -> bool:
    """Queue mail ``kind`` (a template under ``templates/mail/consultations/``) to one user, unless she
    unsubscribed from this consultation. Returns whether a mail was queued."""
    invitee = await Invitee.get_or_none(consultation_id=consultation.id, user_id=user.id)
    if invitee is not None and invitee.unsubscribed_at is not None:
        return False
    if not user.is_active:
        return False
    base = settings.base_url.rstrip("/")
    unsubscribe = f"{base}/consultations/unsubscribe/{unsubscribe_token(settings, consultation.id, user.id)}"
    values = {
        "consultation": consultation,
        "user": user,
        "url": f"{base}/consultations/{consultation.id}",
        "unsubscribe_url": unsubscribe,
        "time_zone": zones.for_reader(user, consultation),  # the recipient's zone, else the consultation's
        **(context or {}),
    }
    await send_mail(user.email, f"consultations/{kind}", user.language, SUBJECTS[kind], values,
                    kind=f"consultation-{kind}"[:32],
                    headers={"List-Unsubscribe": f"<{unsubscribe}>",
                             "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    return True


async def invited_users(consultation: Consultation) -> list[User]:
    rows = await Invitee.filter(consultation_id=consultation.id, unsubscribed_at=None).prefetch_related("user")
    return [row.user for row in rows]


async def mail_all(settings: Settings, consultation: Consultation, users: Iterable[User], kind: str) -> int:
    sent = 0
    for user in users:
        sent += await mail_user(settings, consultation, user, kind)
    return sent


async def send_closing_reminders(settings: Settings, now: dt.datetime | None = None) -> int:
    """Remind the invitees of every open consultation that closes within :data:`REMINDER_BEFORE` (once each).

    Run by ``consult consultations remind`` (from cron, say hourly); ``now`` is injectable for tests.
    """
    now = now or clock.now()
    sent = 0
    due = await Consultation.filter(phase=Phase.OPEN.value, reminder_sent_at=None, closes_at__gt=now,
                                    closes_at__lte=now + REMINDER_BEFORE)
    for consultation in due:
        # Claim the reminder first, so two runs at once do not both send it.
        claimed = await Consultation.filter(id=consultation.id, reminder_sent_at=None).update(reminder_sent_at=now)
        if claimed:
            sent += await mail_all(settings, consultation, await invited_users(consultation), "reminder")
    return sent


async def send_reply_notice(settings: Settings, consultation: Consultation, reply: Comment) -> bool:
    """Tell the author of the comment replied to (not when she replies to herself)."""
    parent = await Comment.get(id=reply.parent_id).prefetch_related("author")
    if parent.author is None or parent.author_id == reply.author_id:
        return False
    return await mail_user(settings, consultation, parent.author, "reply",
                           {"comment_url": f"{settings.base_url.rstrip('/')}/consultations/{consultation.id}"
                                           f"/comments/{parent.id}"})


async def send_responses(settings: Settings, consultation: Consultation) -> int:
    """One mail per author with the fate of each of her comments."""
    comments = await Comment.filter(consultation_id=consultation.id, hidden_at=None,
                                    author_id__isnull=False).prefetch_related("author", "paragraph")
    by_author: dict[int, list[Comment]] = {}
    for comment in comments:
        by_author.setdefault(comment.author_id, []).append(comment)
    sent = 0
    for items in by_author.values():
        author = items[0].author
        sent += await mail_user(settings, consultation, author, "responses",
                                {"comments": sorted(items, key=lambda c: c.id),
                                 "mine_url": f"{settings.base_url.rstrip('/')}/consultations/{consultation.id}"
                                             "/mine"})
    return sent
