"""Cross-site request forgery protection for every unsafe request.

A random value lives in an HttpOnly cookie; each form carries that value signed with the secret key in a hidden
``csrf_token`` field (or an ``X-CSRF-Token`` header for scripts). A request whose token does not match its cookie is
refused with a translated 403 page that offers to send the same form again with a fresh token, so nothing the user
typed is lost (passwords and files excepted: those are never echoed back).
"""

from __future__ import annotations

import functools
import hmac
import re
import secrets
from typing import Iterable
from urllib.parse import unquote

from itsdangerous import URLSafeSerializer
from starlette.datastructures import FormData, Headers, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consult.i18n import gettext as _
from consult.middleware.cookies import host_only, request_cookies
from consult.middleware.response_start import Hook, on_response_start

COOKIE = "csrf"  # under HTTPS "__Host-csrf" (consult.middleware.cookies.host_only)
FIELD = "csrf_token"
HEADER = "x-csrf-token"
#: Where the form the middleware parsed is kept for the view (see :func:`consult.web.form_data`).
FORM_KEY = "consult.form"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: Fields never sent back in the "send again" form.
SECRET_FIELDS = ("password", "new_password", "current_password", "password_confirm", FIELD)


def token_for_scope(scope: Scope) -> str:
    tokens = scope.get("csrf_tokens")
    if tokens is not None:
        return tokens(scope["csrf_cookie"])
    serializer: URLSafeSerializer = scope["csrf_serializer"]
    return serializer.dumps(scope["csrf_cookie"])


class CSRFMiddleware:
    def __init__(self, app: ASGIApp, secret_key: str, https: bool = False, max_body: int = 20 * 1024 * 1024,
                 exempt_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.serializer = URLSafeSerializer(secret_key, salt="consult.csrf")
        # The token of a cookie never changes (no timestamp): a browser's pages reuse it instead of signing the
        # same value again on every page (a few percent of a survey page's time).
        self.tokens = functools.lru_cache(maxsize=4096)(self.serializer.dumps)
        self.https = https
        self.cookie = host_only(COOKIE, https)
        self.max_body = max_body
        # A path ending in "/" exempts everything under it (links whose signed token is in the path itself).
        self.exempt_paths = frozenset(p for p in exempt_paths if not p.endswith("/"))
        self.exempt_prefixes = tuple(p for p in exempt_paths if p.endswith("/"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie = request_cookies(scope).get(self.cookie, "")
        fresh = not _well_formed(cookie)
        if fresh:
            cookie = secrets.token_urlsafe(32)
        scope["csrf_cookie"] = cookie
        scope["csrf_serializer"] = self.serializer
        scope["csrf_tokens"] = self.tokens
        if fresh:
            send = on_response_start(scope, send, self._setting_cookie(cookie))

        if (scope["method"] in SAFE_METHODS or scope["path"] in self.exempt_paths
                or (self.exempt_prefixes and scope["path"].startswith(self.exempt_prefixes))):
            await self.app(scope, receive, send)
            return

        headers = Headers(scope=scope)
        body = await _read_body(receive, self.max_body)
        if body is None:
            from consult.web import error_response

            await error_response(Request(scope), 413)(scope, receive, send)
            return
        replay = _replaying(body, receive)
        form: FormData | None = None
        content_type = headers.get("content-type", "")
        if content_type.startswith("application/x-www-form-urlencoded") and (plain := plain_form(body)) is not None:
            form = plain
            submitted = form.get(FIELD)
        elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            try:
                form = await Request(scope, _replaying(body, receive)).form()
            except (MultiPartException, HTTPException):
                from consult.web import error_response

                await error_response(Request(scope), 400)(scope, receive, send)
                return
            submitted = form.get(FIELD)
        else:
            submitted = headers.get(HEADER)
        if fresh or not self._valid(submitted, cookie):
            await self._refuse(scope, replay, send, form)
            return
        if form is None:
            await self.app(scope, replay, send)
            return
        # The view reads this form rather than parsing the body a second time (consult.web.form_data), and so does
        # the error page: if the request fails (the database is away), it offers to send the same form again, so
        # nothing typed is lost (never passwords or files: replayable_fields).
        scope[FORM_KEY] = form
        try:
            await self.app(scope, replay, send)
        finally:
            await form.close()  # uploaded files' temporary files

    def _valid(self, submitted: object, cookie: str) -> bool:
        # A cookie's token is the cookie signed without a time stamp: the one valid token is the one we would
        # issue, so comparing with it (remembered) checks the signature without working it out again.
        if not isinstance(submitted, str) or not submitted or not submitted.isascii():
            return False
        return hmac.compare_digest(submitted, self.tokens(cookie))

    def _setting_cookie(self, cookie: str) -> Hook:
        attributes = f"{self.cookie}={cookie}; Path=/; HttpOnly; SameSite=Lax"
        if self.https:
            attributes += "; Secure"
        header = (b"set-cookie", attributes.encode("latin-1"))

        def add_cookie(message: Message) -> None:  # the header list is the message's own (on_response_start)
            message["headers"].append(header)

        return add_cookie

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, form: FormData | None) -> None:
        from consult.web import render

        request = Request(scope, receive)
        fields = replayable_fields(form) if form is not None and scope["method"] == "POST" else None
        can_replay = fields is not None
        fields = fields or []
        response = render(
            request,
            "errors/csrf.html",
            {
                "page_title": _("Please send the form again"),
                "replay_fields": fields,
                "replay_action": scope["path"] + (("?" + scope["query_string"].decode("latin-1"))
                                                  if scope.get("query_string") else ""),
                "can_replay": can_replay,
            },
            status_code=403,
        )
        await response(scope, receive, send)


#: Starlette's limits for a form (``Request.form()``): a body that could reach them is left to its parser.
MAX_FIELDS = 1000
MAX_PART_SIZE = 1024 * 1024


def plain_form(body: bytes) -> FormData | None:
    """An ordinary urlencoded body (ASCII, ``name=value`` pairs joined by ``&``) as Starlette's parser reads it,
    for a sixth of the time; ``None`` for anything else, which goes to Starlette's parser and its limits.

    Every form a browser sends from our pages is ordinary; ``tests/test_csrf.py`` compares the two parsers.
    """
    if len(body) > MAX_PART_SIZE or not body.isascii() or b";" in body:
        return None
    pairs = body.decode("ascii").split("&")
    if len(pairs) > MAX_FIELDS:
        return None
    items = []
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals:
            return None
        items.append((_field_name(name), _decoded(value)))
    return PlainFormData(items)


class PlainFormData(FormData):
    """Starlette's form, with ``get`` read straight from its dict of last values (as ``form[name]`` is) instead of
    through ``Mapping.get`` and ``__getitem__``: a submission reads a dozen fields."""

    def get(self, key, default=None):  # type: ignore[override]
        return self._dict.get(key, default)


def _decoded(text: str) -> str:
    """A name or value of an urlencoded body, as ``urllib.parse.parse_qsl`` decodes it (UTF-8, errors replaced)."""
    if "+" in text:
        text = text.replace("+", " ")
    return unquote(text) if "%" in text else text


# Field names repeat from request to request ("a%3Aage" for the answer to "age"), values much less: remember the
# names only (never an answer), a bounded number of them.
_field_name = functools.lru_cache(maxsize=1024)(_decoded)


def replayable_fields(form: FormData) -> list[tuple[str, str]] | None:
    """The fields of a form that a "send again" page may carry back, or ``None`` when it cannot be replayed
    (a file cannot be put back into a form: the user goes back and sends it again instead)."""
    if any(isinstance(value, UploadFile) for _, value in form.multi_items()):
        return None
    return [(name, value) for name, value in form.multi_items() if name not in SECRET_FIELDS and isinstance(value, str)]


# 20 to 64 letters, digits, "-" or "_" (``\w`` is exactly ``str.isalnum()`` plus "_").
_well_formed = re.compile(r"[\w-]{20,64}").fullmatch


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive channel that hands the already-read body to the app, then waits on the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
