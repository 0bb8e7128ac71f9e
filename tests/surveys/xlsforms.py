"""Build small XLSForm workbooks in memory for the tests (no binary fixtures in the repository)."""

from __future__ import annotations

import io
from typing import Any, Sequence

from openpyxl import Workbook

Rows = Sequence[Sequence[Any]]


def workbook_bytes(sheets: dict[str, Rows]) -> bytes:
    """An .xlsx with one sheet per entry; each sheet is a list of rows, the first being the headers."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsform(survey: Rows, choices: Rows | None = None, settings: Rows | None = None, **other: Rows) -> bytes:
    sheets: dict[str, Rows] = {"survey": survey}
    if choices is not None:
        sheets["choices"] = choices
    if settings is not None:
        sheets["settings"] = settings
    sheets.update(other)
    return workbook_bytes(sheets)


SETTINGS = [["form_title", "form_id", "version"], ["Test form", "test_form", "1"]]

YES_NO = [
    ["list_name", "name", "label"],
    ["yes_no", "yes", "Yes"],
    ["yes_no", "no", "No"],
]


def simple(survey_rows: Rows, *, headers: Sequence[str] = ("type", "name", "label"), choices: Rows | None = None,
           settings: Rows | None = None) -> bytes:
    """A one-language form: ``survey_rows`` under ``headers``; yes/no choices and basic settings by default."""
    return xlsform(
        [list(headers), *survey_rows],
        YES_NO if choices is None else choices,
        SETTINGS if settings is None else settings,
    )
