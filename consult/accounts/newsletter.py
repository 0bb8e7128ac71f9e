"""The newsletter: double opt-in subscriptions, signed one-click unsubscribe links, issues sent through the outbox.

Tokens are itsdangerous signatures of the address (with their own salts): a confirmation link lasts a week, an
unsubscribe link for ever (RFC 8058 asks that it keep working from old issues).
"""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from starlette.requests import Request
from tortoise.transactions import in_transaction

from consult.accounts import clock
from consult.accounts.models import NewsletterIssue, NewsletterSubscriber
from consult.i18n import lazy_gettext
from consult.mail.compose import send_mail
from consult.settings import Settings

CONFIRM_DAYS = 7


def _confirm_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="consult.newsletter.confirm")


def _unsubscribe_serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt="consult.newsletter.unsubscribe")


def unsubscribe_url(settings: Settings, email: str) -> str:
    return f"{settings.base_url}/newsletter/unsubscribe?t={_unsubscribe_serializer(settings).dumps(email)}"


def email_from_unsubscribe_token(settings: Settings, token: str) -> str | None:
    try:
        email = _unsubscribe_serializer(settings).loads(token)
    except BadSignature:
        return None
    return email if isinstance(email, str) else None


def email_from_confirm_token(settings: Settings, token: str) -> tuple[str, str] | None:
    try:
        data = _confirm_serializer(settings).loads(token, max_age=CONFIRM_DAYS * 86400)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("e"), str):
        return None
    return data["e"], str(data.get("l", "en"))


async def is_subscribed(email: str) -> bool:
    return await NewsletterSubscriber.filter(email=email, confirmed_at__not_isnull=True).exists()


async def subscribe_confirmed(email: str, language: str) -> None:
    """Subscribe an address that is already proven (a verified account's, or a confirmation link's)."""
    now = clock.now()
    async with in_transaction():
        row = await NewsletterSubscriber.filter(email=email).select_for_update().first()
        if row is None:
            await NewsletterSubscriber.create(email=email, language=language, confirmed_at=now, created_at=now)
        else:
            row.language = language
            row.confirmed_at = row.confirmed_at or now
            await row.save(update_fields=["language", "confirmed_at"])


async def request_subscription(request: Request, email: str, language: str) -> None:
    """First opt-in: mail a confirmation link (nothing is sent to an address that is already subscribed)."""
    settings = request.app.state.settings
    if await is_subscribed(email):
        return
    token = _confirm_serializer(settings).dumps({"e": email, "l": language})
    await send_mail(email, "newsletter_confirm", language, lazy_gettext("Please confirm your subscription"),
                    {"confirm_url": f"{settings.base_url}/newsletter/confirm?t={token}"}, kind="newsletter-confirm")
    request.app.state.mailer.notify()


async def unsubscribe(email: str) -> None:
    await NewsletterSubscriber.filter(email=email).delete()


async def change_address(old: str, new: str) -> None:
    if await NewsletterSubscriber.filter(email=new).exists():
        await NewsletterSubscriber.filter(email=old).delete()
    else:
        await NewsletterSubscriber.filter(email=old).update(email=new)


async def send_issue(settings: Settings, issue: NewsletterIssue) -> int:
    """Put one message per confirmed subscriber of the issue's language in the outbox, in one transaction."""
    async with in_transaction():
        locked = await NewsletterIssue.filter(id=issue.id, sent_at__isnull=True).select_for_update().first()
        if locked is None:
            return 0  # already sent (a double-submitted form sends once)
        subscribers = await NewsletterSubscriber.filter(language=issue.language, confirmed_at__not_isnull=True)
        for subscriber in subscribers:
            url = unsubscribe_url(settings, subscriber.email)
            await send_mail(subscriber.email, "newsletter_issue", issue.language, issue.subject,
                            {"body": issue.body, "unsubscribe_url": url}, kind="newsletter",
                            headers={"List-Unsubscribe": f"<{url}>",
                                     "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
        locked.sent_at = clock.now()
        locked.recipients = len(subscribers)
        await locked.save(update_fields=["sent_at", "recipients"])
    return len(subscribers)
