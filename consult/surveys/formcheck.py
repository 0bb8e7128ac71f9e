"""Check an edited :class:`FormDefinition` with exactly the checks an XLSForm upload goes through.

The browser editor changes a form piece by piece; the result must obey the same rules as an imported
workbook (known and earlier references, no cycles, unique names, every text in every language, valid
expressions, range parameters, choice lists that exist...). Rather than keep a second copy of those rules,
:func:`check_form` writes the form out as an XLSForm workbook in memory and reads it back with the
importer, then says each problem in terms of the form (``Question age``, ``Choice list country, choice ua``)
instead of spreadsheet rows.

Empty pages (a page just added in the editor, not yet given questions) are left out of the workbook: the
importer refuses empty groups, but an empty page is harmless (respondents never see a page with nothing on
it), and leaving it out does not change the order of the other pages, so "asked on a later page" checks hold.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from consult.i18n import gettext as _
from consult.surveys.form import FormDefinition, Question
from consult.surveys.xlsform import XLSFormError, import_xlsform

__all__ = ["FormProblem", "check_form", "form_workbook", "NAME_RE"]

#: What the importer accepts as a question, page or choice-list name.
NAME_RE = re.compile(r"[^\W\d][\w.\-]*")
# Characters an .xlsx cell cannot hold (openpyxl refuses them); the editor drops them from what it is given.
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


@dataclass(frozen=True)
class FormProblem:
    """One thing wrong with a form: where (``Question age``), the column or field, and the translated message."""

    where: str
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.column:
            return f"{self.where}, {self.column}: {self.message}"
        return f"{self.where}: {self.message}"


def clean(text: str) -> str:
    """Text as a cell can hold it: control characters other than tab and newline dropped, ends stripped."""
    return _ILLEGAL.sub("", text.replace("\r\n", "\n")).strip()


def _number(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _language(form: FormDefinition, code: str) -> str:
    name = (form.language_names.get(code) or code).replace("(", " ").replace(")", " ").strip() or code
    return f"{name} ({code})"


def _header(key: str, form: FormDefinition, code: str) -> str:
    return f"{key}::{_language(form, code)}"


def _required(question: Question) -> str:
    if question.required is True:
        return "yes"
    if not question.required:
        return ""
    return str(question.required)


def form_workbook(form: FormDefinition) -> tuple[bytes, dict[tuple[str, int], str]]:
    """The form as XLSForm ``.xlsx`` bytes, and for each (sheet, row) the form element written there."""
    from openpyxl import Workbook

    where: dict[tuple[str, int], str] = {}
    langs = list(form.languages) or [form.default_language]
    survey_texts = ("label", "hint", "required_message", "constraint_message")
    plain = ["required", "relevant", "constraint", "appearance", "choice_filter", "parameters", "weighting"]
    survey_header = ["type", "name", *[_header(k, form, c) for k in survey_texts for c in langs], *plain]
    survey_rows: list[list[str]] = [survey_header]

    def texts(item: Any, keys: tuple[str, ...]) -> list[str]:
        return [(getattr(item, k, None) or {}).get(c, "") for k in keys for c in langs]

    blank_texts = ["" for _k in survey_texts for _c in langs]
    for index, page in enumerate(form.pages):
        if not page.questions:
            continue
        label = _("Page %(name)s", name=page.label_in(None, form.default_language) or str(index + 1))
        where[("survey", len(survey_rows) + 1)] = label
        page_texts = list(blank_texts)
        for i, code in enumerate(langs):
            page_texts[i] = page.label.get(code, "")
        survey_rows.append(["begin group", page.name, *page_texts, "", page.relevant or "", "", page.appearance or "",
                            "", "", ""])
        for q in page.questions:
            where[("survey", len(survey_rows) + 1)] = _("Question %(name)s", name=q.name)
            kind = f"{q.type} {q.choice_list or ''}".strip() if q.is_select else q.type
            params = ""
            if q.parameters is not None:
                p = q.parameters
                params = f"start={_number(p.start)} end={_number(p.end)} step={_number(p.step)}"
            survey_rows.append([kind, q.name, *texts(q, survey_texts), _required(q), q.relevant or "",
                                q.constraint or "", q.appearance or "", q.choice_filter or "", params,
                                "yes" if q.weighting else ""])
        survey_rows.append(["end group", *[""] * (len(survey_header) - 1)])

    extras: list[str] = []
    for choices in form.choice_lists.values():
        for choice in choices:
            for key in choice.extra:
                if key not in extras and key not in ("list_name", "name", "label"):
                    extras.append(key)
    choice_rows: list[list[str]] = [["list_name", "name", *[_header("label", form, c) for c in langs], *extras]]
    for list_name, choices in form.choice_lists.items():
        for choice in choices:
            where[("choices", len(choice_rows) + 1)] = _("Choice list %(list)s, choice %(name)s",
                                                         list=list_name, name=choice.name)
            choice_rows.append([list_name, choice.name, *[choice.label.get(c, "") for c in langs],
                                *[choice.extra.get(k, "") for k in extras]])

    title_keys = set(form.title)
    if title_keys == {form.default_language}:
        # One untranslated title (most XLSForms): one bare column, as the importer reads it.
        title_header, title_values = ["form_title"], [form.title[form.default_language]]
    elif title_keys:
        title_header = [_header("form_title", form, c) for c in langs]
        title_values = [form.title.get(c, "") for c in langs]
    else:
        title_header, title_values = [], []
    settings_rows = [
        [*title_header, "form_id", "version", "default_language", "style"],
        [*title_values, form.form_id, form.version, _language(form, form.default_language),
         form.settings.get("style", "")],
    ]
    for row in range(2, 2 + len(settings_rows) - 1):
        where[("settings", row)] = _("Title and settings")

    book = Workbook()
    book.remove(book.active)
    for title, rows in (("survey", survey_rows), ("choices", choice_rows), ("settings", settings_rows)):
        sheet = book.create_sheet(title)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values, start=1):
                if value == "":
                    continue
                cell = sheet.cell(row=r, column=c, value=_ILLEGAL.sub("", str(value)))
                cell.data_type = "s"  # never a formula, whatever the text starts with
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), where


def check_form(form: FormDefinition) -> list[FormProblem]:
    """Everything the importer would refuse in ``form`` (empty list: the form is sound)."""
    problems: list[FormProblem] = []
    # Names must be unique across pages and questions, also for the empty pages left out of the workbook.
    seen: set[str] = set()
    for page in form.pages:
        names = [page.name, *[q.name for q in page.questions]]
        for name in names:
            if name in seen:
                problems.append(FormProblem(_("Name %(name)s", name=name), "name",
                                            _("The name %(name)s is used twice.", name=name)))
            seen.add(name)
        if not page.questions and page.label:  # left out of the workbook below: check its title here
            for code in form.languages:
                if not page.label.get(code):
                    problems.append(FormProblem(_("Page %(name)s", name=page.name), f"label ({code})", _(
                        "The %(column)s text is missing in %(language)s (%(code)s).",
                        column="label", language=form.language_names.get(code, code), code=code)))
        if not page.implicit and not NAME_RE.fullmatch(page.name):
            problems.append(FormProblem(_("Page %(name)s", name=page.name), "name", _(
                "The name %(name)s must start with a letter or _ and contain only letters, digits, _, - and .",
                name=page.name)))
    if not any(page.questions for page in form.pages):
        problems.append(FormProblem(_("Questions"), None, _("The survey needs at least one question.")))
        return problems
    if problems:
        return problems
    data, where = form_workbook(form)
    try:
        import_xlsform(data)
    except XLSFormError as error:
        for p in error.problems:
            place = where.get((p.sheet or "", p.row or 0)) or (p.sheet or _("Form"))
            column = p.column.split("::", 1)[0] if p.column else None
            if p.column and "(" in p.column and "::" in p.column:
                column = f"{column} ({p.column.rsplit('(', 1)[1].rstrip(')')})"
            problems.append(FormProblem(place, column, p.message))
    return problems
