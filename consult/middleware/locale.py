"""Choose each request's language and hold it in the i18n ContextVar for the span of the request."""

from __future__ import annotations

import functools

from starlette.types import ASGIApp, Receive, Scope, Send

from consult import i18n
from consult.middleware.cookies import request_cookies

LANGUAGE_COOKIE = "lang"
#: Longer ``Accept-Language`` headers are negotiated but not remembered: the cache stays small whatever is sent.
CACHED_HEADER_LENGTH = 256


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
    chosen = request_cookies(scope).get(LANGUAGE_COOKIE)
    user = scope.get("user")
    account = getattr(user, "language", None) if user is not None else None
    # Only a language we offer counts for these two (as in i18n.negotiate): anything else need not be remembered.
    chosen = chosen if chosen in languages else None
    account = account if account in languages else None
    accept_language = None
    for name, value in scope["headers"]:
        if name == b"accept-language":
            accept_language = value.decode("latin-1")
            break
    if accept_language is not None and len(accept_language) > CACHED_HEADER_LENGTH:
        return i18n.negotiate(languages, chosen=chosen, account=account, accept_language=accept_language)
    return _negotiate(languages, chosen, account, accept_language)


# Browsers send a handful of distinct headers, and parsing one and asking Babel costs more than the rest of the
# locale layer: the answer for each (languages, cookie, account language, header) is remembered.
@functools.lru_cache(maxsize=1024)
def _negotiate(languages: tuple[str, ...], chosen: str | None, account: str | None,
               accept_language: str | None) -> str:
    return i18n.negotiate(languages, chosen=chosen, account=account, accept_language=accept_language)
