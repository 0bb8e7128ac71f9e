"""Starlette's gzip, with a cheaper path for every response that is not compressed here.

That is any response to a client that does not accept gzip, and, for one that does, a response already encoded
(the cached pages, compressed in advance by ``consult.web.render_cached``), partial, or of a type never compressed.
Starlette's responders still cost as much as the rest of our middleware together on such a response (they normalise
the excluded content types and scan the headers several times on every request). :class:`OneResponse` does the same
thing on raw headers: for a client that does not accept gzip, hold back the start message until the first body, then
add ``Vary: Accept-Encoding`` where a client that accepts gzip would have had the response compressed, so a cache
keeps both versions apart. A response to compress is handed, start message first, to Starlette's own
``GZipResponder``. ``tests/test_compression.py`` checks every path against Starlette's middleware.
"""

from __future__ import annotations

import functools
from typing import Any

from starlette.middleware.gzip import GZipMiddleware, GZipResponder
from starlette.types import ASGIApp, Message, Receive, Scope, Send

VARY_ACCEPT_ENCODING = (b"vary", b"Accept-Encoding")


class CompressionMiddleware(GZipMiddleware):
    def __init__(self, app: ASGIApp, *args: Any, **kwargs: Any) -> None:
        super().__init__(app, *args, **kwargs)
        # A site sends a handful of content types: whether each is excluded is worked out once.
        self.excluded = functools.lru_cache(maxsize=256)(functools.partial(is_excluded, self.exclude_content_types))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accepts_gzip = False
        for name, value in scope["headers"]:
            if name == b"accept-encoding":
                accepts_gzip = b"gzip" in value  # the test Starlette makes: a substring of the first such header
                break
        await self.app(scope, receive, OneResponse(send, self, accepts_gzip).send)

    def gzip_responder(self, send: Send) -> GZipResponder:
        """Starlette's responder for one response to compress, to be given the messages from the start message on
        (its ``send_with_compression``, as if it wrapped the app itself)."""
        responder = GZipResponder(self.app, self.minimum_size, compresslevel=self.compresslevel,
                                  thread_minimum_size=self.thread_minimum_size, exclude_content_types=())
        responder.exclude_content_types = self.exclude_content_types  # normalised once, not for each response
        responder.send = send
        return responder


class OneResponse:
    """Starlette's ``IdentityResponder`` on raw headers, for one response (and its ``GZipResponder`` for a response
    to compress)."""

    __slots__ = ("_send", "_middleware", "_accepts_gzip", "_gzip", "_start", "_started", "_as_is")

    def __init__(self, send: Send, middleware: CompressionMiddleware, accepts_gzip: bool) -> None:
        self._send = send
        self._middleware = middleware
        self._accepts_gzip = accepts_gzip
        self._gzip: GZipResponder | None = None  # Starlette's, once the response is known to be compressed
        self._start: Message = {}
        self._started = False
        self._as_is = False  # already encoded, partial, or a content type never compressed

    async def send(self, message: Message) -> None:
        if self._gzip is not None:
            await self._gzip.send_with_compression(message)
            return
        kind = message["type"]
        if kind == "http.response.start":
            self._start = message
            raw = message.setdefault("headers", [])
            if type(raw) is not list:
                raw = message["headers"] = list(raw)
            content_type = None
            encoded = False
            for name, value in raw:
                if name == b"content-encoding":
                    encoded = True
                elif name == b"content-type" and content_type is None:
                    content_type = value
            self._as_is = encoded or message["status"] == 206 or self._middleware.excluded(content_type or b"")
            if self._as_is:
                await self._send(message)
            elif self._accepts_gzip:
                self._gzip = self._middleware.gzip_responder(self._send)
                await self._gzip.send_with_compression(message)
        elif kind in ("http.response.body", "http.response.pathsend") and self._as_is:
            await self._send(message)
        elif kind == "http.response.body" and not self._started:
            self._started = True
            more_body = message.get("more_body", False)
            if more_body or len(message.get("body", b"")) >= self._middleware.minimum_size:
                add_vary_accept_encoding(self._start["headers"])
            await self._send(self._start)
            await self._send(message)
        elif kind in ("http.response.body", "http.response.early_hint", "http.response.trailers"):
            await self._send(message)
        elif kind == "http.response.pathsend":
            await self._send(self._start)
            await self._send(message)


def is_excluded(exclude_content_types: tuple[str, ...], content_type: bytes) -> bool:
    """Whether Starlette's responders pass a response of this ``Content-Type`` value on uncompressed
    (``exclude_content_types`` as normalised by ``GZipMiddleware``)."""
    media_type = content_type.decode("latin-1").partition(";")[0].strip().lower()
    media_types = {media_type, media_type.partition("/")[0] + "/*"}
    if media_type.startswith("application/grpc+"):
        media_types.add("application/grpc")
    return not media_types.isdisjoint(exclude_content_types)


def add_vary_accept_encoding(raw: list[tuple[bytes, bytes]]) -> None:
    """``MutableHeaders.add_vary_header("Accept-Encoding")`` on raw headers: one ``Vary`` header listing the
    existing values and then ``Accept-Encoding``, where the first one was."""
    for name, _ in raw:
        if name == b"vary":
            break
    else:  # the usual case: no Vary header of the view's own
        raw.append(VARY_ACCEPT_ENCODING)
        return
    found = [index for index, (name, _) in enumerate(raw) if name == b"vary"]
    value = b", ".join([*(raw[index][1] for index in found), b"Accept-Encoding"])
    for index in reversed(found[1:]):
        del raw[index]
    raw[found[0]] = (b"vary", value)
