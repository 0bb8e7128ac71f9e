"""Starlette's gzip, with a cheaper path for a client that does not accept gzip.

Such a response is never compressed, yet Starlette's ``IdentityResponder`` still costs as much as the rest of our
middleware together (it normalises the excluded content types and scans the headers several times on every request).
:class:`IdentityHeaders` does the same thing on raw headers: hold back the start message until the first body, then
add ``Vary: Accept-Encoding`` where a client that accepts gzip would have had the response compressed, so a cache
keeps both versions apart. Clients that accept gzip get Starlette's own ``GZipResponder`` unchanged.
``tests/test_compression.py`` checks both paths against Starlette's responders.
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Message, Receive, Scope, Send


class CompressionMiddleware(GZipMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"accept-encoding":
                    if b"gzip" in value:  # the test Starlette makes: a substring of the first such header
                        break
                    await self.app(scope, receive, IdentityHeaders(send, self.minimum_size,
                                                                   self.exclude_content_types).send)
                    return
            else:
                await self.app(scope, receive, IdentityHeaders(send, self.minimum_size,
                                                               self.exclude_content_types).send)
                return
        await super().__call__(scope, receive, send)


class IdentityHeaders:
    """Starlette's ``IdentityResponder`` on raw headers, for one response: the body is passed on as it is."""

    __slots__ = ("_send", "_minimum_size", "_exclude", "_start", "_started", "_as_is")

    def __init__(self, send: Send, minimum_size: int, exclude_content_types: tuple[str, ...]) -> None:
        self._send = send
        self._minimum_size = minimum_size
        self._exclude = exclude_content_types  # already normalised by GZipMiddleware
        self._start: Message = {}
        self._started = False
        self._as_is = False  # already encoded, partial, or a content type never compressed

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self._start = message
            raw = message.setdefault("headers", [])
            if type(raw) is not list:
                raw = message["headers"] = list(raw)
            content_type = ""
            encoded = False
            for name, value in raw:
                if name == b"content-encoding":
                    encoded = True
                elif name == b"content-type" and not content_type:
                    content_type = value.decode("latin-1")
            media_type = content_type.partition(";")[0].strip().lower()
            media_types = {media_type, media_type.partition("/")[0] + "/*"}
            if media_type.startswith("application/grpc+"):
                media_types.add("application/grpc")
            self._as_is = encoded or message["status"] == 206 or not media_types.isdisjoint(self._exclude)
            if self._as_is:
                await self._send(message)
        elif kind in ("http.response.body", "http.response.pathsend") and self._as_is:
            await self._send(message)
        elif kind == "http.response.body" and not self._started:
            self._started = True
            more_body = message.get("more_body", False)
            if more_body or len(message.get("body", b"")) >= self._minimum_size:
                add_vary_accept_encoding(self._start["headers"])
            await self._send(self._start)
            await self._send(message)
        elif kind in ("http.response.body", "http.response.early_hint", "http.response.trailers"):
            await self._send(message)
        elif kind == "http.response.pathsend":
            await self._send(self._start)
            await self._send(message)


def add_vary_accept_encoding(raw: list[tuple[bytes, bytes]]) -> None:
    """``MutableHeaders.add_vary_header("Accept-Encoding")`` on raw headers: one ``Vary`` header listing the
    existing values and then ``Accept-Encoding``, where the first one was."""
    found = [index for index, (name, _) in enumerate(raw) if name == b"vary"]
    value = b", ".join([*(raw[index][1] for index in found), b"Accept-Encoding"])
    if not found:
        raw.append((b"vary", value))
        return
    for index in reversed(found[1:]):
        del raw[index]
    raw[found[0]] = (b"vary", value)
