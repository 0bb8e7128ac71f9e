"""The one page where an emailed code is typed, for every purpose; and "send new code"."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from tortoise.transactions import in_transaction

from consult.accounts import audit, codes
from consult.accounts.flows import code_minutes, request_code
from consult.accounts.forms import error_messages, info_messages, read_form, value
from consult.accounts.models import User
from consult.accounts.users import UserError, normalize_email
from consult.accounts.views.common import sign_in, too_many, verify_url
from consult.i18n import gettext as _
from consult.web import PageError, redirect, render, safe_next

PURPOSES = ("register", "login", "reset", "email")


def _context(request: Request, purpose: str, email: str, next_url: str, messages=None) -> dict:
    titles = {"register": _("Check your inbox and enter the verification code"),
              "login": _("Check your inbox and enter your sign-in code"),
              "reset": _("Check your inbox and enter the verification code"),
              "email": _("Check the inbox of your new address and enter the code")}
    return {"purpose": purpose, "email": email, "next": next_url, "minutes": code_minutes(request, purpose),
            "page_title": titles[purpose], "messages": messages or [], "errors": {}}


def _purpose(raw: str) -> str:
    if raw not in PURPOSES:
        raise PageError(400, _("This link is incomplete. Please start again from the sign-in page."))
    return raw


async def verify(request: Request) -> Response:
    source = request.query_params if request.method == "GET" else await read_form(request)
    purpose = _purpose(value(source, "purpose", 16))  # type: ignore[arg-type]
    next_url = safe_next(value(source, "next", 2000))  # type: ignore[arg-type]
    try:
        email = normalize_email(value(source, "email"))  # type: ignore[arg-type]
    except UserError as error:
        raise PageError(400, str(error)) from None
    if purpose == "email" and request.scope.get("user") is None:
        from consult.accounts.permissions import check_role, login_url

        if request.method == "GET":
            return redirect(login_url(request))
        check_role(request)  # a 401 page that says the session ended
    if request.method == "GET":
        return render(request, "accounts/verify.html", _context(request, purpose, email, next_url))

    code = value(source, "code", 32)  # type: ignore[arg-type]
    if not code:
        context = _context(request, purpose, email, next_url, error_messages(_("Enter the code from the email.")))
        context["errors"] = {"code": _("Enter the code from the email.")}
        return render(request, "accounts/verify.html", context, status_code=400)
    secret_key = request.app.state.settings.secret_key
    async with in_transaction():
        checked = await codes.check(secret_key, purpose, email, code)
        user = await User.get_or_none(email=email)
        if checked.error and user is not None and purpose in ("login", "reset"):
            await audit.record("code_failed", user=user, purpose=purpose)
    error = checked.error
    if error is None:
        outcome = await _complete(request, purpose, email, checked.row.payload if checked.row else {}, user,
                                  next_url)
        if isinstance(outcome, str):
            error = outcome
        else:
            return outcome
    context = _context(request, purpose, email, next_url, error_messages(error))
    context["errors"] = {"code": error}
    return render(request, "accounts/verify.html", context, status_code=400)


async def _complete(request: Request, purpose: str, email: str, payload: dict, user: User | None,
                    next_url: str) -> Response | str:
    wrong = _("This code is not right. Check the latest email we sent and try again.")
    if purpose == "register":
        from consult.accounts.views.register import complete_registration

        return await complete_registration(request, email, payload)
    if purpose == "login":
        if user is None or not user.is_active:
            return wrong
        return await sign_in(request, user, "code", next_url)
    if purpose == "reset":
        if user is None or not user.is_active:
            return wrong
        from consult.accounts.views.reset import new_password_form

        return await new_password_form(request, user, next_url)
    from consult.accounts.views.settings import complete_email_change

    return await complete_email_change(request, email, payload)


async def resend(request: Request) -> Response:
    """"Didn't receive a code? Send new code": the same limits as the first request apply."""
    form = await read_form(request)
    purpose = _purpose(value(form, "purpose", 16))
    next_url = safe_next(value(form, "next", 2000))
    try:
        email = normalize_email(value(form, "email"))
    except UserError as error:
        raise PageError(400, str(error)) from None
    language = request.scope["state"].get("language", "en")
    if purpose == "email":
        from consult.accounts.permissions import check_role

        user = check_role(request)
        language = user.language
    try:
        # payload=None keeps what the first request stored (a pending registration, a new address's owner).
        await request_code(request, purpose, email, language, payload=None)
    except codes.TooManyCodes as limit:
        return too_many(request, "accounts/verify.html", _context(request, purpose, email, next_url),
                        limit.retry_after)
    return render(request, "accounts/verify.html",
                  _context(request, purpose, email, next_url, info_messages(_("We have sent a new code."))))
