"""Answering a survey, independent of HTTP: start a response, save a page once, resume, invitations.

See :mod:`consult.surveys.models` for how answers are stored. A page submission is at most five queries in
one transaction, whatever the number of questions: the response is read by its cookie (with its survey), the
form comes from the in-process cache, the survey is checked to be open, the response row is updated *on condition
that its step is still the one the page was rendered at*, and one submission row is added. A replay finds the step
moved on and is a no-op. On PostgreSQL the check, the update and the insert are one statement (one round trip,
atomic by itself), shared with the saves of other respondents waiting at that moment
(:mod:`consult.surveys.save_batch`), and the read is skipped when this process keeps the response at the page's step
(:mod:`consult.surveys.response_cache`): a page submission is then one round trip.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Mapping

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from consult.i18n import gettext as _
from consult.surveys import cache_notices, read_batch, response_cache, save_batch
from consult.surveys.form import FormDefinition
from consult.surveys.models import (Invitation, PageSubmission, Response, ResponseStatus, Survey, SurveyStatus,
                                    SurveyVersion)
from consult.surveys.validation import PageCheck, answers_after_page, first_page, next_page, previous_page

#: Letters and digits nobody confuses when copying from a screen (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class RespondError(ValueError):
    """The respondent cannot go on (closed survey, spent invitation…); the message is translated."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_resume_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a respondent typed as a resume code: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in (text or "").upper() if ch.isascii() and ch.isalnum())[:32]


def format_code(code: str) -> str:
    """``ABCD-EFGH``: easier to read aloud and copy."""
    return f"{code[:4]}-{code[4:]}"


def can_answer(survey: Survey) -> bool:
    return survey.status == SurveyStatus.OPEN.value


# ----------------------------------------------------------------------------------------------- invitations


async def create_invitations(survey: Survey, count: int, *, label: str = "",
                             valid_days: int | None = None) -> list[str]:
    """Make ``count`` personal tokens; returns them in clear (only their hashes are kept: show them once)."""
    tokens = [secrets.token_urlsafe(18) for _ in range(count)]
    expires = _now() + dt.timedelta(days=valid_days) if valid_days else None
    await Invitation.bulk_create([
        Invitation(survey_id=survey.id, token_hash=hash_token(t), label=label[:120], expires_at=expires,
                   created_at=_now())
        for t in tokens
    ])
    return tokens


async def check_invitation(survey: Survey, token: str | None) -> Invitation:
    """The unused, unexpired invitation of ``survey`` that ``token`` names; raises :class:`RespondError`."""
    if not token or len(token) > 100:
        raise RespondError(_("This questionnaire can only be answered with a personal invitation link."))
    invitation = await Invitation.filter(survey_id=survey.id, token_hash=hash_token(token)).first()
    if invitation is None:
        raise RespondError(_("This invitation link is not valid. Please check that you copied it whole."))
    if invitation.used_at is not None:
        raise RespondError(_("This invitation link has already been used. Each link can be used once."))
    if invitation.expires_at is not None and invitation.expires_at <= _now():
        raise RespondError(_("This invitation link has expired."))
    return invitation


# ---------------------------------------------------------------------------------------------------- start


async def start_response(survey: Survey, version: SurveyVersion, form: FormDefinition, language: str,
                         invitation_token: str | None = None) -> tuple[Response, str]:
    """Create a response after consent; returns it and the secret for the respondent's cookie.

    An invitation is spent in the same transaction (a concurrent second use fails); it is linked to the
    response only when the survey is not anonymous.
    """
    if not can_answer(survey):
        raise RespondError(_("This questionnaire is closed. Thank you for your interest."))
    if language not in form.languages:
        language = form.default_language
    page = first_page(form) or 0
    for _attempt in range(5):
        secret = secrets.token_urlsafe(32)
        now = _now()
        try:
            async with in_transaction():
                invitation = None
                if invitation_token is not None or survey.access == "invitation":
                    invitation = await check_invitation(survey, invitation_token)
                    spent = await Invitation.filter(id=invitation.id, used_at=None).update(used_at=now)
                    if not spent:
                        raise RespondError(
                            _("This invitation link has already been used. Each link can be used once."))
                response = await Response.create(
                    survey_id=survey.id, version_id=version.id, key_hash=hash_token(secret),
                    resume_code=new_resume_code(), language=language, page=page, step=0, answers={},
                    created_at=now, updated_at=now,
                )
                if invitation is not None and not survey.anonymous:
                    await Invitation.filter(id=invitation.id).update(response_id=response.id)
            response_cache.remember(response, survey)  # her first page follows at once
            return response, secret
        except IntegrityError:  # a resume code drawn twice: draw again
            continue
    raise RuntimeError("could not draw a unique resume code")


async def response_for_cookie(secret: str | None, at_step: int | None = None,
                              survey_id: int | None = None) -> Response | None:
    """The response a cookie secret names, with its survey (one query, or none).

    Parameters
    ----------
    at_step : int, optional
        The step the request says the response is at (the page URL's ``v``, the page form's ``step``). When this
        process keeps the response at that step (:mod:`consult.surveys.response_cache`), no query is made.
    survey_id : int, optional
        The survey the cookie is for (its name says it). When this process keeps that survey, only the response's
        row is read, and only if it is that survey's; the survey is the one kept.

    Every respondent's page starts here, so the statement is written once per database dialect rather than built
    by the query builder on each request (which cost more than the query); the rows become models exactly as
    ``Response.filter(key_hash=…).select_related("survey").first()`` would make them.
    """
    if not secret or len(secret) > 100:
        return None
    key_hash = hash_token(secret)
    if at_step is not None:
        kept = response_cache.recall(key_hash, at_step)
        if kept is not None:
            return kept
    connection = connections.get("default")
    dialect = connection.capabilities.dialect
    if dialect not in _COOKIE_SQL:
        _COOKIE_SQL[dialect] = _cookie_sql("$1" if dialect == "postgres" else "?")
        _RESPONSE_SQL[dialect] = _response_sql("$1" if dialect == "postgres" else "?",
                                               "$2" if dialect == "postgres" else "?")
    survey = response_cache.fresh_survey(survey_id) if survey_id is not None else None
    if survey is not None:
        sql, response_columns = _RESPONSE_SQL[dialect]
        if dialect == "postgres":  # with the other reads arriving meanwhile (consult.surveys.read_batch)
            found = await read_batch.batcher(connection, response_columns).read(key_hash, survey_id)
            rows = [] if found is None else [found]
        else:
            _count, rows = await connection.execute_query(sql, [key_hash, survey_id])
    else:
        sql, response_columns, survey_columns = _COOKIE_SQL[dialect]
        _count, rows = await connection.execute_query(sql, [key_hash])
    if not rows:
        response_cache.forget(key_hash)
        return None
    row = tuple(rows[0])
    values = dict(zip(response_columns, row))
    answers_text = values["answers"]
    response = Response._init_from_db(**values)
    if survey is None:
        survey = Survey._init_from_db(**dict(zip(survey_columns, row[len(response_columns):])))
    object.__setattr__(response, "_survey", survey)  # as select_related sets it
    response_cache.remember(response, survey, answers_text=answers_text if isinstance(answers_text, str) else None)
    return response


#: dialect -> (statement, response columns, survey columns); made on first use (the models' columns are
#: complete only once Tortoise is initialised).
_COOKIE_SQL: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}


#: dialect -> (statement, response columns): the response alone, when its survey is kept.
_RESPONSE_SQL: dict[str, tuple[str, tuple[str, ...]]] = {}


def _response_sql(key: str, survey: str) -> tuple[str, tuple[str, ...]]:
    response_columns = tuple(sorted(Response._meta.db_fields))
    columns = ", ".join(f'"{c}"' for c in response_columns)
    return (f'SELECT {columns} FROM "survey_responses" WHERE "key_hash" = {key} AND "survey_id" = {survey} LIMIT 1',
            response_columns)


def _cookie_sql(placeholder: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    response_columns = tuple(sorted(Response._meta.db_fields))
    survey_columns = tuple(sorted(Survey._meta.db_fields))
    columns = [f'r."{c}"' for c in response_columns] + [f's."{c}"' for c in survey_columns]
    sql = (f'SELECT {", ".join(columns)} FROM "survey_responses" r JOIN "surveys" s ON s."id" = r."survey_id" '
           f'WHERE r."key_hash" = {placeholder} LIMIT 1')
    return sql, response_columns, survey_columns


async def resume_with_code(survey: Survey, code: str) -> tuple[Response, str] | None:
    """Continue a response on another device: a new cookie secret replaces the old one (the old device stops)."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    response = await Response.filter(survey_id=survey.id, resume_code=code).first()
    if response is None:
        return None
    secret = secrets.token_urlsafe(32)
    old_key = response.key_hash
    response_cache.forget(old_key)  # the other device's cookie names nothing any more
    response.key_hash = hash_token(secret)
    await Response.filter(id=response.id).update(key_hash=response.key_hash)
    await cache_notices.announce_response(old_key)  # nor on the other processes, which may keep it
    response_cache.remember(response, survey)
    return response, secret


async def erase_response(response: Response) -> bool:
    """Delete ``response`` at its respondent's request (her cookie named it): its answers and page submissions go,
    an invitation keeps only that it was used. False when it was gone already (erased from another tab)."""
    response_cache.forget(response.key_hash)
    # By id and key: a response taken over by another device since (a resume code) is no longer hers to erase here.
    erased = bool(await Response.filter(id=response.id, key_hash=response.key_hash).delete())
    await cache_notices.announce_response(response.key_hash)  # the other processes forget it too
    return erased


# ------------------------------------------------------------------------------------------------ saving


@dataclass(frozen=True)
class Saved:
    """The outcome of a page submission: ``applied`` is false when nothing was written (a replay, or a response
    that can no longer be saved: its survey closed, another device took it over)."""

    applied: bool
    page: int
    complete: bool


async def save_page(response: Response, form: FormDefinition, page_index: int, submitted_step: int,
                    clean: Mapping[str, Any], *, move: str, language: str | None = None,
                    survey: Survey | None = None, check: PageCheck | None = None) -> Saved:
    """Store one page's clean values and move on.

    Parameters
    ----------
    move : {"next", "back", "stay"}
        ``next`` after a valid page (records a submission, may complete the response); ``back`` and ``stay``
        (a language switch) keep what was entered without requiring anything.
    submitted_step : int
        The step the page was rendered at. When the response has moved on and the page brings nothing new,
        this is a replay: nothing is written.
    survey : Survey, optional
        The response's survey: given, the saved response is kept in this process for her next request
        (:mod:`consult.surveys.response_cache`).
    check : PageCheck, optional
        The page's :func:`~consult.surveys.validation.check_page` against ``response.answers``, whose skip logic
        is then taken up rather than worked out again.

    The write is conditional on what the response was read as: still at its step, still named by the same cookie
    key, its survey still open. It may have been read from this process's cache, or a moment before another
    server changed it; either way a response that moved on is not written over.
    """
    stored = response.answers if response.answers is not None else {}
    if submitted_step != response.step:
        if move == "next" and all(stored.get(k) == v for k, v in clean.items()):
            return Saved(False, response.page, response.status == ResponseStatus.COMPLETE.value)
        # A stale page (the browser's own Back button) bringing changes: apply them to the current state.
    answers = answers_after_page(form, stored, page_index, clean, check)
    complete = False
    target = page_index
    if move == "next":
        following = next_page(form, page_index, answers, saved=True, check=check)
        if following is None:
            complete = True
        else:
            target = following
    elif move == "back":
        previous = previous_page(form, page_index, answers)
        target = page_index if previous is None else previous
    now = _now()
    step = response.step
    fields: dict[str, Any] = {"answers": answers, "page": target, "step": step + 1, "updated_at": now}
    if language:
        fields["language"] = language
    if complete:
        fields["status"] = ResponseStatus.COMPLETE.value
        fields["completed_at"] = now
    submission = form.pages[page_index].name if move == "next" else None
    answers_text = None  # the answers as JSON, when the statement made it: kept as they are
    try:
        database = connections.get("default")
        if database.capabilities.dialect == "postgres":
            answers_text = await _save_in_one_statement(database, response, step, fields, submission)
        else:
            async with in_transaction():
                if not await Survey.filter(id=response.survey_id, status=SurveyStatus.OPEN.value).exists():
                    raise _Replayed
                updated = await Response.filter(id=response.id, step=step, key_hash=response.key_hash).update(
                    **fields)
                if not updated:  # another copy of this page got there first
                    raise _Replayed
                if submission is not None:
                    await PageSubmission.create(response_id=response.id, step=step + 1, page=submission,
                                                created_at=now)
    except (_Replayed, IntegrityError):
        response_cache.forget(response.key_hash)
        fresh = await Response.get_or_none(id=response.id, key_hash=response.key_hash)
        if fresh is None:  # erased, or taken over by another device: her next page tells her
            return Saved(False, response.page, False)
        return Saved(False, fresh.page, fresh.status == ResponseStatus.COMPLETE.value)
    # Data fields only: Tortoise's __setattr__ adds checks for relations and async defaults, which these are not.
    vars(response).update(fields)
    if survey is not None:
        response_cache.remember(response, survey, survey_read=False, answers_text=answers_text)
    return Saved(True, target, complete)


class _Replayed(Exception):
    pass


async def _save_in_one_statement(database: BaseDBAsyncClient, response: Response, step: int,
                                 fields: Mapping[str, Any], submission: str | None) -> str:
    """The conditional update and the submission row as one PostgreSQL statement (atomic by itself), shared with
    the other saves waiting at that moment (:mod:`consult.surveys.save_batch`).

    The same as the transaction used on SQLite, in one round trip instead of five (BEGIN, SELECT, UPDATE, INSERT,
    COMMIT): the INSERT takes its row from the UPDATE's, so when another copy of the page got there first (the
    step has moved on), the cookie's key changed or the survey closed, nothing is written. Returns the answers as
    the JSON text written.
    """
    # The times are save_page's _now(), aware and in UTC: what DatetimeField.to_db_value gives back for them
    # (it only warns about naive ones), so they go to asyncpg as they are.
    save = save_batch.Save(
        response_id=response.id, step=step, key_hash=response.key_hash,
        answers=Response._meta.fields_map["answers"].to_db_value(fields["answers"], Response), page=fields["page"],
        updated_at=fields["updated_at"], language=fields.get("language"), status=fields.get("status"),
        completed_at=fields.get("completed_at"), submission=submission)
    if not await save_batch.batcher(database, SurveyStatus.OPEN.value).write(save):
        raise _Replayed  # another copy of this page got there first
    return save.answers
