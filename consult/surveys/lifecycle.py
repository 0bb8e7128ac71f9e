"""A survey's life: import (a new survey or a new version), draft → open → closed, and edits.

A survey that has responses never changes under them: :func:`replace_form` writes a new version when the
current one has been answered, and replaces the unanswered current version otherwise (with a new row, so the
in-process form cache keyed by version id never serves a stale form).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata

from tortoise.transactions import in_transaction

from consult.i18n import gettext as _
from consult.surveys import store
from consult.surveys.form import FormDefinition
from consult.surveys.models import Response, Survey, SurveyStatus, SurveyVersion
from consult.surveys.xlsform import import_xlsform

__all__ = ["SurveyError", "import_survey", "import_new_version", "replace_form", "set_status", "neutral_slug",
           "survey_rows"]


class SurveyError(ValueError):
    """A lifecycle step is not possible; the message is translated, for the page or the command line."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def neutral_slug() -> str:
    """A random address that says nothing about the topic (for discreet surveys)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def _slug_from(form: FormDefinition) -> str:
    text = unicodedata.normalize("NFKD", form.form_id).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:48]
    return text or neutral_slug()


async def _free_slug(base: str) -> str:
    slug, n = base, 1
    while await Survey.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


async def import_survey(data: bytes, *, filename: str | None = None, open_now: bool = False,
                        discreet: bool = False) -> Survey:
    """Create a survey from an XLSForm workbook.

    Raises :class:`~consult.surveys.xlsform.XLSFormError` (with every problem) before anything is written, so a
    refused workbook leaves nothing behind.
    """
    form = import_xlsform(data, filename=filename)
    return await create_survey(form, open_now=open_now, discreet=discreet)


async def create_survey(form: FormDefinition, *, open_now: bool = False, discreet: bool = False) -> Survey:
    async with in_transaction():
        slug = neutral_slug() if discreet else await _free_slug(_slug_from(form))
        now = _now()
        survey = await Survey.create(
            slug=slug, discreet=discreet,
            status=SurveyStatus.OPEN.value if open_now else SurveyStatus.DRAFT.value,
            opened_at=now if open_now else None,
        )
        version = await SurveyVersion.create(survey=survey, number=1, definition=form.to_dict())
    store.remember(version)
    return survey


async def import_new_version(survey: Survey, data: bytes, *, filename: str | None = None) -> SurveyVersion:
    """Replace the survey's form by an uploaded workbook (a new version when the current one has answers)."""
    form = import_xlsform(data, filename=filename)
    return await replace_form(survey, form)


async def replace_form(survey: Survey, form: FormDefinition) -> SurveyVersion:
    async with in_transaction():
        current = await store.current_version(survey)
        if await Response.filter(version_id=current.id).exists():
            number = current.number + 1
        else:
            number = current.number
            await SurveyVersion.filter(id=current.id).delete()
        version = await SurveyVersion.create(survey_id=survey.id, number=number, definition=form.to_dict())
    store.remember(version)
    return version


_TRANSITIONS = {
    (SurveyStatus.DRAFT, SurveyStatus.OPEN),
    (SurveyStatus.OPEN, SurveyStatus.CLOSED),
    (SurveyStatus.CLOSED, SurveyStatus.OPEN),
}


async def set_status(survey: Survey, status: SurveyStatus | str) -> Survey:
    """Move along draft → open → closed (a closed survey may be opened again)."""
    try:
        target = SurveyStatus(status)
    except ValueError:
        raise SurveyError(_("Unknown status.")) from None
    if (SurveyStatus(survey.status), target) not in _TRANSITIONS:
        raise SurveyError(_("A survey cannot go from %(old)s to %(new)s.", old=survey.status, new=target.value))
    now = _now()
    survey.status = target.value
    if target is SurveyStatus.OPEN:
        survey.opened_at = now
        survey.closed_at = None
    else:
        survey.closed_at = now
    await survey.save(update_fields=["status", "opened_at", "closed_at"])
    return survey


async def survey_rows() -> list[dict]:
    """Every survey with its title, status and response counts, newest first (for lists)."""
    surveys = await Survey.all().order_by("-id")
    counts: dict[int, list[int]] = {}
    for survey_id, status in await Response.all().values_list("survey_id", "status"):
        entry = counts.setdefault(survey_id, [0, 0])
        entry[0] += 1
        entry[1] += status == "complete"
    rows = []
    for survey in surveys:
        version, form = await store.current_form(survey)
        total, complete = counts.get(survey.id, [0, 0])
        rows.append({"survey": survey, "form": form, "version": version, "responses": total, "complete": complete})
    return rows
