"""What the secretariat and the readers do to a consultation, as functions the views (and the demo) call.

Each function that changes something runs in one transaction with the mails it causes, so a mail is queued exactly
when the change is committed.
"""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from consult.accounts import clock
from consult.accounts.models import User
from consult.consultations import notify
from consult.consultations.drafts import number_blocks
from consult.consultations.models import (Comment, Consultation, Flag, Invitee, Paragraph, Phase, Status, Support,
                                          Version)
from consult.consultations.versions import carry_keys, new_key
from consult.i18n import gettext as _
from consult.settings import Settings

MAX_COMMENT_CHARS = 5000
#: How long an author may edit her comment after sending it.
EDIT_WINDOW = dt.timedelta(minutes=15)


class ConsultationError(ValueError):
    """An action that cannot be done; the message is a translated sentence."""

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.status_code = status_code


async def latest_version(consultation: Consultation) -> Version | None:
    return await Version.filter(consultation_id=consultation.id).order_by("-number").first()


async def paragraphs_of(version: Version) -> list[Paragraph]:
    return await Paragraph.filter(version_id=version.id).order_by("position")


async def add_version(consultation: Consultation, rows: list[dict], note: str = "") -> Version:
    """Store a new version from aligned rows (``{"level", "texts"}``), carrying keys over from the latest one."""
    primary = consultation.languages[0]
    previous = await latest_version(consultation)
    new_texts = [row["texts"][primary] for row in rows]
    if previous is None:
        keys = [new_key() for _ in rows]
    else:
        old = await paragraphs_of(previous)
        keys = carry_keys([p.key for p in old], [p.text(primary) for p in old], new_texts)
    numbers = number_blocks([row["level"] for row in rows])
    async with in_transaction():
        version = await Version.create(consultation=consultation, number=(previous.number + 1) if previous else 1,
                                       note=note, created_at=clock.now())
        await Paragraph.bulk_create([
            Paragraph(version=version, key=key, position=i, level=row["level"], number=number, texts=row["texts"])
            for i, (row, key, number) in enumerate(zip(rows, keys, numbers))
        ])
    return version


async def invite(settings: Settings, consultation: Consultation, users: list[User]) -> list[User]:
    """Invite users (those already invited are left alone); mail the new ones if the consultation is running."""
    added = []
    now = clock.now()
    async with in_transaction():
        for user in users:
            _, created = await Invitee.get_or_create(consultation_id=consultation.id, user_id=user.id,
                                                     defaults={"invited_at": now})
            if created:
                added.append(user)
                if consultation.phase != Phase.DRAFT.value:
                    await notify.mail_user(settings, consultation, user, "invitation")
    return added


async def open_for_comments(settings: Settings, consultation: Consultation) -> None:
    if consultation.phase not in (Phase.DRAFT.value, Phase.CLOSED.value):
        raise ConsultationError(_("Only a consultation in preparation or closed can be opened."), 409)
    if await latest_version(consultation) is None:
        raise ConsultationError(_("Add a draft before opening the consultation."), 409)
    first_time = consultation.opened_at is None
    async with in_transaction():
        consultation.phase = Phase.OPEN.value
        consultation.opened_at = consultation.opened_at or clock.now()
        consultation.closed_at = None
        await consultation.save()
        if first_time:
            await notify.mail_all(settings, consultation, await notify.invited_users(consultation), "opened")


async def close(consultation: Consultation) -> None:
    if consultation.phase != Phase.OPEN.value:
        raise ConsultationError(_("Only an open consultation can be closed."), 409)
    consultation.phase = Phase.CLOSED.value
    consultation.closed_at = clock.now()
    await consultation.save()


async def publish_responses(settings: Settings, consultation: Consultation) -> int:
    """Publish the responses and tell each author; returns how many mails were queued."""
    if consultation.phase != Phase.CLOSED.value:
        raise ConsultationError(_("Close the consultation before publishing the responses."), 409)
    async with in_transaction():
        consultation.phase = Phase.PUBLISHED.value
        consultation.published_at = clock.now()
        await consultation.save()
        return await notify.send_responses(settings, consultation)


def clean_comment(body: str) -> str:
    body = body.strip()
    if not body:
        raise ConsultationError(_("Please write your comment."))
    if len(body) > MAX_COMMENT_CHARS:
        raise ConsultationError(_("Your comment is %(count)s characters long; the limit is %(limit)s.",
                                  count=len(body), limit=MAX_COMMENT_CHARS), 413)
    return body


def check_open(reader, now: dt.datetime | None = None) -> None:
    if not reader.may_comment:
        raise ConsultationError(_("Only invited panel members can comment on this consultation."), 403)
    if not reader.accepting_comments(now):
        raise ConsultationError(_("This consultation is closed: comments are no longer accepted. Your text is "
                                  "still below, so that you can keep a copy."), 409)


async def add_comment(settings: Settings, reader, paragraph: Paragraph, body: str, quote: str = "",
                      parent: Comment | None = None, language: str = "en") -> Comment:
    """A comment (or a reply when ``parent`` is given) by ``reader`` on ``paragraph``."""
    check_open(reader)
    body = clean_comment(body)
    quote = " ".join(quote.split())
    if quote and quote not in " ".join(" ".join(paragraph.texts.values()).split()):
        raise ConsultationError(_("The quoted passage is not in this paragraph. Copy it from the paragraph, or "
                                  "leave the quotation empty."))
    async with in_transaction():
        comment = await Comment.create(consultation_id=reader.consultation.id, paragraph=paragraph, parent=parent,
                                       author=reader.user, body=body, quote=quote[:1000], language=language,
                                       created_at=clock.now())
        if parent is not None:
            await notify.send_reply_notice(settings, reader.consultation, comment)
    return comment


def may_edit(reader, comment: Comment, now: dt.datetime | None = None) -> bool:
    now = now or clock.now()
    return (comment.author_id == reader.user.id and comment.hidden_at is None
            and reader.accepting_comments(now) and now - comment.created_at <= EDIT_WINDOW)


async def edit_comment(reader, comment: Comment, body: str) -> None:
    if comment.author_id != reader.user.id:
        raise ConsultationError(_("You can only edit your own comments."), 403)
    check_open(reader)
    if not may_edit(reader, comment):
        raise ConsultationError(_("A comment can be edited for %(minutes)s minutes after it is sent; that time "
                                  "has passed. Your text is still below.",
                                  minutes=int(EDIT_WINDOW.total_seconds() // 60)), 409)
    comment.body = clean_comment(body)
    comment.edited_at = clock.now()
    await comment.save()


async def toggle_support(reader, comment: Comment) -> bool:
    """Add (or take back) the reader's +1; returns whether she now supports the comment."""
    check_open(reader)
    if comment.author_id == reader.user.id:
        raise ConsultationError(_("You cannot support your own comment."), 409)
    existing = await Support.get_or_none(comment_id=comment.id, user_id=reader.user.id)
    if existing:
        await existing.delete()
        return False
    await Support.create(comment=comment, user=reader.user, created_at=clock.now())
    return True


async def flag(reader, comment: Comment, reason: str) -> None:
    reason = reason.strip()[:1000]
    await Flag.get_or_create(comment_id=comment.id, user_id=reader.user.id,
                             defaults={"reason": reason, "created_at": clock.now()})


async def hide(comment: Comment, reason: str) -> None:
    reason = reason.strip()
    if not reason:
        raise ConsultationError(_("Please give the reason for hiding the comment; its author will see it."))
    comment.hidden_at = clock.now()
    comment.hidden_reason = reason[:1000]
    await comment.save()


async def restore(comment: Comment) -> None:
    comment.hidden_at = None
    comment.hidden_reason = ""
    await comment.save()
    await Flag.filter(comment_id=comment.id).delete()


async def respond(consultation: Consultation, comment: Comment, status: str, response: str,
                  paragraph_key: str | None) -> None:
    """Record the secretariat decision on a comment (before the responses are published)."""
    if consultation.phase == Phase.PUBLISHED.value:
        raise ConsultationError(_("The responses are already published."), 409)
    try:
        Status(status)
    except ValueError:
        raise ConsultationError(_("Please choose a status.")) from None
    response = response.strip()
    if not response:
        raise ConsultationError(_("Please write the response."))
    if paragraph_key:
        latest = await latest_version(consultation)
        if latest is None or not await Paragraph.exists(version_id=latest.id, key=paragraph_key):
            raise ConsultationError(_("That paragraph is not in the latest version."))
    comment.status = status
    comment.response = response[:MAX_COMMENT_CHARS]
    comment.response_paragraph_key = paragraph_key or None
    comment.responded_at = clock.now()
    await comment.save()
