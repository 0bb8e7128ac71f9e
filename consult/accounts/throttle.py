"""Counting attempts in memory, per client: password sign-in, code requests, resume codes.

The client key is a keyed hash of the address made with a key that lives only in this process, and it is kept only
here, in memory: never written to the database or the logs. (Several app servers each count on their own. The
limits per account are in the database and hold across servers: wrong passwords in
:mod:`consult.accounts.password_limits`, codes in :mod:`consult.accounts.codes`.)
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import hmac
import secrets

from starlette.requests import Request

from consult.accounts import clock

_PROCESS_KEY = secrets.token_bytes(32)


def client_key(request: Request) -> str:
    host = request.client.host if request.client else "unknown"
    return hmac.new(_PROCESS_KEY, host.encode("utf-8"), hashlib.sha256).hexdigest()


class Throttle:
    """At most ``limit`` hits per key within ``window``."""

    def __init__(self, limit: int, window: dt.timedelta) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, collections.deque[dt.datetime]] = {}

    def _recent(self, key: str) -> collections.deque[dt.datetime]:
        now = clock.now()
        hits = self._hits.setdefault(key, collections.deque())
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if not hits:
            self._hits.pop(key, None)
            hits = self._hits.setdefault(key, collections.deque())
        return hits

    def blocked(self, key: str) -> bool:
        return len(self._recent(key)) >= self.limit

    def hit(self, key: str) -> None:
        self._recent(key).append(clock.now())
        if len(self._hits) > 100_000:  # a flood of distinct keys must not exhaust memory
            self._hits.clear()

    def reset(self, key: str) -> None:
        self._hits.pop(key, None)
