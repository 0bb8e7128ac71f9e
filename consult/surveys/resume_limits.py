"""Limits on guessing resume codes (``/s/<slug>/resume``).

A resume code is 8 characters from a 31-letter alphabet (about 40 bits): far too many to try by hand, but a
script trying codes as fast as the server answers must be slowed down. Two counters of *failed* attempts, in
memory (:class:`consult.accounts.throttle.Throttle`, with its keyed hash of the client address):

* per client: a few mistyped codes are normal, a steady stream is not;
* per survey and code prefix, whoever asks: a guesser spreading over many addresses still meets a limit for
  each part of the code space, while a respondent whose code starts differently is not affected.

While either counter is full every attempt is refused, the right code too (else the limit would leak which
codes exist). Several app servers each count on their own, which still divides a guesser's speed by the limit.
"""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request

from consult.accounts.throttle import Throttle, client_key
from consult.surveys.responding import normalise_code

WINDOW = dt.timedelta(minutes=15)
#: Wrong codes one client may send per window.
PER_CLIENT_LIMIT = 10
#: Wrong codes starting with the same two characters per survey per window, from everyone together.
PER_PREFIX_LIMIT = 30
PREFIX_LENGTH = 2


class ResumeLimits:
    """The two counters of one running app (kept on ``app.state``, so each app, and each test, counts afresh)."""

    def __init__(self) -> None:
        self.per_client = Throttle(limit=PER_CLIENT_LIMIT, window=WINDOW)
        self.per_prefix = Throttle(limit=PER_PREFIX_LIMIT, window=WINDOW)


def limits(request: Request) -> ResumeLimits:
    found = getattr(request.app.state, "resume_limits", None)
    if found is None:
        found = request.app.state.resume_limits = ResumeLimits()
    return found


def _keys(request: Request, survey_id: int, code: str) -> tuple[str, str]:
    prefix = normalise_code(code)[:PREFIX_LENGTH]
    return f"{survey_id}:{client_key(request)}", f"{survey_id}:{prefix}"


def blocked(request: Request, survey_id: int, code: str) -> bool:
    """Whether this attempt must be refused without looking the code up."""
    client, prefix = _keys(request, survey_id, code)
    counters = limits(request)
    return counters.per_client.blocked(client) or counters.per_prefix.blocked(prefix)


def failed(request: Request, survey_id: int, code: str) -> None:
    """Count a code that matched no response."""
    client, prefix = _keys(request, survey_id, code)
    counters = limits(request)
    counters.per_client.hit(client)
    counters.per_prefix.hit(prefix)


def retry_after() -> int:
    """Seconds to suggest in ``Retry-After``."""
    return int(WINDOW.total_seconds())
