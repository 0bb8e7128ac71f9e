"""The last resort: an unexpected exception becomes the translated 500 page (or 503 when the database is away),
logged with its traceback; only in debug does the traceback reach the browser."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise.exceptions import DBConnectionError, OperationalError

from consult.middleware.response_start import on_response_start

log = logging.getLogger("consult.errors")


def is_database_unavailable(exc: BaseException) -> bool:
    """Connection refused or dropped, pool closed, server shutting down: the database is away, not our code wrong."""
    if isinstance(exc, (DBConnectionError, ConnectionError, TimeoutError)):
        return True
    text = f"{type(exc).__module__}.{type(exc).__name__}: {exc}".lower()
    if isinstance(exc, OperationalError) or "asyncpg" in text:
        markers = ("connection", "shutdown", "shutting down", "closed", "terminat", "cannot connect", "starting up",
                   "recovery mode", "database is locked",
                   # asyncpg, while the server terminates its sessions: a pooled connection still consuming the
                   # error of its last query is handed out before its loss is noticed.
                   "another operation")
        if any(marker in text for marker in markers):
            return True
        cause = exc.__cause__ or exc.__context__
        return cause is not None and cause is not exc and is_database_unavailable(cause)
    return isinstance(exc, OSError)


class ErrorPageMiddleware:
    def __init__(self, app: ASGIApp, debug: bool = False) -> None:
        self.app = app
        self.debug = debug

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        def note_started(message: Message) -> None:
            nonlocal started
            started = True

        try:
            if scope.get("database_unavailable"):  # the session could not be looked up (accounts middleware)
                raise DBConnectionError("the session lookup found the database unavailable")
            await self.app(scope, receive, on_response_start(scope, send, note_started))
        except Exception as exc:
            unavailable = is_database_unavailable(exc)
            if unavailable:
                log.warning("database unavailable", extra={"path": scope.get("path"), "error": type(exc).__name__})
            else:
                log.exception("unhandled error", extra={"path": scope.get("path")})
            if started or (self.debug and not unavailable):
                raise
            from consult.web import error_response

            response = error_response(Request(scope), 503 if unavailable else 500,
                                      headers={"retry-after": "30"} if unavailable else None)
            await response(scope, receive, send)
