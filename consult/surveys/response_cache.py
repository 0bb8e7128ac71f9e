"""A respondent's response and its survey, kept in this process between her requests.

Every respondent request starts by reading her response, with its survey, by the hash of her cookie secret
(:func:`consult.surveys.responding.response_for_cookie`). Most of her requests follow one that this process has
just answered: the page shown after her submission's redirect, and the submission of the page just shown. Kept
here, the row spares the database that read. On one server, that is half of a respondent's database round trips.

**When an entry may be used.** Only when the request names the step the response is at, and the entry is at that
step. The page URL that a submission redirects to carries it (``?v=<step>``), and so does every page form (its
``step`` field). Each save moves the step on, and the save is conditional on the step, so a response at a given
step has exactly one state, whichever server wrote it. When another server saved since, this entry is at an older
step and is not used. A request without a step, or with another step, reads the database and refreshes the entry.

**What a submission from an entry cannot do.** The save statement itself checks that the response is still named
by this cookie (a resume on another device changes the key), is still at this step, and that its survey is open
(:func:`consult.surveys.responding.save_page`). If any of these no longer holds, nothing is written and the
entry is dropped; the next page reads the database.

**Surveys** are kept for :data:`SURVEY_SECONDS`. A change saved in this process drops the entry at once (a
``post_save`` signal), and on PostgreSQL the other processes are told to drop theirs
(:mod:`consult.surveys.cache_notices`); the seconds bound what a notice lost while a process was not listening can
leave. Submissions do not depend on it: their statement checks the status. A response deleted by its respondent or
moved to another device is announced the same way.

**Memory.** At most :data:`MAX_RESPONSES` responses, each for :data:`RESPONSE_SECONDS` after its last use. An
entry is reached only through the SHA-256 of her cookie secret, as the database row is, so it is shown to no one
else. An entry is the response's plain values, its answers as JSON text: each request gets a response of its own
made from it, so nothing a request changes reaches the next one, and the entries are nothing the garbage collector
tracks (20,000 kept model objects made its full collections long enough to lengthen the submissions' p99 by half).
"""

from __future__ import annotations

import time
from typing import Any

from tortoise.signals import post_delete, post_save

from consult.surveys.models import Response, Survey

#: Longer than a respondent usually spends on one page, so that her submission finds the entry her page left.
RESPONSE_SECONDS = 20 * 60
#: Respondents answering at the same moment on one server; beyond it the least recently used go.
MAX_RESPONSES = 20_000
#: How long a survey's settings (open or closed, discreet, consent) may lag behind another server's change.
SURVEY_SECONDS = 2.0

# key hash -> (expires at, step, state); survey id -> (expires at, survey). Plain dicts keep insertion order: an
# entry is re-inserted on each use, so the first one is the least recently used.
_responses: dict[str, tuple[float, int, dict[str, Any]]] = {}
_surveys: dict[int, tuple[float, Survey]] = {}
_clock = time.monotonic  # the tests move it on


_RECALLED = "_consult_recalled"
#: Per-instance state that is not the row: the survey is kept on its own, the rest is made afresh.
_NOT_KEPT = frozenset({"_survey", _RECALLED, "_await_when_save", "answers"})


def _state(response: Response, answers_text: str | None = None) -> dict[str, Any]:
    """The response's attributes, the answers as JSON text (``answers_text`` when the caller has it, as read from
    the database): plain values only (ints, strings, datetimes), so the garbage collector does not track the dict."""
    state = {name: value for name, value in response.__dict__.items() if name not in _NOT_KEPT}
    state["answers"] = (answers_text if answers_text is not None
                        else _answers_field().to_db_value(response.answers or {}, Response))
    return state


def _answers_field():
    return Response._meta.fields_map["answers"]


def _response(state: dict[str, Any]) -> Response:
    """A response of its own for one request, as a read would make it from the same row."""
    response = Response.__new__(Response)
    attributes = response.__dict__
    attributes.update(state)
    attributes["answers"] = _answers_field().to_python_value(state["answers"])
    attributes["_await_when_save"] = {}
    return response


def remember(response: Response, survey: Survey, *, survey_read: bool = True,
             answers_text: str | None = None) -> None:
    """Keep ``response`` (as it is in the database now) and its ``survey``.

    ``survey_read`` says the survey was just read from the database: its :data:`SURVEY_SECONDS` start again. A
    survey that came from this cache (``survey_read=False``, a save from a kept response) is left as it is kept, so
    that its seconds run out and the next request reads it again."""
    now = _clock()
    key = response.key_hash
    _responses.pop(key, None)
    if len(_responses) >= MAX_RESPONSES:
        _responses.pop(next(iter(_responses)))
    _responses[key] = (now + RESPONSE_SECONDS, response.step, _state(response, answers_text))
    if survey_read:
        remember_survey(survey, now)


def fresh_survey(survey_id: int) -> Survey | None:
    """The survey kept for ``survey_id`` if its seconds have not run out, else None."""
    entry = _surveys.get(survey_id)
    if entry is None or entry[0] <= _clock():
        return None
    return entry[1]


def remember_survey(survey: Survey, now: float | None = None) -> None:
    _surveys[survey.id] = ((_clock() if now is None else now) + SURVEY_SECONDS, survey)


def recall(key_hash: str, step: int) -> Response | None:
    """The response named by ``key_hash``, built afresh, if it is kept at ``step``, with its survey; else None."""
    entry = _responses.get(key_hash)
    if entry is None:
        return None
    expires, kept_step, state = entry
    now = _clock()
    if kept_step != step or expires <= now:
        if expires <= now:
            del _responses[key_hash]
        return None
    survey_entry = _surveys.get(state["survey_id"])
    if survey_entry is None or survey_entry[0] <= now:
        return None  # the caller reads both again
    del _responses[key_hash]  # re-inserted last: the most recently used
    _responses[key_hash] = (now + RESPONSE_SECONDS, step, state)
    response = _response(state)
    object.__setattr__(response, "_survey", survey_entry[1])  # as select_related sets it
    object.__setattr__(response, _RECALLED, True)
    return response


def was_recalled(response: Response) -> bool:
    """Whether ``response`` came from this cache rather than from the database."""
    return response.__dict__.get(_RECALLED, False)


def forget(key_hash: str) -> None:
    _responses.pop(key_hash, None)


def forget_survey(survey_id: int) -> None:
    _surveys.pop(survey_id, None)


def clear() -> None:
    """Forget everything (a process that opens another database: ids and keys mean other rows there)."""
    _responses.clear()
    _surveys.clear()


def kept_responses() -> int:
    return len(_responses)


@post_save(Survey)
async def _survey_saved(sender: Any, instance: Survey, *args: Any) -> None:
    forget_survey(instance.id)


@post_delete(Survey)
async def _survey_deleted(sender: Any, instance: Survey, *args: Any) -> None:
    forget_survey(instance.id)
