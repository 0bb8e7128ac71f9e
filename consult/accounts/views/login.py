"""Sign in by emailed code (the default) or by password; the one-click link; sign out."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import Response
from tortoise.transactions import in_transaction

from consult.accounts import audit, codes, password_limits, passwords, sessions
from consult.accounts.flows import request_code
from consult.accounts.forms import error_messages, info_messages, read_form, secret, value
from consult.accounts.models import User
from consult.accounts.throttle import client_key
from consult.accounts.users import UserError, normalize_email
from consult.accounts.views.common import account_key, sign_in, throttles, too_many, verify_url
from consult.i18n import gettext as _
from consult.web import redirect, render, safe_next


def login_context(request: Request, method: str, values: dict, errors: dict | None = None, messages=None) -> dict:
    return {"method": method, "values": values, "errors": errors or {}, "messages": messages or [],
            "page_title": _("Sign in")}


async def login(request: Request) -> Response:
    if request.method == "GET":
        method = "password" if request.query_params.get("method") == "password" else "code"
        values = {"next": safe_next(request.query_params.get("next"))}
        messages = info_messages(_("Your session has ended. Please sign in again.")) if (
            request.query_params.get("expired") or request.scope.get("session_expired")) else []
        return render(request, "accounts/login.html", login_context(request, method, values, messages=messages))
    form = await read_form(request)
    method = "password" if value(form, "method", 16) == "password" else "code"
    values = {"email": value(form, "email"), "next": safe_next(value(form, "next", 2000))}
    try:
        email = normalize_email(values["email"])
    except UserError as error:
        return render(request, "accounts/login.html", login_context(request, method, values, {"email": str(error)}),
                      status_code=400)
    if method == "code":
        return await _by_code(request, email, values)
    return await _by_password(request, email, secret(form, "password"), values)


async def _by_code(request: Request, email: str, values: dict) -> Response:
    _passwords, code_client = throttles(request)
    client = client_key(request)
    if code_client.blocked(client):
        return too_many(request, "accounts/login.html", login_context(request, "code", values), 15 * 60)
    code_client.hit(client)
    try:
        await request_code(request, "login", email, request.scope["state"].get("language", "en"))
    except codes.TooManyCodes as limit:
        return too_many(request, "accounts/login.html", login_context(request, "code", values), limit.retry_after)
    return redirect(verify_url("login", email, values["next"]))


async def _by_password(request: Request, email: str, password: str, values: dict) -> Response:
    per_client, _codes = throttles(request)
    account, client = account_key(request, email), client_key(request)
    config = request.app.state.accounts
    window = dt.timedelta(minutes=config.throttle_window_minutes)
    if per_client.blocked(client) or await password_limits.blocked(account, config.login_attempts_per_account,
                                                                    window):
        return render(request, "accounts/login.html", login_context(
            request, "password", values, messages=error_messages(
                _("Too many attempts. Please wait a few minutes, or sign in with an emailed code."))),
            status_code=429, headers={"retry-after": "900"})
    user = await User.get_or_none(email=email)
    usable = user is not None and user.is_active
    # Without an account (or a password) the check still takes as long as with one.
    if not passwords.verify_password(user.password_hash if usable and user else None, password) or not usable:
        await password_limits.failed(account, window)
        per_client.hit(client)
        if user is not None:
            await audit.record("sign_in_failed", user=user, method="password")
        message = _("The email address or the password is not right.")
        return render(request, "accounts/login.html",
                      login_context(request, "password", values, messages=error_messages(message)), status_code=400)
    assert user is not None
    await password_limits.cleared(account)
    if passwords.needs_rehash(user.password_hash or ""):
        await User.filter(id=user.id).update(password_hash=passwords.hash_password(password))
    return await sign_in(request, user, "password", values["next"])


async def login_link(request: Request) -> Response:
    """The one-click link from the code mail. Opening it (GET) changes nothing — mail scanners open links — the
    page's button (POST) signs in."""
    token = (request.query_params.get("t") if request.method == "GET" else value(await read_form(request), "t",
                                                                                 200)) or ""
    if request.method == "GET":
        return render(request, "accounts/login_link.html", {"token": token[:200], "page_title": _("Sign in")})
    secret_key = request.app.state.settings.secret_key
    async with in_transaction():
        checked = await codes.check_link(secret_key, "login", token)
    user = None
    if checked.error is None and checked.row is not None:
        user = await _user_for_code(secret_key, checked.row.key)
    if checked.error or user is None:
        return render(request, "accounts/login_link.html",
                      {"token": "", "page_title": _("Sign in"),
                       "messages": error_messages(checked.error or _(
                           "This sign-in link can no longer be used. Please ask for a new code."))},
                      status_code=400)
    return await sign_in(request, user, "link", "/")


async def _user_for_code(secret_key: str, key: str) -> User | None:
    """The account a login code row belongs to: its payload names it (rows only hold a keyed hash of the address)."""
    from consult.accounts.models import EmailCode

    row = await EmailCode.get_or_none(key=key)
    user_id = row.payload.get("user_id") if row else None
    return await User.get_or_none(id=user_id, is_active=True) if user_id else None


async def logout(request: Request) -> Response:
    session = request.scope.get("account_session")
    response = redirect("/")
    if session is not None:
        await sessions.end(session)
        await audit.record("sign_out", user=request.scope["user"])
    sessions.clear_cookie(response, request.app.state.settings)
    return response
