"""What other areas use to know who is signed in and to guard their views.

>>> from consult.accounts.permissions import current_user, require_role, require_user
>>> @require_role(Role.ADMIN, Role.ANALYST)
... async def report(request): ...

Anonymous visitors are sent to ``/account/login?next=<this page>`` (a form sent after the session ended gets a 401
page that says so); a signed-in user without the role gets the translated 403 page.
"""

from __future__ import annotations

import functools
from typing import Awaitable, Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from consult.accounts.models import Role, User
from consult.i18n import gettext as _
from consult.web import PageError, redirect

Endpoint = Callable[[Request], Awaitable[Response]]


def current_user(request: Request) -> User | None:
    """The signed-in user, or ``None``."""
    return request.scope.get("user")


def has_role(user: User | None, *roles: Role | str) -> bool:
    return user is not None and user.is_active and user.role in {Role(r).value for r in roles}


def login_url(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    query = {"next": here}
    if request.scope.get("session_expired"):
        query["expired"] = "1"
    return "/account/login?" + urlencode(query)


def check_role(request: Request, *roles: Role | str) -> User:
    """The signed-in user when she has one of ``roles`` (any role when none given); raises otherwise."""
    user = current_user(request)
    if user is None:
        if request.method in ("GET", "HEAD"):
            raise _LoginRequired(login_url(request))
        if request.scope.get("session_expired"):
            raise PageError(401, _("Your session has ended. Please sign in again; then send the form once more."))
        raise PageError(401, _("Please sign in to continue."))
    if roles and not has_role(user, *roles):
        raise PageError(403, _("Your account does not give access to this page."))
    if roles and user.role in request.app.state.settings.two_step_roles and user.two_step_since is None:
        # Pages kept for some roles (administration, analysis) hold every response: an emailed code alone, which
        # anyone reading her mail has too, does not open them (ASVS V4.3.1; CONSULT_TWO_STEP_ROLES).
        raise PageError(403, _("This page opens once your account has two-step sign-in. Turn it on in your account "
                               "settings (Your account, then Two-step sign-in)."))
    return user


class _LoginRequired(Exception):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def require_role(*roles: Role | str) -> Callable[[Endpoint], Endpoint]:
    """Decorate an endpoint: only signed-in users with one of ``roles`` (any signed-in user when none) get in."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            try:
                check_role(request, *roles)
            except _LoginRequired as required:
                return redirect(required.url)
            return await endpoint(request)

        return guarded

    return decorate


#: Any signed-in user.
require_user = require_role()
