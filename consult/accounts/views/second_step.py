"""The second step of two-step sign-in: the authenticator app's code, or a recovery code
(:mod:`consult.accounts.two_step`)."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import Response

from consult.accounts import audit, codes, password_limits, two_step
from consult.accounts.forms import error_messages, read_form, value
from consult.accounts.models import User
from consult.accounts.views.common import start_session, two_step_context
from consult.accounts.views.login import login_context
from consult.i18n import gettext as _
from consult.web import render


async def second_step(request: Request) -> Response:
    form = await read_form(request)
    secret_key = request.app.state.settings.secret_key
    token = value(form, "ticket", 1000)
    ticket = two_step.read_ticket(secret_key, token)
    user = await User.get_or_none(id=ticket.user_id, is_active=True) if ticket else None
    if ticket is None or not two_step.is_on(user):
        message = _("This sign-in took too long or is no longer valid. Please sign in again.")
        return render(request, "accounts/login.html",
                      login_context(request, "code", {"next": "/"}, messages=error_messages(message)), status_code=400)
    assert user is not None
    config = request.app.state.accounts
    window = dt.timedelta(minutes=config.throttle_window_minutes)
    # Counted per account in the database, like wrong passwords: ten wrong codes in 15 minutes, then a wait.
    key = codes.keyed_hash(secret_key, "two-step", str(user.id))
    if await password_limits.blocked(key, config.login_attempts_per_account, window):
        return render(request, "accounts/two_step.html", two_step_context(token, messages=error_messages(
            _("Too many attempts. Please wait a few minutes."))), status_code=429, headers={"retry-after": "900"})
    code = value(form, "code", 40)
    digits = "".join(code.split())
    if digits.isdigit():
        taken, how = await two_step.take_code(user, digits), "app"
    else:
        taken, how = await two_step.take_recovery_code(secret_key, user, code), "recovery"
    if not taken:
        await password_limits.failed(key, window)
        await audit.record("two_step_failed", user=user)
        return render(request, "accounts/two_step.html", two_step_context(token, errors={"code": _(
            "This code is not right. Type the code your app shows now, or one of your recovery codes.")}),
            status_code=400)
    await password_limits.cleared(key)
    if how == "recovery":
        await audit.record("two_step_recovery_used", user=user, left=len(user.two_step_recovery or []))
    return await start_session(request, user, f"{ticket.method}+{how}", ticket.next_url)
