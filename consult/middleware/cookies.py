"""The request's cookies, parsed once (the accounts session, the locale and CSRF layers each read one cookie), and
the names of the cookies that must be the site's own."""

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


#: A cookie so named is accepted by browsers only from this very host, over HTTPS, with ``Path=/`` and no
#: ``Domain``: no other site, not even a subdomain or a plain-HTTP page on the network, can set it (ASVS V3.4.4).
HOST_PREFIX = "__Host-"


def host_only(name: str, https: bool) -> str:
    """The name of cookie ``name``: with the ``__Host-`` prefix under HTTPS.

    For the session and CSRF cookies, which an attacker able to set cookies for the site (from a subdomain, or a
    plain-HTTP response on her network) could otherwise plant: her own signed-in session, or a CSRF cookie whose
    token she knows. Browsers refuse the prefix without ``Secure``, so plain-HTTP development keeps the bare name.
    """
    return HOST_PREFIX + name if https else name
