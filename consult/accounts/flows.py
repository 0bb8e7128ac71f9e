"""Sending codes, the same way for every purpose and whether or not the address has an account.

The answer to the browser never depends on the account's existence: the same code row is written (and counted
against the limits), the same mail is composed; only whether the mail goes into the outbox differs. An owner whose
address someone tries to register gets a note instead of a code.
"""

from __future__ import annotations

from starlette.requests import Request
from tortoise.transactions import in_transaction

from consult.accounts import codes, mails
from consult.accounts.models import User


def code_minutes(request: Request, purpose: str) -> int:
    config = request.app.state.accounts
    return {
        "register": config.register_code_minutes,
        "login": config.login_code_minutes,
        "reset": config.reset_code_minutes,
        "email": config.email_code_minutes,
    }[purpose]


async def request_code(request: Request, purpose: str, email: str, language: str,
                       payload: dict | None = None) -> None:
    """Issue a code for ``purpose`` and ``email`` and mail it when appropriate.

    Raises
    ------
    consult.accounts.codes.TooManyCodes
        When the address asked too often; nothing is sent then.
    """
    settings = request.app.state.settings
    minutes = code_minutes(request, purpose)
    async with in_transaction():
        user = await User.get_or_none(email=email)
        if purpose == "login":
            # The one-click link finds its account through this (the row itself keeps no address).
            payload = {"user_id": user.id if user is not None and user.is_active else None}
        issued = await codes.issue(settings.secret_key, purpose, email, minutes, payload=payload,
                                   with_link=purpose == "login")
        if purpose in ("register", "email"):
            language = issued.row.payload.get("language", language) if purpose == "register" else language
            if user is not None:
                await mails.send_already_registered(request, email, user.language)
                await mails.send_code(request, email, language, purpose, issued.code, minutes, really=False)
            else:
                await mails.send_code(request, email, language, purpose, issued.code, minutes)
        else:
            exists = user is not None and user.is_active
            link = (f"{settings.base_url}/account/login/link?t={issued.link_token}"
                    if issued.link_token else None)
            await mails.send_code(request, email, user.language if exists and user else language, purpose,
                                  issued.code, minutes, link=link, really=exists)
    request.app.state.mailer.notify()
