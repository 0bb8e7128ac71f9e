"""The request's cookies, parsed once: the accounts session, the locale and CSRF layers each read one cookie."""

from __future__ import annotations

from starlette.requests import cookie_parser
from starlette.types import Scope


def request_cookies(scope: Scope) -> dict[str, str]:
    """The ``Cookie`` header as a dict, kept in ``scope["cookies"]`` for the next layer that asks.

    Parsed the same way as Starlette's ``Request.cookies`` (the first ``Cookie`` header), so every layer sees what a
    view sees."""
    cookies = scope.get("cookies")
    if cookies is None:
        header = b""
        for name, value in scope["headers"]:
            if name == b"cookie":
                header = value
                break
        cookies = scope["cookies"] = cookie_parser(header.decode("latin-1")) if header else {}
    return cookies
