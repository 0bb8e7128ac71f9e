"""The time, as accounts and the mail outbox see it: replaceable in tests, so expiry is tested without sleeping."""

from __future__ import annotations

import datetime as dt
from typing import Callable

_source: Callable[[], dt.datetime] | None = None


def now() -> dt.datetime:
    """The current time, timezone-aware (UTC)."""
    return _source() if _source is not None else dt.datetime.now(dt.timezone.utc)


class FakeClock:
    """A clock that stands still until told to move (``advance``); for tests."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.current = start or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += dt.timedelta(**delta)


def install(source: Callable[[], dt.datetime] | None) -> None:
    """Use ``source`` as the time from now on (``None``: the real clock again)."""
    global _source
    _source = source
