"""The account system's mails. Subjects and sender stay neutral: someone reading over a shoulder learns nothing
about what the platform is for."""

from __future__ import annotations

from starlette.requests import Request

from consult.i18n import lazy_gettext
from consult.mail.compose import render_mail, send_mail


def _code_subject(request: Request):
    configured = request.app.state.accounts.code_subject
    return configured or lazy_gettext("Your one-time code")


def code_mail_args(request: Request, purpose: str, code: str, minutes: int, link: str | None = None) -> dict:
    return {
        "template": "code",
        "subject": _code_subject(request),
        "context": {"code": code, "minutes": minutes, "purpose": purpose, "link": link},
        "kind": "code",
    }


async def send_code(request: Request, to: str, language: str, purpose: str, code: str, minutes: int,
                    link: str | None = None, really: bool = True) -> None:
    """Write a code mail to the outbox; with ``really=False`` only compose it (so that an address without an
    account costs the same time as one with)."""
    args = code_mail_args(request, purpose, code, minutes, link)
    if really:
        await send_mail(to, language=language, **args)
    else:
        render_mail(args["template"], language, args["subject"], args["context"])


async def send_already_registered(request: Request, to: str, language: str) -> None:
    base = request.app.state.settings.base_url
    await send_mail(to, "already_registered", language, lazy_gettext("About your account"),
                    {"login_url": f"{base}/account/login", "reset_url": f"{base}/account/reset"}, kind="notice")


async def send_notice(to: str, language: str, what: str) -> None:
    """Tell the owner that something changed on her account (password, address), in case it was not her."""
    await send_mail(to, "notice", language, lazy_gettext("About your account"), {"what": what}, kind="notice")
