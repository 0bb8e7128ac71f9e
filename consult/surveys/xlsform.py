"""Import an XLSForm workbook (.xlsx), the format KoboToolbox and ODK users already write.

:func:`import_xlsform` is a pure function: ``bytes`` in, a :class:`~consult.surveys.form.FormDefinition` out,
or an :class:`XLSFormError` listing *every* problem found (each with its sheet, row, column and a translated
message). Nothing is stored, so nothing can be half-imported.

What is supported, and how the workbook maps onto the platform:

* sheets ``survey`` (required), ``choices`` (required when a select question exists) and ``settings``
  (``form_title``, ``form_id``, ``version``, ``default_language``, ``style``); other sheets are ignored;
* question types ``text``, ``integer``, ``decimal``, ``select_one LIST``, ``select_multiple LIST``, ``note``,
  ``date``, ``range`` (``parameters`` like ``start=1 end=5 step=1``), and ``begin group``/``end group``;
* each top-level group is a page; groups inside groups are refused; consecutive questions outside any group
  share one implicit page;
* columns ``name``, ``label``, ``hint``, ``required``, ``required_message``, ``relevant``, ``constraint``,
  ``constraint_message``, ``appearance``, ``choice_filter``, ``parameters`` and our extension ``weighting``
  (yes/true/1). Texts take translations as ``label::Français (fr)``: the code in parentheses is the key, a
  bare ``label`` is in the default language. Every text given in one language must be given in all;
* columns whose header starts with ``$`` or ``_`` (KoboToolbox bookkeeping such as ``$kuid``) are ignored;
  any other column we do not support is refused as soon as one of its cells is filled.

Expressions are checked here once: syntax, known functions, references to existing questions, no reference
to a question asked on a later page (it would always be empty when evaluated), and no circular dependency
between ``relevant`` and ``choice_filter`` expressions. ``${name}`` inside a label, hint or message (which
shows that answer, see :func:`consult.surveys.validation.interpolate`) is checked the same way.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from consult.i18n import gettext as _

from . import expressions as ex
from .form import TEXT_REFERENCE_RE, Choice, FormDefinition, Page, Question, RangeParameters

__all__ = ["Problem", "XLSFormError", "import_xlsform", "MAX_BYTES"]

#: Uploads larger than this are refused before opening (a questionnaire is a few hundred kilobytes).
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 200
#: A sheet whose formatting reaches far below the data would otherwise make us read a million empty rows.
MAX_EMPTY_RUN = 2000
MAX_RANGE_VALUES = 1000
MAX_TEXT = 10_000

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
_SHEET_RANK = {SURVEY: 0, CHOICES: 1, SETTINGS: 2}

_NAME_RE = re.compile(r"[^\W\d][\w.\-]*")
_LANG_CODE_RE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_LANG_HEADER_RE = re.compile(r"(.*?)\s*\(\s*([^()]+?)\s*\)\s*")
_TRUE = frozenset({"yes", "true", "1", "true()"})
_FALSE = frozenset({"", "no", "false", "0", "false()"})

_SURVEY_TEXT_COLUMNS = frozenset({"label", "hint", "required_message", "constraint_message"})
_SURVEY_PLAIN_COLUMNS = frozenset(
    {"type", "name", "required", "relevant", "constraint", "appearance", "choice_filter", "parameters", "weighting"}
)
_CHOICE_PLAIN_COLUMNS = frozenset({"list_name", "name"})
_CHOICE_UNSUPPORTED = frozenset({"image", "audio", "video", "media", "big-image"})
_SETTINGS_TEXT_COLUMNS = frozenset({"form_title"})
_SETTINGS_PLAIN_COLUMNS = frozenset({"form_id", "version", "default_language", "style"})
_COLUMN_ALIASES = {
    "list name": "list_name",
    "required message": "required_message",
    "constraint message": "constraint_message",
    "choice filter": "choice_filter",
    "id_string": "form_id",
    "title": "form_title",
    "default language": "default_language",
    "form title": "form_title",
    "form id": "form_id",
    "value": "name",
}
_WEIGHTABLE_TYPES = frozenset({"select_one", "integer", "decimal", "range"})


# ------------------------------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded workbook.

    Attributes
    ----------
    sheet : str or None
        Sheet name as written in the workbook (``None`` for problems with the file itself).
    row : int or None
        1-based spreadsheet row number.
    column : str or None
        Column header as written (``"label::Français (fr)"``), or the header that is missing.
    message : str
        Translated description of the problem.
    cell : str or None
        Spreadsheet cell reference (``"C7"``) when the cell exists.
    """

    sheet: str | None
    row: int | None
    column: str | None
    message: str
    cell: str | None = None

    def __str__(self) -> str:
        if self.sheet is None:
            return self.message
        if self.row is None and self.column is None:
            return _("Sheet %(sheet)s: %(problem)s", sheet=self.sheet, problem=self.message)
        if self.row is None:
            return _(
                "Sheet %(sheet)s, column %(column)s: %(problem)s",
                sheet=self.sheet, column=self.column, problem=self.message,
            )
        if self.column is None:
            return _("Sheet %(sheet)s, row %(row)d: %(problem)s", sheet=self.sheet, row=self.row, problem=self.message)
        return _(
            "Sheet %(sheet)s, row %(row)d, column %(column)s: %(problem)s",
            sheet=self.sheet, row=self.row, column=self.column, problem=self.message,
        )

    def to_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "cell": self.cell,
                "message": self.message}


class XLSFormError(ValueError):
    """The workbook cannot be imported; ``problems`` lists everything found wrong, in sheet and row order."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# -------------------------------------------------------------------------------------------- sheet reading


@dataclass(frozen=True)
class _Header:
    index: int  # 0-based column index
    text: str  # as written
    key: str  # normalised base name: "label", "list_name"
    lang: str | None  # language code of a "::Language (code)" suffix
    lang_name: str | None
    lang_ok: bool = True  # false when a "::" suffix names no language code

    @property
    def letter(self) -> str:
        from openpyxl.utils import get_column_letter

        return get_column_letter(self.index + 1)


@dataclass
class _Sheet:
    name: str
    headers: list[_Header]
    rows: list[tuple[int, dict[int, str]]]  # (1-based row number, non-empty cells by column index)
    header_row: int = 1


class _Problems:
    """Collects problems; knows how to name a cell."""

    def __init__(self) -> None:
        self.items: list[tuple[tuple[int, int, int], Problem]] = []

    def add(self, sheet: str | None, row: int | None, header: _Header | str | None, message: str) -> None:
        if isinstance(header, _Header):
            column, index = header.text, header.index
            cell = f"{header.letter}{row}" if row is not None else None
        else:
            column, index, cell = header, 10**6, None
        rank = _SHEET_RANK.get((sheet or "").strip().lower(), -1)
        self.items.append(((rank, row or 0, index), Problem(sheet, row, column, message, cell)))

    def __bool__(self) -> bool:
        return bool(self.items)

    def sorted(self) -> list[Problem]:
        return [p for _key, p in sorted(self.items, key=lambda item: item[0])]


def _cell_text(value: Any) -> str:
    """A cell as text: Excel stores ``1`` as ``1.0`` and dates as datetimes, which authors never meant."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").strip()


def _split_header(text: str) -> tuple[str, str | None, str | None, bool]:
    """``"label::Français (fr)"`` -> ``("label", "fr", "Français", ok)``; ``ok`` is false for a bad language."""
    base, sep, language = text.partition("::")
    key = " ".join(base.strip().lower().split())
    key = _COLUMN_ALIASES.get(key, key).replace(" ", "_")
    if not sep:
        return key, None, None, True
    code, name = _language_code(language)
    return key, code, name, code is not None


def _language_code(text: str) -> tuple[str | None, str | None]:
    """The code of ``"Français (fr)"`` or of a bare ``"fr"``; ``(None, None)`` when there is no code."""
    text = text.strip()
    m = _LANG_HEADER_RE.fullmatch(text)
    if m and _LANG_CODE_RE.fullmatch(m.group(2)):
        return m.group(2).replace("_", "-"), m.group(1).strip() or m.group(2)
    if _LANG_CODE_RE.fullmatch(text):
        return text.replace("_", "-"), text
    return None, None


def _read_workbook(data: bytes, problems: _Problems) -> dict[str, _Sheet] | None:
    """Every sheet by lower-cased name, or ``None`` (with a problem) when the bytes are not a workbook."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        problems.add(None, None, None, _("The file is empty."))
        return None
    if len(data) > MAX_BYTES:
        problems.add(None, None, None, _("The file is larger than %(limit)d MB.", limit=MAX_BYTES // (1024 * 1024)))
        return None
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        problems.add(None, None, None, _("This is an old Excel (.xls) file. Please save it as .xlsx and upload again."))
        return None
    if not zipfile.is_zipfile(io.BytesIO(data)):
        problems.add(None, None, None, _("The file is not an Excel workbook (.xlsx)."))
        return None
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(bytes(data)), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on damaged archives; all mean the same to the author
        problems.add(None, None, None, _("The file is not a readable Excel workbook (.xlsx)."))
        return None
    try:
        sheets: dict[str, _Sheet] = {}
        for worksheet in workbook.worksheets:
            key = worksheet.title.strip().lower()
            if key in (SURVEY, CHOICES, SETTINGS):
                sheets[key] = _read_sheet(worksheet, problems)
        return sheets
    except Exception:
        problems.add(None, None, None, _("The file is not a readable Excel workbook (.xlsx)."))
        return None
    finally:
        workbook.close()


def _read_sheet(worksheet: Any, problems: _Problems) -> _Sheet:
    name = worksheet.title
    # Some tools write a wrong <dimension> tag, and read-only mode would silently stop reading there.
    if hasattr(worksheet, "reset_dimensions"):
        worksheet.reset_dimensions()
    raw_rows: list[tuple[int, dict[int, str]]] = []
    empty_run = 0
    too_wide = False
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        cells = {i: text for i, v in enumerate(values[:MAX_COLUMNS]) if (text := _cell_text(v))}
        if not too_wide and any(_cell_text(v) for v in values[MAX_COLUMNS:]):
            too_wide = True
            problems.add(name, number, None, _("The sheet has more than %(limit)d columns.", limit=MAX_COLUMNS))
        if not cells:
            empty_run += 1
            if empty_run > MAX_EMPTY_RUN:
                break
            continue
        empty_run = 0
        raw_rows.append((number, cells))
        if len(raw_rows) > MAX_ROWS:
            problems.add(name, number, None, _("The sheet has more than %(limit)d rows.", limit=MAX_ROWS))
            break
    if not raw_rows:
        return _Sheet(name, [], [], 1)
    header_row, header_cells = raw_rows[0]
    headers = [_header(i, text) for i, text in sorted(header_cells.items())]
    known = {h.index for h in headers}
    for number, cells in raw_rows[1:]:
        for index in cells:
            if index not in known:
                problems.add(name, number, _col_name(index), _("This cell has no column header."))
                known.add(index)  # one report per column is enough
    return _Sheet(name, headers, raw_rows[1:], header_row)


def _col_name(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _header(index: int, text: str) -> _Header:
    key, lang, lang_name, ok = _split_header(text)
    return _Header(index, text, key, lang, lang_name, ok)


# ----------------------------------------------------------------------------------------------- row model


@dataclass
class _Row:
    """One spreadsheet row, by column key; translated texts by key and language."""

    sheet: str
    number: int
    values: dict[str, str]
    texts: dict[str, dict[str | None, str]]
    headers: dict[tuple[str, str | None], _Header]

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    def header(self, key: str, lang: str | None = None) -> _Header | str:
        return self.headers.get((key, lang)) or (key if lang is None else f"{key}::({lang})")


class _SheetReader:
    """Turns a sheet into :class:`_Row` objects, refusing unknown, duplicate and mis-translated columns."""

    def __init__(self, sheet: _Sheet, text_columns: frozenset[str], plain_columns: frozenset[str],
                 problems: _Problems, *, extra_columns: bool = False, unsupported: frozenset[str] = frozenset()):
        self.sheet = sheet
        self.problems = problems
        self.headers: dict[tuple[str, str | None], _Header] = {}
        self.extras: list[_Header] = []  # choices: other columns, kept for choice filters
        self.ignored: set[int] = set()
        for header in sheet.headers:
            self._classify(header, text_columns, plain_columns, extra_columns, unsupported)

    def _classify(self, header: _Header, text_columns: frozenset[str], plain_columns: frozenset[str],
                  extra_columns: bool, unsupported: frozenset[str]) -> None:
        if header.text.startswith(("$", "_")):
            self.ignored.add(header.index)  # KoboToolbox bookkeeping ($kuid, $autoname, _version...)
            return
        if not header.lang_ok:
            if header.key in text_columns:
                self.problems.add(self.sheet.name, self.sheet.header_row, header, _(
                    "The language of column %(column)s has no code: write it like label::Français (fr).",
                    column=header.text))
                self.ignored.add(header.index)
            else:
                self._unsupported(header)  # e.g. media::image, refused only when used
            return
        slot = (header.key, header.lang)
        if slot in self.headers:
            self.problems.add(self.sheet.name, self.sheet.header_row, header,
                              _("Column %(column)s appears twice.", column=header.text))
            self.ignored.add(header.index)
            return
        if header.key in text_columns:
            self.headers[slot] = header
        elif header.key in plain_columns and header.lang is None:
            self.headers[slot] = header
        elif header.key in plain_columns:
            self.problems.add(self.sheet.name, self.sheet.header_row, header,
                              _("Column %(column)s cannot be translated.", column=header.key))
            self.ignored.add(header.index)
        elif extra_columns and header.lang is None and header.key not in unsupported and "::" not in header.text:
            self.extras.append(header)
        else:
            self._unsupported(header)

    def _unsupported(self, header: _Header) -> None:
        # Refused only if used: KoboToolbox templates carry empty columns for features nobody filled in.
        for number, cells in self.sheet.rows:
            if header.index in cells:
                self.problems.add(self.sheet.name, number, header,
                                  _("Column %(column)s is not supported.", column=header.text))
                break
        self.ignored.add(header.index)

    def rows(self) -> Iterator[_Row]:
        for number, cells in self.sheet.rows:
            values: dict[str, str] = {}
            texts: dict[str, dict[str | None, str]] = {}
            for (key, lang), header in self.headers.items():
                value = cells.get(header.index, "")
                if lang is None:
                    values[key] = value
                if value:
                    texts.setdefault(key, {})[lang] = value
            for header in self.extras:
                values[header.key] = cells.get(header.index, "")
            if not any(cells.get(h.index) for h in [*self.headers.values(), *self.extras]):
                continue  # a row with only ignored columns filled is not a row of the form
            yield _Row(self.sheet.name, number, values, texts, self.headers)

    def languages(self) -> list[tuple[str, str]]:
        """Languages of translated columns, in column order: ``[(code, name), ...]``."""
        seen: dict[str, str] = {}
        for header in sorted(self.headers.values(), key=lambda h: h.index):
            if header.lang is not None and header.lang not in seen:
                seen[header.lang] = header.lang_name or header.lang
        return list(seen.items())

    def has_bare(self, keys: frozenset[str]) -> bool:
        return any(lang is None and key in keys for key, lang in self.headers)


# ------------------------------------------------------------------------------------------------ settings


@dataclass
class _Settings:
    form_id: str = ""
    version: str = ""
    default_language: str | None = None
    default_language_name: str | None = None
    title: dict[str | None, str] = field(default_factory=dict)
    title_row: _Row | None = None
    style: str = ""


def _read_settings(sheet: _Sheet | None, problems: _Problems) -> _Settings:
    settings = _Settings()
    if sheet is None:
        return settings
    reader = _SheetReader(sheet, _SETTINGS_TEXT_COLUMNS, _SETTINGS_PLAIN_COLUMNS, problems)
    rows = list(reader.rows())
    if not rows:
        return settings
    row = rows[0]  # as in pyxform, only the first row under the headers counts
    settings.form_id = row.get("form_id")
    settings.version = row.get("version")
    settings.style = row.get("style")
    settings.title = row.texts.get("form_title", {})
    settings.title_row = row
    if row.get("default_language"):
        code, name = _language_code(row.get("default_language"))
        if code is None:
            problems.add(sheet.name, row.number, row.header("default_language"),
                         _("The default language must be given like English (en)."))
        settings.default_language, settings.default_language_name = code, name
    if settings.form_id and not _NAME_RE.fullmatch(settings.form_id):
        problems.add(sheet.name, row.number, row.header("form_id"),
                     _("The form id %(value)s may only contain letters, digits, _, - and .", value=settings.form_id))
    return settings


# -------------------------------------------------------------------------------------------------- import


def import_xlsform(data: bytes, *, filename: str | None = None) -> FormDefinition:
    """Read an XLSForm workbook into a :class:`FormDefinition`.

    Parameters
    ----------
    data : bytes
        The uploaded ``.xlsx`` file.
    filename : str, optional
        The upload's name; its stem is the form id when the settings sheet gives none (as pyxform does).

    Raises
    ------
    XLSFormError
        When anything is wrong or unsupported; ``problems`` lists all that was found.
    """
    problems = _Problems()
    sheets = _read_workbook(data, problems)
    if sheets is None:
        raise XLSFormError(problems.sorted())
    if SURVEY not in sheets or not sheets[SURVEY].headers:
        if SURVEY not in sheets:
            problems.add(None, None, None, _("The workbook has no sheet called survey."))
        else:
            problems.add(sheets[SURVEY].name, None, None, _("The survey sheet is empty."))
        raise XLSFormError(problems.sorted())
    builder = _Builder(sheets, problems, filename)
    form = builder.build()
    if problems or form is None:
        raise XLSFormError(problems.sorted())
    return form


class _Builder:
    """One import: reads the three sheets, checks everything, and assembles the form when all is well."""

    def __init__(self, sheets: dict[str, _Sheet], problems: _Problems, filename: str | None):
        self.sheets = sheets
        self.problems = problems
        self.filename = filename
        self.survey_sheet = sheets[SURVEY]
        self.settings = _read_settings(sheets.get(SETTINGS), problems)
        self.survey = _SheetReader(self.survey_sheet, _SURVEY_TEXT_COLUMNS, _SURVEY_PLAIN_COLUMNS, problems)
        self.choices_reader = (
            _SheetReader(sheets[CHOICES], frozenset({"label"}), _CHOICE_PLAIN_COLUMNS, problems,
                         extra_columns=True, unsupported=_CHOICE_UNSUPPORTED)
            if CHOICES in sheets else None
        )
        self.default_language, self.languages, self.language_names = self._languages()
        # Filled while reading the survey sheet:
        self.rows_by_name: dict[str, _Row] = {}
        self.kind_by_name: dict[str, str] = {}  # "question", "note" or "group"
        self.page_by_name: dict[str, int] = {}
        # Everything read, also what could not be placed on a page, so that references are checked anyway.
        self.read_questions: list[tuple[Question, int]] = []
        self.read_groups: list[tuple[_Row, int, str | None]] = []  # (row, page index, relevant)

    # -- languages -----------------------------------------------------------------------------------

    def _languages(self) -> tuple[str, tuple[str, ...], dict[str, str]]:
        found: dict[str, str] = {}
        readers = [self.survey, self.choices_reader]
        for reader in readers:
            if reader is not None:
                for code, name in reader.languages():
                    found.setdefault(code, name)
        if self.settings.title_row is not None:
            for (key, lang), header in self.settings.title_row.headers.items():
                if lang is not None and key == "form_title":
                    found.setdefault(lang, header.lang_name or lang)
        default = self.settings.default_language or (next(iter(found)) if found else "en")
        names = dict(found)
        names.setdefault(default, self.settings.default_language_name or default)
        for code, name in names.items():
            if name == code:
                names[code] = _language_name(code)
        bare = self.survey.has_bare(_SURVEY_TEXT_COLUMNS) or (
            self.choices_reader is not None and self.choices_reader.has_bare(frozenset({"label"}))
        )
        if bare and default in found and self.settings.default_language is None:
            # Bare "label" with only translated columns and no default_language: the bare texts would fall
            # into whichever language happens to come first. Make the author say which.
            self.problems.add(self.survey_sheet.name, self.survey_sheet.header_row, "label", _(
                "The form has both untranslated (label) and translated (label::…) columns; "
                "say in the settings sheet which language the untranslated ones are in (default_language)."
            ))
        languages = (default, *[code for code in found if code != default])
        return default, languages, names

    def lang_of(self, lang: str | None) -> str:
        return self.default_language if lang is None else lang

    def translations(self, row: _Row, key: str, *, required: bool) -> dict[str, str]:
        """The texts of column ``key`` by language, reporting languages left empty.

        ``required``: the text must exist in every language; otherwise it is optional, but if given in one
        language it must be given in all (a half-translated form would show blanks to some respondents).
        """
        given = row.texts.get(key, {})
        texts: dict[str, str] = {}
        for lang, text in given.items():
            code = self.lang_of(lang)
            if code in texts:
                # Bare "label" and "label::English (en)" with en the default: two columns, one text.
                self.problems.add(row.sheet, row.number, row.header(key, lang), _(
                    "Column %(column)s repeats the default language, already given in column %(other)s.",
                    column=_header_text(row.header(key, lang)), other=key,
                ))
            texts[code] = text
        if texts or required:
            for code in self.languages:
                if code not in texts:
                    header = row.headers.get((key, code)) or (row.headers.get((key, None))
                                                              if code == self.default_language else None)
                    column = header or f"{key}::{self.language_names.get(code, code)} ({code})"
                    self.problems.add(row.sheet, row.number, column, _(
                        "The %(column)s text is missing in %(language)s (%(code)s).",
                        column=key, language=self.language_names.get(code, code), code=code,
                    ))
        return texts

    # -- build ---------------------------------------------------------------------------------------

    def build(self) -> FormDefinition | None:
        choice_lists = self._choice_lists()
        pages = self._pages(choice_lists)
        self._check_multiple_choice_names(pages, choice_lists)
        self._check_references(choice_lists)
        self._check_cycles()
        title = self._title()
        form_id = self._form_id()
        if self.problems:
            return None
        return FormDefinition(
            form_id=form_id,
            title=title,
            version=self.settings.version,
            default_language=self.default_language,
            languages=self.languages,
            language_names=self.language_names,
            pages=tuple(pages),
            choice_lists={name: tuple(choices) for name, (choices, _row) in choice_lists.items()},
            settings={"style": self.settings.style} if self.settings.style else {},
        )

    def _title(self) -> dict[str, str]:
        row = self.settings.title_row
        if row is None or "form_title" not in row.texts:
            return {}
        if set(row.texts["form_title"]) == {None}:
            # One untranslated title, as most XLSForms have: shown in every language (it may be a proper name).
            return {self.default_language: row.texts["form_title"][None]}
        return self.translations(row, "form_title", required=False)

    def _form_id(self) -> str:
        if self.settings.form_id:
            return self.settings.form_id
        if self.filename:
            stem = re.sub(r"\.xlsx?$", "", self.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1], flags=re.I)
            stem = re.sub(r"[^\w.\-]+", "_", stem).strip("_")
            if stem and _NAME_RE.fullmatch(stem):
                return stem
        sheet = self.sheets.get(SETTINGS)
        self.problems.add(sheet.name if sheet else SETTINGS, None, "form_id",
                          _("The form needs a form_id in the settings sheet."))
        return ""

    # -- choices -------------------------------------------------------------------------------------

    def _choice_lists(self) -> dict[str, tuple[list[Choice], _Row]]:
        """Choice lists by name, each with the row that starts it (for messages)."""
        lists: dict[str, tuple[list[Choice], _Row]] = {}
        seen: dict[tuple[str, str], int] = {}
        if self.choices_reader is None:
            return lists
        extras = [h.key for h in self.choices_reader.extras]
        for row in self.choices_reader.rows():
            list_name, name = row.get("list_name"), row.get("name")
            if not list_name:
                self.problems.add(row.sheet, row.number, row.header("list_name"), _("The choice has no list_name."))
                continue
            if not name:
                self.problems.add(row.sheet, row.number, row.header("name"), _("The choice has no name."))
                continue
            if (list_name, name) in seen:
                self.problems.add(row.sheet, row.number, row.header("name"), _(
                    "The choice %(name)s appears twice in list %(list)s (first in row %(row)d).",
                    name=name, list=list_name, row=seen[(list_name, name)],
                ))
                continue
            seen[(list_name, name)] = row.number
            label = self.translations(row, "label", required=True)
            extra = {key: row.get(key) for key in extras}
            choices, _first = lists.setdefault(list_name, ([], row))
            choices.append(Choice(name=name, label=label, extra=extra))
        return lists

    def _check_multiple_choice_names(self, pages: list[Page], lists: dict[str, tuple[list[Choice], _Row]]) -> None:
        # A select_multiple answer travels as space-separated names (selected() reads it so), so a name with a
        # space could not be told apart from two names.
        multi = {q.choice_list for page in pages for q in page.questions if q.type == "select_multiple"}
        if self.choices_reader is None:
            return
        for row in self.choices_reader.rows():
            if row.get("list_name") in multi and any(ch.isspace() for ch in row.get("name")):
                self.problems.add(row.sheet, row.number, row.header("name"), _(
                    "The choice name %(name)s contains a space, which a select_multiple list cannot have.",
                    name=row.get("name"),
                ))

    # -- survey --------------------------------------------------------------------------------------

    def _pages(self, lists: dict[str, tuple[list[Choice], _Row]]) -> list[Page]:
        pages: list[Page] = []
        group: _Row | None = None  # the open top-level group
        group_questions: list[Question] = []
        loose: list[Question] = []  # ungrouped questions waiting for an implicit page
        depth = 0
        open_groups: list[_Row] = []

        def close_loose() -> None:
            if loose:
                pages.append(Page(name=self._implicit_name(len(pages)), questions=tuple(loose), implicit=True))
                loose.clear()

        for row in self.survey.rows():
            kind, list_name = self._type(row)
            if kind is None:
                self._register(row, "question", len(pages))  # still catch a duplicate name
                continue
            if kind == "begin group":
                depth += 1
                open_groups.append(row)
                if depth == 1:
                    close_loose()  # first, so that the group's page index is right
                    group, group_questions = row, []
                    self.read_groups.append((row, len(pages), row.get("relevant") or None))
                    self._register(row, "group", len(pages))
                else:
                    self._register(row, "group", None)
                    self.problems.add(row.sheet, row.number, row.header("type"), _(
                        "Groups inside groups are not supported: each top-level group is one page. "
                        "Close group %(outer)s (row %(row)d) before beginning another.",
                        outer=open_groups[0].get("name") or "?", row=open_groups[0].number,
                    ))
                continue
            if kind == "end group":
                if depth == 0:
                    self.problems.add(row.sheet, row.number, row.header("type"),
                                      _("end group without a matching begin group."))
                    continue
                depth -= 1
                open_groups.pop()
                if depth == 0 and group is not None:
                    pages.append(self._page(group, group_questions))
                    group = None
                continue
            page_index = len(pages)
            question = self._question(row, kind, list_name, lists)
            self._register(row, "note" if kind == "note" else "question", page_index)
            if question is None:
                continue
            self.read_questions.append((question, page_index))
            (group_questions if depth else loose).append(question)
        for row in open_groups:
            self.problems.add(row.sheet, row.number, row.header("type"), _(
                "Group %(name)s is never closed: add an end group row.", name=row.get("name") or "?"))
        close_loose()
        if not pages and not self.problems:
            self.problems.add(self.survey_sheet.name, None, None, _("The survey sheet has no questions."))
        return pages

    def _implicit_name(self, index: int) -> str:
        name = f"_page{index + 1}"
        while name in self.rows_by_name:  # never collide with a question called "_page3"
            name = "_" + name
        return name

    def _register(self, row: _Row, kind: str, page: int | None) -> None:
        name = row.get("name")
        if not name:
            return
        if name in self.rows_by_name:
            self.problems.add(row.sheet, row.number, row.header("name"), _(
                "The name %(name)s is already used in row %(row)d.", name=name, row=self.rows_by_name[name].number))
            return
        self.rows_by_name[name] = row
        self.kind_by_name[name] = kind
        if page is not None:
            self.page_by_name[name] = page

    def _type(self, row: _Row) -> tuple[str | None, str | None]:
        """The normalised type of a row and, for selects, its list name. ``(None, None)`` if refused."""
        raw = row.get("type")
        words = raw.lower().replace("_", " ").split()
        if not words:
            self.problems.add(row.sheet, row.number, row.header("type"), _("The row has no type."))
            return None, None
        joined = " ".join(words)
        if joined in ("begin group", "end group"):
            if joined == "begin group":
                self._check_name(row)
            return joined, None
        if joined in ("begin repeat", "end repeat"):
            self.problems.add(row.sheet, row.number, row.header("type"), _("Repeats are not supported."))
            return None, None
        select = re.fullmatch(r"(select_one|select_multiple|select one|select multiple)\s+(\S+)(\s+or_other)?",
                              " ".join(raw.split()), flags=re.I)
        if select:
            if select.group(3):
                self.problems.add(row.sheet, row.number, row.header("type"),
                                  _("or_other is not supported: add an 'other' choice and a text question."))
                return None, None
            return select.group(1).lower().replace(" ", "_"), select.group(2)
        aliases = {"text": "text", "string": "text", "integer": "integer", "int": "integer", "decimal": "decimal",
                   "note": "note", "date": "date", "range": "range"}
        if joined in aliases:
            return aliases[joined], None
        if words[0] in ("select", "select one", "select multiple") or joined in ("select one", "select multiple"):
            self.problems.add(row.sheet, row.number, row.header("type"),
                              _("%(type)s needs the name of a choice list after it.", type=raw))
            return None, None
        self.problems.add(row.sheet, row.number, row.header("type"),
                          _("Unknown or unsupported question type %(type)s.", type=raw))
        return None, None

    def _check_name(self, row: _Row) -> bool:
        name = row.get("name")
        if not name:
            self.problems.add(row.sheet, row.number, row.header("name"), _("The row has no name."))
            return False
        if not _NAME_RE.fullmatch(name):
            self.problems.add(row.sheet, row.number, row.header("name"), _(
                "The name %(name)s must start with a letter or _ and contain only letters, digits, _, - and .",
                name=name))
            return False
        return True

    def _page(self, row: _Row, questions: list[Question]) -> Page:
        if not questions:
            self.problems.add(row.sheet, row.number, row.header("type"),
                              _("Group %(name)s has no questions.", name=row.get("name") or "?"))
        for key in ("required", "constraint", "choice_filter", "parameters", "weighting"):
            if row.get(key):
                self.problems.add(row.sheet, row.number, row.header(key),
                                  _("A group cannot have a %(column)s.", column=key))
        relevant = self._expression(row, "relevant")
        return Page(
            name=row.get("name"),
            label=self.translations(row, "label", required=False),
            relevant=relevant,
            appearance=row.get("appearance") or None,
            questions=tuple(questions),
        )

    def _question(self, row: _Row, kind: str, list_name: str | None,
                  lists: dict[str, tuple[list[Choice], _Row]]) -> Question | None:
        named = self._check_name(row)
        label = self.translations(row, "label", required=True)
        hint = self.translations(row, "hint", required=False)
        required = self._required(row)
        relevant = self._expression(row, "relevant")
        constraint = self._expression(row, "constraint")
        choice_filter = self._expression(row, "choice_filter")
        parameters = self._parameters(row, kind)
        weighting = self._flag(row, "weighting")
        if list_name is not None and list_name not in lists:
            self.problems.add(row.sheet, row.number, row.header("type"),
                              _("The choice list %(list)s is not in the choices sheet.", list=list_name))
        if choice_filter is not None and list_name is None:
            self.problems.add(row.sheet, row.number, row.header("choice_filter"),
                              _("Only select questions can have a choice_filter."))
        if kind == "note":
            for key, value in (("required", required), ("constraint", constraint), ("weighting", weighting)):
                if value:
                    self.problems.add(row.sheet, row.number, row.header(key),
                                      _("A note cannot have a %(column)s.", column=key))
        if weighting and kind not in _WEIGHTABLE_TYPES:
            self.problems.add(row.sheet, row.number, row.header("weighting"), _(
                "Only select_one, integer, decimal and range questions can be weighting variables."))
        if not named:
            return None
        return Question(
            name=row.get("name"),
            type=kind,
            label=label,
            hint=hint,
            required=required,
            required_message=self.translations(row, "required_message", required=False),
            relevant=relevant,
            constraint=constraint,
            constraint_message=self.translations(row, "constraint_message", required=False),
            appearance=row.get("appearance") or None,
            choice_list=list_name,
            choice_filter=choice_filter,
            parameters=parameters,
            weighting=weighting,
        )

    def _flag(self, row: _Row, key: str) -> bool:
        value = row.get(key).strip().lower()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self.problems.add(row.sheet, row.number, row.header(key),
                              _("Write yes or no in column %(column)s, not %(value)s.", column=key, value=row.get(key)))
        return False

    def _required(self, row: _Row) -> bool | str:
        value = row.get("required").strip()
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        # Anything else is an expression deciding, answer by answer, whether the question is required.
        return self._expression(row, "required") or False

    def _expression(self, row: _Row, key: str) -> str | None:
        text = row.get(key)
        if not text:
            return None
        try:
            ex.parse(text)
        except ex.ExpressionError as exc:
            self.problems.add(row.sheet, row.number, row.header(key), exc.message)
        return text

    def _parameters(self, row: _Row, kind: str) -> RangeParameters | None:
        text = row.get("parameters")
        if kind != "range":
            if text:
                self.problems.add(row.sheet, row.number, row.header("parameters"),
                                  _("Only range questions take parameters."))
            return None
        values: dict[str, int | float] = {"start": 1, "end": 10, "step": 1}  # ODK's defaults
        for item in re.split(r"[\s;,]+", text.strip()) if text.strip() else []:
            key, sep, number = item.partition("=")
            key = key.strip().lower()
            parsed = _number(number) if sep else None
            if key not in values or parsed is None:
                self.problems.add(row.sheet, row.number, row.header("parameters"), _(
                    "Cannot read %(item)s: write parameters like start=1 end=5 step=1.", item=item))
                return None
            values[key] = parsed
        params = RangeParameters(**values)
        if params.step <= 0 or params.start == params.end:
            self.problems.add(row.sheet, row.number, row.header("parameters"),
                              _("A range needs a positive step and different start and end."))
            return None
        steps = abs(params.end - params.start) / params.step
        if abs(steps - round(steps)) > 1e-9 or steps >= MAX_RANGE_VALUES:
            self.problems.add(row.sheet, row.number, row.header("parameters"), _(
                "The step must divide the range from start to end evenly, in fewer than %(limit)d steps.",
                limit=MAX_RANGE_VALUES))
            return None
        return params

    # -- cross-references ----------------------------------------------------------------------------

    def _check_references(self, lists: dict[str, tuple[list[Choice], _Row]]) -> None:
        for row, index, relevant in self.read_groups:
            if relevant:
                self._check_expression(row, "relevant", relevant, index)
            self._check_text_references(row, "label", index)
        for question, index in self.read_questions:
            row = self.rows_by_name[question.name]
            for key in ("relevant", "constraint", "choice_filter"):
                text = getattr(question, key)
                if text:
                    self._check_expression(row, key, text, index, lists, question)
            if isinstance(question.required, str):
                self._check_expression(row, "required", question.required, index)
            for key in _SURVEY_TEXT_COLUMNS:
                self._check_text_references(row, key, index)

    def _check_text_references(self, row: _Row, key: str, page: int) -> None:
        """``${name}`` inside a label, hint or message shows that answer (see ``validation.interpolate``)."""
        for lang, text in row.texts.get(key, {}).items():
            for name in sorted(set(TEXT_REFERENCE_RE.findall(text))):
                self._check_reference(row, row.header(key, lang), name, page)

    def _check_reference(self, row: _Row, header: _Header | str, name: str, page: int) -> None:
        kind = self.kind_by_name.get(name)
        if kind is None:
            self.problems.add(row.sheet, row.number, header,
                              _("${%(name)s} does not name a question of this form.", name=name))
        elif kind == "group":
            self.problems.add(row.sheet, row.number, header,
                              _("${%(name)s} is a group, which has no answer.", name=name))
        elif kind == "note":
            self.problems.add(row.sheet, row.number, header,
                              _("${%(name)s} is a note, which has no answer.", name=name))
        elif self.page_by_name.get(name, -1) > page:
            self.problems.add(row.sheet, row.number, header, _(
                "${%(name)s} is asked on a later page, so it would still be empty here.", name=name))

    def _check_expression(self, row: _Row, key: str, text: str, page: int,
                          lists: dict[str, tuple[list[Choice], _Row]] | None = None,
                          question: Question | None = None) -> None:
        try:
            tree = ex.parse(text)
        except ex.ExpressionError:
            return  # already reported
        header = row.header(key)
        for name in sorted(ex.references(tree)):
            self._check_reference(row, header, name, page)
        if ex.uses_current(tree) and key != "constraint":
            self.problems.add(row.sheet, row.number, header,
                              _("'.' (this question's answer) can only be used in a constraint."))
        bare = ex.columns(tree)
        if key == "choice_filter":
            if question is not None and question.choice_list in (lists or {}):
                choices, _first = lists[question.choice_list]
                known = {"name", *(choices[0].extra if choices else {})}
                known |= {k for c in choices for k, v in c.extra.items()}
                for name in sorted(bare - known):
                    self.problems.add(row.sheet, row.number, header, _(
                        "%(name)s is not a column of the choices sheet (for list %(list)s).",
                        name=name, list=question.choice_list))
        elif bare:
            name = sorted(bare)[0]
            self.problems.add(row.sheet, row.number, header,
                              _("Unknown name %(name)s: refer to a question as ${%(name)s}.", name=name))

    def _check_cycles(self) -> None:
        """Refuse ``relevant``/``choice_filter`` expressions that depend on themselves, directly or not.

        A question depends on the questions its ``relevant`` and ``choice_filter`` read, and on its group's
        ``relevant``; a cycle could never be settled (is A shown? only if B is; is B shown? only if A is).
        """
        edges: dict[str, list[tuple[str, str]]] = {}  # node -> [(depends on, through column)]
        group_of_page = {index: row.get("name") for row, index, relevant in self.read_groups if relevant}
        for row, _index, relevant in self.read_groups:
            if relevant and row.get("name"):
                edges[row.get("name")] = [(n, "relevant") for n in sorted(_refs(relevant))]
        for q, index in self.read_questions:
            deps = [(n, "relevant") for n in sorted(_refs(q.relevant))]
            deps += [(n, "choice_filter") for n in sorted(_refs(q.choice_filter))]
            if index in group_of_page and self.page_by_name.get(group_of_page[index]) == index:
                deps.append((group_of_page[index], "relevant"))
            edges.setdefault(q.name, []).extend(deps)
        # Iterative depth-first search: a long chain of skip conditions must not exhaust Python's stack.
        state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
        reported: set[frozenset[str]] = set()
        for root in edges:
            if root in state:
                continue
            path: list[str] = [root]
            pending: list[Iterator[tuple[str, str]]] = [iter(edges[root])]
            state[root] = 1
            while pending:
                step = next(pending[-1], None)
                if step is None:
                    state[path.pop()] = 2
                    pending.pop()
                    continue
                target, column = step
                if state.get(target) == 1:
                    cycle = path[path.index(target):] + [target]
                    if frozenset(cycle) not in reported:
                        reported.add(frozenset(cycle))
                        self._report_cycle(path[-1], column, cycle)
                elif target not in state:
                    state[target] = 1
                    path.append(target)
                    pending.append(iter(edges.get(target, ())))

    def _report_cycle(self, node: str, column: str, cycle: list[str]) -> None:
        row = self.rows_by_name.get(node)
        if row is None:
            return
        self.problems.add(row.sheet, row.number, row.header(column), _(
            "Circular reference: %(cycle)s.", cycle=" → ".join(cycle)))


def _language_name(code: str) -> str:
    """A language's own name from CLDR (``"fr"`` -> ``"français"``), for headers that give only a code."""
    try:
        import babel

        locale = babel.Locale.parse(code.replace("-", "_"))
        return locale.get_display_name(locale) or code
    except Exception:  # an unknown or malformed code is shown as written
        return code


def _refs(text: str | None) -> set[str]:
    if not text:
        return set()
    try:
        return ex.references(ex.parse(text))
    except ex.ExpressionError:
        return set()


def _header_text(header: _Header | str) -> str:
    return header.text if isinstance(header, _Header) else header


def _number(text: str) -> int | float | None:
    text = text.strip()
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return None
    value = float(text)
    return int(value) if value.is_integer() else value
