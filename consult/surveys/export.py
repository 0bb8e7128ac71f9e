"""Responses as a table: one row per response, one column per question, in codes or in a language's labels.

``select_multiple`` questions give one space-separated column plus one 0/1 column per choice
(``question/choice``), as KoboToolbox exports them. A question that was not shown or not answered is an empty
cell (also in its 0/1 columns: "not asked" is not "no"). Files: CSV (UTF-8 with a byte order mark, so Excel
reads Arabic and Ukrainian right; the codebook as a second CSV) or XLSX (a ``data`` sheet, a ``codebook``
sheet and a ``versions`` sheet).
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable

from consult.surveys import store
from consult.surveys.codebook import META_COLUMNS, Codebook, build_codebook
from consult.surveys.models import PopulationMargin, Response, ResponseStatus, Survey, SurveyVersion

__all__ = ["load_codebook", "load_rows", "table", "csv_bytes", "codebook_csv_bytes", "xlsx_bytes"]


async def load_codebook(survey: Survey) -> Codebook:
    versions = await SurveyVersion.filter(survey_id=survey.id).order_by("number")
    forms = [(v.number, v.created_at.isoformat(), store.remember(v)) for v in versions]
    margins: dict[str, dict[str, float]] = {}
    for margin in await PopulationMargin.filter(survey_id=survey.id).order_by("id"):
        margins.setdefault(margin.variable, {})[margin.category] = margin.population
    return build_codebook(survey.slug, forms, margins)


async def load_rows(survey: Survey, *, complete_only: bool = False) -> list[dict[str, Any]]:
    """The stored responses (as plain dicts with their version number), oldest first."""
    query = Response.filter(survey_id=survey.id)
    if complete_only:
        query = query.filter(status=ResponseStatus.COMPLETE.value)
    numbers = dict(await SurveyVersion.filter(survey_id=survey.id).values_list("id", "number"))
    rows = await query.order_by("id").values("id", "version_id", "language", "status", "created_at",
                                             "completed_at", "answers")
    for row in rows:
        row["version"] = numbers.get(row["version_id"])
    return rows


def columns(codebook: Codebook) -> list[str]:
    return [*META_COLUMNS, *(c for variable in codebook.variables for c in variable.columns())]


def table(codebook: Codebook, rows: Iterable[dict[str, Any]], *, labels: str | None = None) -> list[list[Any]]:
    """The data rows (without headers); ``labels`` is a language code for choice labels, ``None`` for codes."""
    fallback = codebook.default_language
    out = []
    for row in rows:
        answers = row["answers"] or {}
        line: list[Any] = [
            row["id"], row["version"], row["language"], row["status"],
            _iso(row["created_at"]), _iso(row["completed_at"]),
        ]
        for variable in codebook.variables:
            value = answers.get(variable.name)
            if variable.type == "select_multiple":
                picked = value if isinstance(value, list) else None
                if picked is None:
                    line.append(None)
                    line.extend(None for _ in variable.choices)
                else:
                    shown = [variable.choice_label(c, labels, fallback) if labels else c for c in picked]
                    line.append(" ".join(shown) if not labels else "; ".join(shown))
                    line.extend(1 if choice in picked else 0 for choice, _labels in variable.choices)
            elif variable.type == "select_one" and labels and value is not None:
                line.append(variable.choice_label(str(value), labels, fallback))
            else:
                line.append(value)
        out.append(line)
    return out


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _cell(value: Any) -> Any:
    return "" if value is None else value


def csv_bytes(codebook: Codebook, rows: Iterable[dict[str, Any]], *, labels: str | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns(codebook))
    for line in table(codebook, rows, labels=labels):
        writer.writerow([_cell(v) for v in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def codebook_csv_bytes(codebook: Codebook) -> bytes:
    buffer = io.StringIO()
    headers = codebook.row_headers()
    writer = csv.DictWriter(buffer, fieldnames=headers, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(codebook.rows())
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(codebook: Codebook, rows: Iterable[dict[str, Any]], *, labels: str | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    data = book.create_sheet("data")

    def text_safe(sheet, value: Any) -> Any:
        # A respondent's "=…" must stay text, never become a formula.
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
        return value

    data.append(columns(codebook))
    for line in table(codebook, rows, labels=labels):
        data.append([text_safe(data, v) for v in line])
    sheet = book.create_sheet("codebook")
    headers = codebook.row_headers()
    sheet.append(headers)
    for row in codebook.rows():
        sheet.append([text_safe(sheet, row.get(h, "")) for h in headers])
    versions = book.create_sheet("versions")
    versions.append(["version", "form_version", "created_at"])
    for number, form_version, created in codebook.versions:
        versions.append([number, form_version, created])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def export(survey: Survey, fmt: str, *, labels: str | None = None,
                 complete_only: bool = False) -> tuple[bytes, bytes | None]:
    """The export file, and for CSV the codebook as a second file (``None`` for XLSX, which holds it)."""
    codebook = await load_codebook(survey)
    rows = await load_rows(survey, complete_only=complete_only)
    if labels is not None and labels not in codebook.languages:
        labels = None
    if fmt == "xlsx":
        return xlsx_bytes(codebook, rows, labels=labels), None
    return csv_bytes(codebook, rows, labels=labels), codebook_csv_bytes(codebook)
