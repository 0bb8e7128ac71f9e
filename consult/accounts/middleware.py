"""Who is signed in: sets ``scope["user"]`` (a :class:`User` or ``None``) before the locale middleware reads the
account's language. Placed outside the error page middleware, so a database that is away means "nobody signed in"
here and a proper 503 page from the view."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consult.accounts import sessions
from consult.middleware.cookies import request_cookies
from consult.middleware.errors import is_database_unavailable
from consult.middleware.response_start import on_response_start

log = logging.getLogger("consult.accounts")


class AuthMiddleware:
    def __init__(self, app: ASGIApp, settings) -> None:
        self.app = app
        self.settings = settings
        self.cookie = sessions.cookie_name(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope["user"] = None
        scope["account_session"] = None
        scope["session_expired"] = False
        cookie = request_cookies(scope).get(self.cookie)
        if cookie and not scope["path"].startswith("/static/"):
            try:
                session, ended = await sessions.load(self.settings, cookie)
            except Exception as error:  # noqa: BLE001 - the view will answer 503 if the database is really away
                log.warning("session lookup failed", extra={"error": type(error).__name__})
                session, ended = None, False
                # Not "signed out": the error page middleware answers 503 rather than letting a view send a
                # signed-in user to the sign-in page (or tell her that her session ended when she sends a form).
                scope["database_unavailable"] = is_database_unavailable(error)
            if session is not None:
                scope["user"] = session.user
                scope["account_session"] = session
            elif ended:
                scope["session_expired"] = True
                send = on_response_start(scope, send, self._clear_cookie)
        await self.app(scope, receive, send)

    def _clear_cookie(self, message: Message) -> None:
        """Unless the response sets the session cookie itself (a new sign-in), clear the ended session's."""
        headers = message["headers"]  # the message's own list (see consult.middleware.response_start)
        if not any(k == b"set-cookie" and v.startswith(self.cookie.encode() + b"=") for k, v in headers):
            secure = "; Secure" if self.settings.https else ""
            headers.append((b"set-cookie", f"{self.cookie}=; Max-Age=0; Path=/; HttpOnly; "
                                           f"SameSite=Lax{secure}".encode()))
