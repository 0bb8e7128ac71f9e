"""What the account views share."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from consult import i18n
from consult.accounts import audit, codes, sessions, two_step
from consult.accounts.forms import error_messages
from consult.accounts.models import User
from consult.accounts.throttle import Throttle
from consult.i18n import gettext as _
from consult.web import redirect, render, safe_next


def too_many(request: Request, template: str, context: dict, retry_after: int) -> Response:
    minutes = max(1, (retry_after + 59) // 60)
    message = _("Too many codes were asked for this address. Please wait %(minutes)s minutes and try again.",
                minutes=minutes) if retry_after > 60 else _(
        "We have just sent a code. Please wait a minute before asking for another one.")
    return render(request, template, {**context, "messages": error_messages(message)}, status_code=429,
                  headers={"retry-after": str(retry_after)})


def verify_url(purpose: str, email: str, next_url: str | None = None) -> str:
    query = {"purpose": purpose, "email": email}
    if next_url and next_url != "/":
        query["next"] = next_url
    return "/account/verify?" + urlencode(query)


def language_of_form(request: Request, raw: str) -> str:
    languages = request.app.state.settings.languages
    return raw if raw in languages else i18n.current_code()


async def sign_in(request: Request, user: User, method: str, next_url: str | None) -> Response:
    """The first step passed: with two-step sign-in on, ask for the app's code (:mod:`consult.accounts.two_step`);
    else start the session."""
    if two_step.is_on(user):
        ticket = two_step.ticket(request.app.state.settings.secret_key, user, method, next_url)
        return render(request, "accounts/two_step.html", two_step_context(ticket))
    return await start_session(request, user, method, next_url)


def two_step_context(ticket: str, errors: dict | None = None, messages=None) -> dict:
    return {"page_title": _("Two-step sign-in"), "ticket": ticket, "errors": errors or {}, "messages": messages or []}


async def start_session(request: Request, user: User, method: str, next_url: str | None) -> Response:
    """Start a new session for ``user`` and go on to ``next`` (same-site only)."""
    response = redirect(safe_next(next_url, "/account/settings" if next_url is None else "/"))
    await sessions.start(request, response, user)
    await audit.record("sign_in", user=user, method=method)
    return response


def throttles(request: Request) -> tuple[Throttle, Throttle]:
    """(per client for passwords, per client for code requests), in memory, created once per app. The per-account
    password limit is counted in the database (:mod:`consult.accounts.password_limits`)."""
    state = request.app.state
    if not hasattr(state, "login_throttles"):
        import datetime as dt

        config = state.accounts
        window = dt.timedelta(minutes=config.throttle_window_minutes)
        state.login_throttles = (Throttle(config.login_attempts_per_client, window),
                                 Throttle(config.login_attempts_per_client, window))
    return state.login_throttles


def account_key(request: Request, email: str) -> str:
    return codes.keyed_hash(request.app.state.settings.secret_key, "throttle", email)
