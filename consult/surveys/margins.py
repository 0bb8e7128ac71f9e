"""Population margins for weighting: a CSV of ``variable, category, population`` checked against the form.

Every line is checked before anything is stored; the upload replaces the survey's margins as a whole, in one
transaction, so the analysis never sees half of an upload.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from consult.i18n import gettext as _
from consult.surveys.form import FormDefinition
from consult.surveys.models import PopulationMargin, Survey
from consult.surveys.validation import parse_answer

MAX_BYTES = 2 * 1024 * 1024
MAX_LINES = 10_000


@dataclass(frozen=True)
class MarginProblem:
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return _("Line %(line)d: %(problem)s", line=self.line, problem=self.message)


class MarginsError(ValueError):
    def __init__(self, problems: list[MarginProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def parse_margins(data: bytes, form: FormDefinition) -> list[tuple[str, str, float]]:
    """The ``(variable, category, population)`` lines of a CSV, or :class:`MarginsError` with every problem."""
    problems: list[MarginProblem] = []
    if len(data) > MAX_BYTES:
        raise MarginsError([MarginProblem(None, _("The file is too large (at most 2 MB)."))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MarginsError([MarginProblem(None, _("The file is not UTF-8 text. Save it as CSV UTF-8."))]) from None
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = list(reader)[: MAX_LINES + 1]
    if not rows:
        raise MarginsError([MarginProblem(None, _("The file is empty."))])
    header = [h.strip().lower() for h in rows[0]]
    wanted = ("variable", "category", "population")
    if any(name not in header for name in wanted):
        raise MarginsError([MarginProblem(1, _("The first line must name the columns variable, category and "
                                               "population."))])
    at = {name: header.index(name) for name in wanted}
    weighting = {q.name: q for q in form.weighting_questions()}
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str, float]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in at.items()}
        variable, category, count = cells["variable"], cells["category"], cells["population"]
        question = weighting.get(variable)
        if question is None:
            if variable in form.question_index:
                problems.append(MarginProblem(number, _("%(name)s is not marked as a weighting variable.",
                                                        name=variable)))
            else:
                problems.append(MarginProblem(number, _("There is no question named %(name)s.", name=variable)))
            continue
        value, error = parse_answer(form, question, category)
        if error or value is None:
            problems.append(MarginProblem(number, _("%(category)s is not a category of %(name)s.",
                                                    category=category or '""', name=variable)))
            continue
        try:
            population = float(count.replace(" ", "").replace("\u00a0", ""))
        except ValueError:
            population = math.nan
        if not math.isfinite(population) or population < 0:
            problems.append(MarginProblem(number, _("The population must be a number of zero or more, not "
                                                    "%(value)s.", value=count or '""')))
            continue
        key = (variable, str(value))
        if key in seen:
            problems.append(MarginProblem(number, _("%(category)s of %(name)s is given twice.",
                                                    category=category, name=variable)))
            continue
        seen.add(key)
        out.append((variable, str(value), population))
    if len(rows) > MAX_LINES:
        problems.append(MarginProblem(None, _("The file has too many lines.")))
    if not out and not problems:
        problems.append(MarginProblem(None, _("The file has no margins.")))
    if problems:
        raise MarginsError(problems)
    return out


async def replace_margins(survey: Survey, margins: list[tuple[str, str, float]]) -> int:
    async with in_transaction():
        await PopulationMargin.filter(survey_id=survey.id).delete()
        await PopulationMargin.bulk_create([
            PopulationMargin(survey_id=survey.id, variable=v, category=c, population=p) for v, c, p in margins
        ])
    return len(margins)


async def margins_of(survey: Survey) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for margin in await PopulationMargin.filter(survey_id=survey.id).order_by("id"):
        out.setdefault(margin.variable, {})[margin.category] = margin.population
    return out
