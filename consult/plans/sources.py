"""The one adapter onto other areas' tables: survey answers as a DataFrame, population margins, consultation drafts.

Why this module exists: when plans was written, the surveys area had no DataFrame bridge
(``consult/surveys/dataframe.py``) and the consultations area's ``add_version`` was not committed yet. Everything
plans needs from them goes through the few functions below, so switching to their public functions later is a
change in this file only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from consult.surveys.form import FormDefinition
from consult.surveys.models import PopulationMargin, Response, ResponseStatus, Survey, SurveyVersion


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
    """

    frame: pd.DataFrame
    codebook: dict
    title: dict


def codebook_of(form: FormDefinition) -> dict:
    book: dict[str, Any] = {}
    for question in form.questions():
        if not question.is_answered:
            continue
        choices = {c.name: dict(c.label) for c in form.choices(question)} if question.is_select else {}
        book[question.name] = {"label": dict(question.label), "choices": choices, "type": question.type}
    return book


async def survey_data(survey: Survey) -> SurveyData:
    """Complete responses of ``survey`` (every version; question names are stable across versions)."""
    rows = await Response.filter(survey_id=survey.id, status=ResponseStatus.COMPLETE.value).order_by(
        "id").values_list("answers", flat=True)
    records = [{k: v for k, v in (answers or {}).items() if not isinstance(v, (list, dict))} for answers in rows]
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    version = await SurveyVersion.filter(survey_id=survey.id).order_by("-number").first()
    codebook: dict = {}
    title: dict = {}
    if version is not None:
        form = FormDefinition.from_dict(version.definition)
        codebook = codebook_of(form)
        title = dict(form.title)
    return SurveyData(frame=frame, codebook=codebook, title=title)


async def population_margins(survey: Survey) -> dict[str, dict[str, float]]:
    """``{variable: {category: population}}`` as uploaded for ``survey`` (empty when none)."""
    margins: dict[str, dict[str, float]] = {}
    for row in await PopulationMargin.filter(survey_id=survey.id).order_by("variable", "category"):
        margins.setdefault(row.variable, {})[row.category] = row.population
    return margins


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
