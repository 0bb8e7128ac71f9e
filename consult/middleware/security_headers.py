"""Security headers on every response, and no caching of pages unless a view says otherwise."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consult.middleware.response_start import on_response_start

# No inline script and nothing from another host: pages work without JavaScript, and a respondent's browser
# never tells a third party that she opened a survey.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
HSTS = "max-age=63072000; includeSubDomains"
# A page a respondent saw must not come back from the cache after she used the quick exit.
CACHE_CONTROL = "no-store"


def _raw(headers: dict[str, str]) -> tuple[tuple[bytes, bytes], ...]:
    return tuple((name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items())


# Encoded once: every response gets them, so they are added as raw ASGI header pairs.
RAW_HEADERS = _raw({**HEADERS, "cache-control": CACHE_CONTROL})
RAW_HEADERS_HTTPS = _raw({**HEADERS, "strict-transport-security": HSTS, "cache-control": CACHE_CONTROL})


#: Every name above: a response that has none of them (most) gets them all without looking further.
NAMES = frozenset(name for name, _ in RAW_HEADERS_HTTPS)


def add_security_headers(raw: list[tuple[bytes, bytes]], https: bool) -> None:
    """Add to raw response headers each security header the response does not already have: a view's own
    ``Cache-Control`` or ``Content-Security-Policy`` wins (one pass over the response's header names)."""
    defaults = RAW_HEADERS_HTTPS if https else RAW_HEADERS
    for name, _ in raw:
        if name in NAMES:
            present = {name for name, _ in raw}
            raw.extend([pair for pair in defaults if pair[0] not in present])
            return
    raw.extend(defaults)


def apply_security_headers(headers: MutableHeaders, https: bool) -> None:
    """Add the headers to a response (also used by the last-resort error page)."""
    add_security_headers(headers.raw, https)


# The hooks for the start message (its header list is its own: see consult.middleware.response_start).
def _add_to_start(message: Message) -> None:
    add_security_headers(message["headers"], https=False)


def _add_to_start_https(message: Message) -> None:
    add_security_headers(message["headers"], https=True)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, https: bool = False) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = self.https or scope.get("scheme") == "https"
        send = on_response_start(scope, send, _add_to_start_https if https else _add_to_start)
        await self.app(scope, receive, send)
