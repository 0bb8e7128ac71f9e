"""The codebook of a survey: every question of every version, its type, choices and labels in each language.

It travels with the data (export files, :func:`consult.surveys.dataframe.responses_frame`) so that an analyst
knows what each column means, which versions asked it, and which are weighting variables (with the
population margins uploaded for them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from consult.surveys.form import FormDefinition


@dataclass(frozen=True)
class Variable:
    """One answered question, as a column (or, for ``select_multiple``, a group of 0/1 columns)."""

    name: str
    type: str
    label: dict[str, str]
    hint: dict[str, str]
    page: str
    #: ``(choice name, {language: label})`` in list order; range questions list their scale values.
    choices: tuple[tuple[str, dict[str, str]], ...]
    #: Version numbers that ask this question.
    versions: tuple[int, ...]
    weighting: bool = False

    def label_in(self, lang: str | None, fallback: str) -> str:
        return self.label.get(lang or "") or self.label.get(fallback) or self.name

    def choice_label(self, choice: str, lang: str | None, fallback: str) -> str:
        for name, labels in self.choices:
            if name == choice:
                return labels.get(lang or "") or labels.get(fallback) or name
        return choice

    def columns(self) -> list[str]:
        """The export's columns for this variable (Kobo's layout for multiple choices: ``name/choice``)."""
        if self.type == "select_multiple":
            return [self.name, *(f"{self.name}/{choice}" for choice, _labels in self.choices)]
        return [self.name]


@dataclass(frozen=True)
class Codebook:
    slug: str
    title: dict[str, str]
    default_language: str
    languages: tuple[str, ...]
    variables: tuple[Variable, ...]
    #: ``(number, form version text, created_at ISO)`` oldest first.
    versions: tuple[tuple[int, str, str], ...]
    #: Population margins: variable → {category: population count}.
    margins: dict[str, dict[str, float]] = field(default_factory=dict)

    def variable(self, name: str) -> Variable:
        for variable in self.variables:
            if variable.name == name:
                return variable
        raise KeyError(name)

    def weighting_variables(self) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if v.weighting)

    def rows(self) -> list[dict[str, Any]]:
        """The codebook as a flat table: one row per variable, then one per choice under it."""
        out = []
        for variable in self.variables:
            base = {"variable": variable.name, "type": variable.type, "choice": "", "page": variable.page,
                    "weighting": "yes" if variable.weighting else "",
                    "versions": " ".join(str(v) for v in variable.versions)}
            out.append({**base, **{f"label::{lang}": variable.label.get(lang, "") for lang in self.languages}})
            for choice, labels in variable.choices:
                out.append({**base, "choice": choice,
                            **{f"label::{lang}": labels.get(lang, "") for lang in self.languages}})
        return out

    def row_headers(self) -> list[str]:
        return ["variable", "type", "choice", *(f"label::{lang}" for lang in self.languages), "page",
                "weighting", "versions"]


META_COLUMNS = ("_id", "_version", "_language", "_status", "_started", "_completed")


def build_codebook(slug: str, forms: list[tuple[int, str, FormDefinition]],
                   margins: dict[str, dict[str, float]] | None = None) -> Codebook:
    """Merge the forms of every version (``(number, created_at ISO, form)``, any order) into one codebook.

    Columns follow the newest version's order; questions only older versions asked come after.
    """
    ordered = sorted(forms, key=lambda item: item[0])
    newest = ordered[-1][2]
    asked: dict[str, list[int]] = {}
    latest: dict[str, tuple[Any, FormDefinition, str]] = {}
    order: list[str] = []
    for number, _created, form in reversed(ordered):
        for page in form.pages:
            for question in page.questions:
                if not question.is_answered:
                    continue
                asked.setdefault(question.name, []).append(number)
                if question.name not in latest:
                    latest[question.name] = (question, form, page.name)
                    order.append(question.name)
    languages: list[str] = []
    for _number, _created, form in ordered:
        languages.extend(code for code in form.languages if code not in languages)
    variables = []
    for name in order:
        question, form, page = latest[name]
        if question.is_select:
            choices = tuple((c.name, dict(c.label)) for c in form.choices(question))
        elif question.type == "range" and question.parameters is not None:
            choices = tuple((str(v), {}) for v in question.parameters.values())
        else:
            choices = ()
        variables.append(Variable(name=name, type=question.type, label=dict(question.label),
                                  hint=dict(question.hint), page=page, choices=choices,
                                  versions=tuple(sorted(asked[name])), weighting=question.weighting))
    return Codebook(
        slug=slug, title=dict(newest.title), default_language=newest.default_language,
        languages=tuple(languages), variables=tuple(variables),
        versions=tuple((number, form.version, created) for number, created, form in ordered),
        margins=margins or {},
    )
