"""The one adapter onto other areas' tables: survey answers as a DataFrame, population margins, consultation drafts.

Answers come through the surveys area's bridge (``consult.surveys.dataframe.responses_frame``). Consultation
drafts are written with the consultations area's ``service.add_version``; creating the consultation row itself
is done here (that area had no public "create a consultation" function when plans was written). Everything plans
needs from other areas goes through this module, so a change of theirs is a change in this file only.
"""

from __future__ import annotations

from dataclasses import dataclass
import pandas as pd

from consult.surveys.models import Survey


@dataclass(frozen=True)
class SurveyData:
    """The complete answers of one survey, and what its questions and answer codes say in every language.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per complete response, one column per answered question (multiple choices are left out).
    codebook : dict
        ``{question: {"label": {lang: text}, "choices": {code: {lang: text}}, "type": str}}``.
    title : dict
        The survey title by language.
    margins : dict
        ``{variable: {category: population}}`` uploaded for the survey (empty when none).
    """

    frame: pd.DataFrame
    codebook: dict
    title: dict
    margins: dict


async def survey_data(survey: Survey) -> SurveyData:
    """Complete responses of ``survey`` through the surveys area's DataFrame bridge, with its margins."""
    from consult.surveys.dataframe import responses_frame

    frame, book = await responses_frame(survey.slug)
    codebook = {v.name: {"label": dict(v.label), "choices": {code: dict(label) for code, label in v.choices},
                         "type": v.type} for v in book.variables}
    return SurveyData(frame=frame, codebook=codebook, title=dict(book.title), margins=dict(book.margins or {}))


async def new_consultation_draft(title: str, summary: str, languages: list[str], rows: list[dict], note: str,
                                 consultation=None, created_by=None):
    """Add a version (rows ``{"level", "texts"}``) to ``consultation``, creating the consultation when None.

    Returns the consultation and the new version.
    """
    from consult.accounts import clock
    from consult.consultations.models import Consultation
    from consult.consultations.service import add_version

    if consultation is None:
        consultation = await Consultation.create(title=title[:200], summary=summary, languages=languages,
                                                 created_by=created_by, created_at=clock.now())
    version = await add_version(consultation, rows, note=note)
    return consultation, version


async def demo_wave(form, answers: list[dict], margins: dict[str, dict[str, float]]) -> Survey:
    """A closed survey holding ``answers`` as complete responses, with population margins (demo and tests).

    The surveys area creates the survey and its version (``lifecycle.create_survey``); the response and margin
    rows are written here because that area has no function to add finished responses in bulk.
    """
    import datetime as dt
    import secrets

    from consult.surveys.lifecycle import create_survey
    from consult.surveys.models import PopulationMargin, Response, ResponseStatus, SurveyStatus, SurveyVersion

    survey = await create_survey(form)
    version = await SurveyVersion.filter(survey_id=survey.id).order_by("-number").first()
    now = dt.datetime.now(dt.timezone.utc)
    await Response.bulk_create([
        Response(survey=survey, version=version, key_hash=secrets.token_hex(32), resume_code=secrets.token_hex(8),
                 language="en", status=ResponseStatus.COMPLETE.value, answers=doc, created_at=now, updated_at=now,
                 completed_at=now, step=1)
        for doc in answers])
    await PopulationMargin.bulk_create([
        PopulationMargin(survey=survey, variable=variable, category=category, population=population)
        for variable, pop in margins.items() for category, population in pop.items()])
    survey.status = SurveyStatus.CLOSED.value
    survey.closed_at = now
    await survey.save()
    return survey
