"""Responses to a client that does not accept gzip go through our own path (cheaper than Starlette's
``IdentityResponder``): the messages sent must be exactly those Starlette would send, and gzip stays Starlette's."""

from __future__ import annotations

import asyncio
import copy

import pytest
from starlette.middleware.gzip import GZipMiddleware

from consult.middleware.compression import CompressionMiddleware

BIG = b"x" * 3000


def _start(headers, status=200):
    return {"type": "http.response.start", "status": status, "headers": headers}


CASES = {
    "small page": [_start([(b"content-type", b"text/html; charset=utf-8")]), {"type": "http.response.body", "body": b"hi"}],
    "big page": [_start([(b"content-type", b"text/html; charset=utf-8")]), {"type": "http.response.body", "body": BIG}],
    "exactly the minimum": [_start([(b"content-type", b"text/plain")]), {"type": "http.response.body", "body": b"x" * 500}],
    "one byte short": [_start([(b"content-type", b"text/plain")]), {"type": "http.response.body", "body": b"x" * 499}],
    "own vary headers": [_start([(b"vary", b"Cookie"), (b"content-type", b"text/html"), (b"vary", b"Accept-Language")]),
                         {"type": "http.response.body", "body": BIG}],
    "already encoded": [_start([(b"content-encoding", b"br"), (b"content-type", b"text/html")]),
                        {"type": "http.response.body", "body": BIG}],
    "partial": [_start([(b"content-type", b"text/html")], status=206), {"type": "http.response.body", "body": BIG}],
    "image": [_start([(b"content-type", b"image/png")]), {"type": "http.response.body", "body": BIG}],
    "video wildcard": [_start([(b"content-type", b"Video/MP4; codecs=x")]), {"type": "http.response.body", "body": BIG}],
    "grpc variant": [_start([(b"content-type", b"application/grpc+proto")]), {"type": "http.response.body", "body": BIG}],
    "no content type": [_start([]), {"type": "http.response.body", "body": BIG}],
    "no headers key": [{"type": "http.response.start", "status": 204}, {"type": "http.response.body", "body": b""}],
    "streaming": [_start([(b"content-type", b"text/csv"), (b"content-length", b"12")]),
                  {"type": "http.response.body", "body": b"a,b\n", "more_body": True},
                  {"type": "http.response.body", "body": b"1,2\n", "more_body": True},
                  {"type": "http.response.body", "body": b"", "more_body": False}],
    "early hint": [{"type": "http.response.early_hint", "links": ["</s.css>; rel=preload"]},
                   _start([(b"content-type", b"text/html")]), {"type": "http.response.body", "body": BIG}],
    "pathsend": [_start([(b"content-type", b"text/css")]), {"type": "http.response.pathsend", "path": "/x.css"}],
    "pathsend image": [_start([(b"content-type", b"image/png")]), {"type": "http.response.pathsend", "path": "/x.png"}],
}


def _run(middleware, messages, accept_encoding):
    async def app(scope, receive, send):
        for message in copy.deepcopy(messages):
            await send(message)

    sent = []

    async def send(message):
        sent.append(copy.deepcopy(message))

    async def receive():
        return {"type": "http.request", "body": b""}

    headers = [(b"host", b"test")] + ([(b"accept-encoding", accept_encoding)] if accept_encoding is not None else [])
    scope = {"type": "http", "method": "GET", "path": "/", "headers": headers}
    asyncio.run(middleware(app, minimum_size=500, compresslevel=6)(scope, receive, send))
    return sent


@pytest.mark.parametrize("accept_encoding", [None, b"identity", b"br, deflate", b"gzip, deflate, br", b"GZIP"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_same_messages_as_starlettes_gzip_middleware(case, accept_encoding):
    assert _run(CompressionMiddleware, CASES[case], accept_encoding) == _run(GZipMiddleware, CASES[case],
                                                                             accept_encoding)


def test_a_client_accepting_gzip_still_gets_gzip(client):
    response = client.get("/", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    plain = client.get("/", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and "Accept-Encoding" in plain.headers["vary"]


@pytest.mark.parametrize("accept_encoding", [None, b"gzip, deflate, br"])
def test_one_middleware_answers_many_responses_as_starlette_does(accept_encoding):
    # The same middleware for every case in turn, twice: what it remembers of a content type (whether it is ever
    # compressed) must not carry over to the next response.
    ours = CompressionMiddleware(None, minimum_size=500, compresslevel=6)
    theirs = GZipMiddleware(None, minimum_size=500, compresslevel=6)
    for case in [*sorted(CASES), *sorted(CASES, reverse=True)]:
        assert (_run(lambda app, **_: _with_app(ours, app), CASES[case], accept_encoding)
                == _run(lambda app, **_: _with_app(theirs, app), CASES[case], accept_encoding)), case


def _with_app(middleware, app):
    middleware.app = app
    return middleware
