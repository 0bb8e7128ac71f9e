"""Choose each request's language and hold it in the i18n ContextVar for the span of the request."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from consult import i18n

LANGUAGE_COOKIE = "lang"


class LocaleMiddleware:
    def __init__(self, app: ASGIApp, languages: tuple[str, ...]) -> None:
        self.app = app
        self.languages = languages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        code = language_of(scope, self.languages)
        scope.setdefault("state", {})["language"] = code
        token = i18n.set_locale(code)
        try:
            await self.app(scope, receive, send)
        finally:
            i18n.reset_locale(token)


def language_of(scope: Scope, languages: tuple[str, ...]) -> str:
    """The request's language: switcher cookie > account preference > Accept-Language > English."""
    headers = Headers(scope=scope)
    chosen = cookie_parser(headers.get("cookie", "")).get(LANGUAGE_COOKIE)
    user = scope.get("user")
    account = getattr(user, "language", None) if user is not None else None
    return i18n.negotiate(languages, chosen=chosen, account=account, accept_language=headers.get("accept-language"))
