"""What admins and analysts see about responses: counts per day and per version, completion, drop-off per page.

Computed in Python from two narrow queries (a few thousand rows at most per survey), which keeps the SQL the
same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from consult.surveys.form import FormDefinition
from consult.surveys.models import PageSubmission, Response, ResponseStatus, Survey, SurveyVersion


async def response_stats(survey: Survey, form: FormDefinition) -> dict[str, Any]:
    rows = await Response.filter(survey_id=survey.id).values_list("id", "version_id", "status", "created_at")
    numbers = dict(await SurveyVersion.filter(survey_id=survey.id).values_list("id", "number"))
    per_day: Counter[str] = Counter()
    per_version: Counter[int] = Counter()
    complete_per_version: Counter[int] = Counter()
    complete = 0
    for _id, version_id, status, created in rows:
        per_day[created.date().isoformat()] += 1
        number = numbers.get(version_id, 0)
        per_version[number] += 1
        if status == ResponseStatus.COMPLETE.value:
            complete += 1
            complete_per_version[number] += 1
    reached: Counter[str] = Counter()
    submitted = await PageSubmission.filter(response__survey_id=survey.id).distinct().values_list(
        "response_id", "page")
    for _response, page in set(submitted):
        reached[page] += 1
    total = len(rows)
    pages = []
    previous = total
    for page in form.pages:
        count = reached.get(page.name, 0)
        pages.append({"name": page.name, "label": page.label_in(None, form.default_language) or page.name,
                      "submitted": count, "dropped": max(previous - count, 0) if count else None})
        if count:
            previous = count
    return {
        "total": total,
        "complete": complete,
        "completion": (complete / total) if total else None,
        "per_day": sorted(per_day.items()),
        "per_version": [(n, per_version[n], complete_per_version[n]) for n in sorted(per_version)],
        "pages": pages,
    }
