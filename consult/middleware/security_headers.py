"""Security headers on every response, and no caching of pages unless a view says otherwise."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


def add_security_headers(raw: list[tuple[bytes, bytes]], https: bool) -> None:
    """Add to raw response headers each security header the response does not already have: a view's own
    ``Cache-Control`` or ``Content-Security-Policy`` wins (one pass over the response's header names)."""
    defaults = RAW_HEADERS_HTTPS if https else RAW_HEADERS
    present = {name for name, _ in raw}
    raw.extend([pair for pair in defaults if pair[0] not in present])


def apply_security_headers(headers: MutableHeaders, https: bool) -> None:
    """Add the headers to a response (also used by the last-resort error page)."""
    add_security_headers(headers.raw, https)


def add_to_start_message(message: Message, https: bool) -> None:
    """Add the headers to an ``http.response.start`` message."""
    # A copy, as MutableHeaders(scope=message) made: a response sent more than once (a cached page) shares its
    # header list, which must not gather one request's headers for the next.
    raw = message["headers"] = list(message.get("headers", ()))
    add_security_headers(raw, https)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, https: bool = False) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = self.https or scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_to_start_message(message, https)
            await send(message)

        await self.app(scope, receive, send_with_headers)
