"""Reset password: email → code → new password → "Your password has been updated" → back where the user was."""

from __future__ import annotations

import hmac
import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response
from tortoise.transactions import in_transaction

from consult.accounts import audit, codes, mails, passwords, sessions
from consult.accounts.flows import request_code
from consult.accounts.forms import error_messages, read_form, secret, value
from consult.accounts.models import EmailCode, User
from consult.accounts.users import UserError, normalize_email
from consult.accounts.views.common import too_many, verify_url
from consult.i18n import gettext as _
from consult.web import PageError, redirect, render, safe_next


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.settings.secret_key, salt="consult.reset")


async def reset(request: Request) -> Response:
    if request.method == "GET":
        values = {"next": safe_next(request.query_params.get("next"))}
        return render(request, "accounts/reset.html", {"values": values, "errors": {},
                                                       "page_title": _("Reset password")})
    form = await read_form(request)
    values = {"email": value(form, "email"), "next": safe_next(value(form, "next", 2000))}
    context = {"values": values, "errors": {}, "page_title": _("Reset password")}
    try:
        email = normalize_email(values["email"])
    except UserError as error:
        context["errors"] = {"email": str(error)}
        return render(request, "accounts/reset.html", context, status_code=400)
    try:
        await request_code(request, "reset", email, request.scope["state"].get("language", "en"))
    except codes.TooManyCodes as limit:
        return too_many(request, "accounts/reset.html", context, limit.retry_after)
    return redirect(verify_url("reset", email, values["next"]))


async def new_password_form(request: Request, user: User, next_url: str) -> Response:
    """After a right reset code: a one-time, 30-minute token (bound to the code row) lets the user set a password."""
    nonce = secrets.token_urlsafe(16)
    key = codes.code_key(request.app.state.settings.secret_key, "reset", user.email)
    row = await EmailCode.get(key=key)
    row.payload = {**row.payload, "reset_nonce": nonce, "user_id": user.id}
    await row.save(update_fields=["payload"])
    token = _serializer(request).dumps({"row": row.id, "nonce": nonce})
    return render(request, "accounts/new_password.html",
                  {"token": token, "next": next_url, "errors": {}, "page_title": _("Create a new password")})


async def set_new_password(request: Request) -> Response:
    form = await read_form(request)
    token = value(form, "token", 500)
    next_url = safe_next(value(form, "next", 2000))
    password = secret(form, "password")
    try:
        data = _serializer(request).loads(token, max_age=request.app.state.accounts.reset_code_minutes * 60)
    except SignatureExpired:
        raise PageError(400, _("This page was open for too long. Please ask for a new code.")) from None
    except BadSignature:
        raise PageError(400, _("This link is incomplete. Please start again from the sign-in page.")) from None
    context = {"token": token, "next": next_url, "page_title": _("Create a new password")}
    async with in_transaction():
        row = await EmailCode.filter(id=int(data.get("row", 0)), purpose="reset").select_for_update().first()
        nonce = (row.payload.get("reset_nonce") if row else None) or ""
        if row is None or not hmac.compare_digest(nonce, str(data.get("nonce", ""))):
            raise PageError(400, _("This code has already been used. Please ask for a new code."))
        user = await User.get_or_none(id=row.payload.get("user_id"), is_active=True)
        if user is None:
            raise PageError(400, _("This code has already been used. Please ask for a new code."))
        problem = passwords.password_problem(password, user.email)
        if problem:
            return render(request, "accounts/new_password.html", {**context, "errors": {"password": problem}},
                          status_code=400)
        user.password_hash = passwords.hash_password(password)
        await user.save(update_fields=["password_hash", "updated_at"])
        row.payload = {k: v for k, v in row.payload.items() if k != "reset_nonce"}
        await row.save(update_fields=["payload"])
        # Whoever knew the old password is signed out everywhere.
        await sessions.end_all(user)
        await audit.record("password_reset", user=user)
        await mails.send_notice(user.email, user.language, "password")
    request.app.state.mailer.notify()
    return render(request, "accounts/password_updated.html",
                  {"next": next_url, "page_title": _("Your password has been updated")})
