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


def apply_security_headers(headers: MutableHeaders, https: bool) -> None:
    """Add the headers to a response (also used by the last-resort error page)."""
    for name, value in HEADERS.items():
        headers.setdefault(name, value)
    if https:
        headers.setdefault("strict-transport-security", HSTS)
    # A page a respondent saw must not come back from the cache after she used the quick exit.
    headers.setdefault("cache-control", "no-store")


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
                apply_security_headers(MutableHeaders(scope=message), https)
            await send(message)

        await self.app(scope, receive, send_with_headers)
