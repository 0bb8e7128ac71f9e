"""The definition of a survey form: pages of questions, choice lists and translations.

A :class:`FormDefinition` is what the XLSForm importer produces and what the web layer renders. It is
immutable and converts to and from plain JSON-compatible dicts (:meth:`FormDefinition.to_dict`,
:meth:`FormDefinition.from_dict`) because each survey version stores its form in a database JSON column.

Translatable texts (labels, hints, messages) are ``dict[language_code, str]``. A text missing in the asked
language falls back to the form's default language (see :meth:`FormDefinition.text`).

Pages: each top-level XLSForm group is one page. Consecutive questions outside any group share one
*implicit* page (``Page.implicit`` is true, its name starts with ``_page``), so a form without groups is a
single page, as it would be in a paper questionnaire.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterator, Mapping

__all__ = [
    "QUESTION_TYPES",
    "ANSWERED_TYPES",
    "SELECT_TYPES",
    "Choice",
    "RangeParameters",
    "Question",
    "Page",
    "FormDefinition",
    "pick",
    "TEXT_REFERENCE_RE",
]

#: Question types the platform supports.
QUESTION_TYPES = ("text", "integer", "decimal", "select_one", "select_multiple", "note", "date", "range")
#: Types that collect an answer (a note only displays text).
ANSWERED_TYPES = frozenset(QUESTION_TYPES) - {"note"}
SELECT_TYPES = frozenset({"select_one", "select_multiple"})

#: Version of the dict layout written by :meth:`FormDefinition.to_dict`, so a future change can migrate.
SCHEMA_VERSION = 1

Translations = dict[str, str]

#: ``${name}`` inside a label, hint or message: shows that question's answer (ODK's "output" references).
TEXT_REFERENCE_RE = re.compile(r"\$\{\s*([^\W\d][\w.\-]*)\s*\}")


def pick(texts: Mapping[str, str], lang: str | None, fallback: str | None = None) -> str:
    """The text in ``lang``, else in ``fallback``, else any non-empty translation, else ``""``."""
    for code in (lang, fallback):
        if code is not None and texts.get(code):
            return texts[code]
    for text in texts.values():
        if text:
            return text
    return ""


def _texts(value: Mapping[str, str] | None) -> Translations:
    return {str(k): str(v) for k, v in (value or {}).items()}


@dataclass(frozen=True)
class Choice:
    """One option of a choice list. ``extra`` holds the other choices-sheet columns, read by choice filters."""

    name: str
    label: Translations
    extra: dict[str, str] = field(default_factory=dict)

    def label_in(self, lang: str | None, fallback: str | None = None) -> str:
        return pick(self.label, lang, fallback)

    def filter_row(self) -> dict[str, str]:
        """The row a choice filter's bare names refer to: the extra columns plus ``name``."""
        return {**self.extra, "name": self.name}

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": dict(self.label), "extra": dict(self.extra)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Choice":
        return cls(name=str(data["name"]), label=_texts(data.get("label")), extra=_texts(data.get("extra")))


@dataclass(frozen=True)
class RangeParameters:
    """``start``, ``end`` and ``step`` of a ``range`` question (a Likert scale is ``1, 5, 1``)."""

    start: int | float = 1
    end: int | float = 10
    step: int | float = 1

    @property
    def minimum(self) -> int | float:
        return min(self.start, self.end)

    @property
    def maximum(self) -> int | float:
        return max(self.start, self.end)

    @cached_property  # asked on every answer to the question; the dataclass is frozen, so it never changes
    def is_integral(self) -> bool:
        return all(float(v).is_integer() for v in (self.start, self.end, self.step))

    def values(self) -> tuple[int | float, ...]:
        """Every allowed value, from ``start`` towards ``end``."""
        count = int(round(abs(self.end - self.start) / self.step))
        direction = 1 if self.end >= self.start else -1
        out = []
        for i in range(count + 1):
            value = self.start + direction * i * self.step
            out.append(int(round(value)) if self.is_integral else round(value, 10))
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "step": self.step}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "RangeParameters":
        return cls(start=data["start"], end=data["end"], step=data["step"])


@dataclass(frozen=True)
class Question:
    """One question (or note).

    ``required`` is ``True``/``False`` or the text of an expression deciding it. ``relevant``,
    ``constraint`` and ``choice_filter`` are expression texts (parsed and cached by
    :mod:`consult.surveys.expressions` when used). ``weighting`` marks a variable used to weight results.
    """

    name: str
    type: str
    label: Translations = field(default_factory=dict)
    hint: Translations = field(default_factory=dict)
    required: bool | str = False
    required_message: Translations = field(default_factory=dict)
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Translations = field(default_factory=dict)
    appearance: str | None = None
    choice_list: str | None = None
    choice_filter: str | None = None
    parameters: RangeParameters | None = None
    weighting: bool = False

    # Cached: read for every question of a page on each submission (the dataclass is frozen, the type fixed).
    @cached_property
    def is_answered(self) -> bool:
        """Whether the question collects a value (everything but a note)."""
        return self.type in ANSWERED_TYPES

    @cached_property
    def is_select(self) -> bool:
        return self.type in SELECT_TYPES

    def label_in(self, lang: str | None, fallback: str | None = None) -> str:
        return pick(self.label, lang, fallback)

    def hint_in(self, lang: str | None, fallback: str | None = None) -> str:
        return pick(self.hint, lang, fallback)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "label": dict(self.label),
            "hint": dict(self.hint),
            "required": self.required,
            "required_message": dict(self.required_message),
            "relevant": self.relevant,
            "constraint": self.constraint,
            "constraint_message": dict(self.constraint_message),
            "appearance": self.appearance,
            "choice_list": self.choice_list,
            "choice_filter": self.choice_filter,
            "parameters": self.parameters.to_dict() if self.parameters else None,
            "weighting": self.weighting,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Question":
        params = data.get("parameters")
        return cls(
            name=str(data["name"]),
            type=str(data["type"]),
            label=_texts(data.get("label")),
            hint=_texts(data.get("hint")),
            required=data.get("required", False),
            required_message=_texts(data.get("required_message")),
            relevant=data.get("relevant"),
            constraint=data.get("constraint"),
            constraint_message=_texts(data.get("constraint_message")),
            appearance=data.get("appearance"),
            choice_list=data.get("choice_list"),
            choice_filter=data.get("choice_filter"),
            parameters=RangeParameters.from_dict(params) if params else None,
            weighting=bool(data.get("weighting", False)),
        )


@dataclass(frozen=True)
class Page:
    """A page of the questionnaire: a top-level XLSForm group, or a run of ungrouped questions (``implicit``)."""

    name: str
    questions: tuple[Question, ...]
    label: Translations = field(default_factory=dict)
    relevant: str | None = None
    appearance: str | None = None
    implicit: bool = False

    def label_in(self, lang: str | None, fallback: str | None = None) -> str:
        return pick(self.label, lang, fallback)

    @cached_property
    def answered(self) -> tuple[Question, ...]:
        """The page's questions that collect a value (all but its notes), in order."""
        return tuple(q for q in self.questions if q.is_answered)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": dict(self.label),
            "relevant": self.relevant,
            "appearance": self.appearance,
            "implicit": self.implicit,
            "questions": [q.to_dict() for q in self.questions],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Page":
        return cls(
            name=str(data["name"]),
            label=_texts(data.get("label")),
            relevant=data.get("relevant"),
            appearance=data.get("appearance"),
            implicit=bool(data.get("implicit", False)),
            questions=tuple(Question.from_dict(q) for q in data.get("questions", ())),
        )


@dataclass(frozen=True)
class FormDefinition:
    """A whole questionnaire, as imported from one XLSForm.

    Attributes
    ----------
    form_id, version : str
        From the settings sheet; ``version`` may be ``""`` when the form does not say.
    title : dict
        The form title by language code.
    default_language : str
        The language bare columns (``label``) are in, and the fallback for missing texts.
    languages : tuple of str
        Every language of the form, the default first.
    language_names : dict
        The names the form's column headers give the languages (``{"fr": "Français"}``).
    pages : tuple of Page
    choice_lists : dict
        Choice list name to its choices, in sheet order.
    settings : dict
        Other settings the form carries that the platform keeps (e.g. ``style``).
    """

    form_id: str
    title: Translations
    version: str
    default_language: str
    languages: tuple[str, ...]
    pages: tuple[Page, ...]
    choice_lists: dict[str, tuple[Choice, ...]] = field(default_factory=dict)
    language_names: dict[str, str] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)

    # -- lookups -------------------------------------------------------------------------------------

    def questions(self) -> Iterator[Question]:
        """Every question and note, in form order."""
        for page in self.pages:
            yield from page.questions

    def question(self, name: str) -> Question:
        """The question called ``name``; raises :class:`KeyError` if there is none."""
        try:
            return self.question_index[name][0]
        except KeyError:
            raise KeyError(name) from None

    def page_of(self, name: str) -> int:
        """Index of the page that asks question ``name``."""
        try:
            return self.question_index[name][1]
        except KeyError:
            raise KeyError(name) from None

    def choices(self, question: Question) -> tuple[Choice, ...]:
        """The whole choice list of a select question (before any choice filter), else ``()``."""
        if question.choice_list is None:
            return ()
        return self.choice_lists.get(question.choice_list, ())

    def weighting_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions() if q.weighting)

    @cached_property
    def question_index(self) -> dict[str, tuple[Question, int]]:
        """Question name to the question and the index of its page."""
        return {q.name: (q, i) for i, page in enumerate(self.pages) for q in page.questions}

    @cached_property
    def answered_names(self) -> tuple[str, ...]:
        """The names of every question that collects a value, in form order."""
        return tuple(q.name for page in self.pages for q in page.answered)

    def answered_before(self, index: int) -> tuple[str, ...]:
        """The names of the questions that collect a value on the pages before page ``index``."""
        ends = self._answered_ends
        return self.answered_names[:ends[min(max(index, 0), len(ends) - 1)]]

    @cached_property
    def _answered_ends(self) -> tuple[int, ...]:
        # ends[i]: how many answered questions the pages before page i hold (i from 0 to len(pages)).
        ends = [0]
        for page in self.pages:
            ends.append(ends[-1] + len(page.answered))
        return tuple(ends)

    @cached_property
    def _memos(self) -> dict[str, dict[Any, Any]]:
        return {}

    def memo(self, name: str) -> dict[Any, Any]:
        """A dict of things worked out from this form, kept with it (one form per survey version, never changed):
        frozen dataclass, so it lives outside the compared fields."""
        found = self._memos.get(name)
        if found is None:
            found = self._memos[name] = {}
        return found

    # -- texts ---------------------------------------------------------------------------------------

    def text(self, texts: Mapping[str, str], lang: str | None) -> str:
        """A translatable text in ``lang``, falling back to the default language."""
        return pick(texts, lang, self.default_language)

    def title_in(self, lang: str | None) -> str:
        return self.text(self.title, lang) or self.form_id

    # -- JSON ----------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict; :meth:`from_dict` rebuilds an equal form from it (also after ``json`` round-trips)."""
        return {
            "schema": SCHEMA_VERSION,
            "form_id": self.form_id,
            "title": dict(self.title),
            "version": self.version,
            "default_language": self.default_language,
            "languages": list(self.languages),
            "language_names": dict(self.language_names),
            "settings": dict(self.settings),
            "pages": [page.to_dict() for page in self.pages],
            "choice_lists": {name: [c.to_dict() for c in choices] for name, choices in self.choice_lists.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "FormDefinition":
        schema = data.get("schema", SCHEMA_VERSION)
        if schema != SCHEMA_VERSION:
            raise ValueError(f"unsupported form schema version {schema!r}")
        return cls(
            form_id=str(data["form_id"]),
            title=_texts(data.get("title")),
            version=str(data.get("version") or ""),
            default_language=str(data["default_language"]),
            languages=tuple(data.get("languages", ())),
            language_names=_texts(data.get("language_names")),
            settings=_texts(data.get("settings")),
            pages=tuple(Page.from_dict(p) for p in data.get("pages", ())),
            choice_lists={
                str(name): tuple(Choice.from_dict(c) for c in choices)
                for name, choices in (data.get("choice_lists") or {}).items()
            },
        )
