"""Reading surveys and their forms, with each version's parsed form cached in-process.

A :class:`~consult.surveys.models.SurveyVersion` never changes once written (an edit makes a new version with a
new id), so its parsed :class:`FormDefinition` can be kept for the life of the process without invalidation. A
survey page then reads no form from the database after the first request, however many questions it has.
"""

from __future__ import annotations

import contextlib
from typing import AsyncIterator

from consult.surveys import response_cache
from consult.surveys.form import FormDefinition
from consult.surveys.models import Response, Survey, SurveyVersion

_FORMS: dict[int, FormDefinition] = {}
#: Enough for every version of every survey a deployment will hold; beyond it the oldest entries go.
_MAX_CACHED = 512


def remember(version: SurveyVersion) -> FormDefinition:
    """The parsed form of a version whose ``definition`` is loaded (cached by version id)."""
    form = _FORMS.get(version.id)
    if form is None:
        form = FormDefinition.from_dict(version.definition)
        if len(_FORMS) >= _MAX_CACHED:
            _FORMS.pop(next(iter(_FORMS)))
        _FORMS[version.id] = form
    return form


async def form_of_version(version_id: int) -> FormDefinition:
    """The parsed form of version ``version_id`` (one query the first time, none after)."""
    form = _FORMS.get(version_id)
    if form is not None:
        return form
    version = await SurveyVersion.get(id=version_id)
    return remember(version)


async def current_version(survey: Survey) -> SurveyVersion:
    """The newest version: what a new respondent answers and what an edit starts from."""
    version = await SurveyVersion.filter(survey_id=survey.id).order_by("-number").first()
    if version is None:  # a survey is always created with its first version, in one transaction
        raise LookupError(f"survey {survey.slug} has no version")
    return version


async def current_form(survey: Survey) -> tuple[SurveyVersion, FormDefinition]:
    """The newest version and its parsed form (one query; the definition is read only when not cached).

    Once its form is cached, the version comes without its ``definition`` (the whole questionnaire as JSON,
    which the home page and the consent page would otherwise read and decode on every request).
    """
    version = await SurveyVersion.filter(survey_id=survey.id).order_by("-number").only(
        "id", "survey_id", "number", "created_at").first()
    if version is None:  # a survey is always created with its first version, in one transaction
        raise LookupError(f"survey {survey.slug} has no version")
    form = _FORMS.get(version.id)
    if form is None:
        version = await SurveyVersion.get(id=version.id)
        form = remember(version)
    return version, form


async def survey_by_slug(slug: str) -> Survey | None:
    if not slug or len(slug) > 64:
        return None
    return await Survey.filter(slug=slug).first()


async def response_count(survey: Survey, *, complete_only: bool = False) -> int:
    query = Response.filter(survey_id=survey.id)
    if complete_only:
        query = query.filter(status="complete")
    return await query.count()


@contextlib.asynccontextmanager
async def fresh_cache(app) -> AsyncIterator[None]:
    """Started with the app (``app.state.background``): forget forms cached for another database.

    Version ids are unique within one database; a process that opens another one (the tests, which make a
    database per test) must not be served a form of the same id from the previous one, nor a response or a
    survey kept by :mod:`consult.surveys.response_cache`.
    """
    _FORMS.clear()
    response_cache.clear()
    yield
