"""One structured log line a request: method, path, status, duration.

Never the query string (sign-in links carry tokens), the client's address or user agent (respondents' safety),
nor any form content.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consult.middleware.response_start import on_response_start

log = logging.getLogger("consult.request")


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        def record_status(message: Message) -> None:
            nonlocal status
            status = message["status"]

        try:
            await self.app(scope, receive, on_response_start(scope, send, record_status))
        finally:
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": _template_path(scope),
                    "status": status,
                    "ms": round((time.perf_counter() - start) * 1000, 1),
                },
            )


def _template_path(scope: Scope) -> str:
    # The route's pattern ("/s/{slug}") rather than the path when we know it: a discreet survey's slug and any
    # token in a path stay out of the logs.
    route = scope.get("route")
    return getattr(route, "path", None) or scope["path"]
