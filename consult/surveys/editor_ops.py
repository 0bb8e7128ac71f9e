"""The browser editor's changes to a form: pure functions from a :class:`FormDefinition` to a new one.

Each function returns a new form (forms are immutable) or raises :class:`EditError` with a translated message
when the change itself makes no sense (a name that is not there, removing a page that still has questions).
Whether the *result* is a sound form (references, translations, cycles...) is for
:func:`consult.surveys.formcheck.check_form`, which applies the importer's own rules.
"""

from __future__ import annotations

import dataclasses

from consult.i18n import gettext as _
from consult.surveys.form import Choice, FormDefinition, Page, Question
from consult.surveys.formcheck import NAME_RE

__all__ = ["EditError", "add_page", "rename_page", "remove_page", "move_page", "add_question", "replace_question",
           "remove_question", "move_question", "move_question_to", "add_choice_list", "set_choice_labels",
           "add_choice", "remove_choice", "move_choice", "all_names"]


class EditError(ValueError):
    """The asked change cannot be made; the message is translated, for the page."""


def all_names(form: FormDefinition) -> set[str]:
    return {p.name for p in form.pages} | {q.name for q in form.questions()}


def _check_new_name(form: FormDefinition, name: str) -> None:
    if not name:
        raise EditError(_("Give a name."))
    if not NAME_RE.fullmatch(name):
        raise EditError(_("The name %(name)s must start with a letter or _ and contain only letters, digits, "
                          "_, - and .", name=name))
    if name in all_names(form):
        raise EditError(_("The name %(name)s is already used in this survey.", name=name))


def _page_index(form: FormDefinition, name: str) -> int:
    for i, page in enumerate(form.pages):
        if page.name == name:
            return i
    raise EditError(_("There is no page %(name)s (any more).", name=name))


def _with_pages(form: FormDefinition, pages: list[Page]) -> FormDefinition:
    return dataclasses.replace(form, pages=tuple(pages))


def _swap(items: list, index: int, delta: int) -> bool:
    target = index + delta
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    return True


# -------------------------------------------------------------------------------------------------- pages


def add_page(form: FormDefinition, name: str, label: dict[str, str]) -> FormDefinition:
    """A new empty page at the end."""
    _check_new_name(form, name)
    return _with_pages(form, [*form.pages, Page(name=name, questions=(), label=dict(label))])


def rename_page(form: FormDefinition, name: str, label: dict[str, str]) -> FormDefinition:
    pages = list(form.pages)
    i = _page_index(form, name)
    # A titled page is a group of its own from now on (an implicit page has no title).
    pages[i] = dataclasses.replace(pages[i], label=dict(label), implicit=pages[i].implicit and not label)
    return _with_pages(form, pages)


def remove_page(form: FormDefinition, name: str) -> FormDefinition:
    pages = list(form.pages)
    i = _page_index(form, name)
    if pages[i].questions:
        raise EditError(_("Only an empty page can be removed: first move or remove its questions."))
    if len(pages) == 1:
        raise EditError(_("The survey needs at least one page."))
    del pages[i]
    return _with_pages(form, pages)


def move_page(form: FormDefinition, name: str, delta: int) -> FormDefinition:
    pages = list(form.pages)
    if not _swap(pages, _page_index(form, name), delta):
        raise EditError(_("The page cannot move further."))
    return _with_pages(form, pages)


# ---------------------------------------------------------------------------------------------- questions


def _locate(form: FormDefinition, name: str) -> tuple[int, int]:
    for p, page in enumerate(form.pages):
        for q, question in enumerate(page.questions):
            if question.name == name:
                return p, q
    raise EditError(_("There is no question %(name)s (any more).", name=name))


def _with_questions(form: FormDefinition, page_index: int, questions: list[Question]) -> FormDefinition:
    pages = list(form.pages)
    pages[page_index] = dataclasses.replace(pages[page_index], questions=tuple(questions))
    return _with_pages(form, pages)


def add_question(form: FormDefinition, page_name: str, question: Question) -> FormDefinition:
    """``question`` at the end of page ``page_name``."""
    _check_new_name(form, question.name)
    i = _page_index(form, page_name)
    return _with_questions(form, i, [*form.pages[i].questions, question])


def replace_question(form: FormDefinition, name: str, question: Question) -> FormDefinition:
    p, q = _locate(form, name)
    if question.name != name:
        raise EditError(_("A question keeps its name."))
    questions = list(form.pages[p].questions)
    questions[q] = question
    return _with_questions(form, p, questions)


def remove_question(form: FormDefinition, name: str) -> FormDefinition:
    p, q = _locate(form, name)
    questions = list(form.pages[p].questions)
    del questions[q]
    return _with_questions(form, p, questions)


def move_question(form: FormDefinition, name: str, delta: int) -> FormDefinition:
    p, q = _locate(form, name)
    questions = list(form.pages[p].questions)
    if not _swap(questions, q, delta):
        raise EditError(_("The question is already at the edge of its page: move it to another page instead."))
    return _with_questions(form, p, questions)


def move_question_to(form: FormDefinition, name: str, page_name: str) -> FormDefinition:
    """The question moves to the end of page ``page_name``."""
    p, q = _locate(form, name)
    target = _page_index(form, page_name)
    if target == p:
        raise EditError(_("The question is already on that page."))
    question = form.pages[p].questions[q]
    form = remove_question(form, name)
    return _with_questions(form, target, [*form.pages[target].questions, question])


# ------------------------------------------------------------------------------------------------ choices


def _choices(form: FormDefinition, list_name: str) -> list[Choice]:
    if list_name not in form.choice_lists:
        raise EditError(_("There is no choice list %(list)s (any more).", list=list_name))
    return list(form.choice_lists[list_name])


def _with_choices(form: FormDefinition, list_name: str, choices: list[Choice]) -> FormDefinition:
    lists = dict(form.choice_lists)
    lists[list_name] = tuple(choices)
    return dataclasses.replace(form, choice_lists=lists)


def _check_choice_name(choices: list[Choice], name: str) -> None:
    if not name:
        raise EditError(_("Give the choice a name (what the data will record)."))
    if any(ch.isspace() for ch in name) or len(name) > 64:
        raise EditError(_("A choice name has no spaces and at most 64 characters."))
    if any(c.name == name for c in choices):
        raise EditError(_("The list already has a choice called %(name)s.", name=name))


def add_choice_list(form: FormDefinition, list_name: str, choice: Choice) -> FormDefinition:
    if not list_name or not NAME_RE.fullmatch(list_name):
        raise EditError(_("The name %(name)s must start with a letter or _ and contain only letters, digits, "
                          "_, - and .", name=list_name or "?"))
    if list_name in form.choice_lists:
        raise EditError(_("There is already a choice list called %(list)s.", list=list_name))
    _check_choice_name([], choice.name)
    return _with_choices(form, list_name, [choice])


def set_choice_labels(form: FormDefinition, list_name: str, labels: dict[str, dict[str, str]]) -> FormDefinition:
    """New labels by choice name (choices not in ``labels`` keep theirs)."""
    choices = [dataclasses.replace(c, label=dict(labels[c.name])) if c.name in labels else c
               for c in _choices(form, list_name)]
    return _with_choices(form, list_name, choices)


def add_choice(form: FormDefinition, list_name: str, choice: Choice) -> FormDefinition:
    choices = _choices(form, list_name)
    _check_choice_name(choices, choice.name)
    extra = {key: "" for key in (choices[0].extra if choices else {})}
    return _with_choices(form, list_name, [*choices, dataclasses.replace(choice, extra={**extra, **choice.extra})])


def _choice_index(choices: list[Choice], name: str, list_name: str) -> int:
    for i, choice in enumerate(choices):
        if choice.name == name:
            return i
    raise EditError(_("The list %(list)s has no choice %(name)s (any more).", list=list_name, name=name))


def remove_choice(form: FormDefinition, list_name: str, name: str) -> FormDefinition:
    choices = _choices(form, list_name)
    i = _choice_index(choices, name, list_name)
    if len(choices) == 1:
        raise EditError(_("A choice list needs at least one choice."))
    del choices[i]
    return _with_choices(form, list_name, choices)


def move_choice(form: FormDefinition, list_name: str, name: str, delta: int) -> FormDefinition:
    choices = _choices(form, list_name)
    if not _swap(choices, _choice_index(choices, name, list_name), delta):
        raise EditError(_("The choice cannot move further."))
    return _with_choices(form, list_name, choices)
