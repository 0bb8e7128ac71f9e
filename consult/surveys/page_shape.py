"""What a survey page shows before she answers it, worked out once for everyone in the same situation.

A page's questions, their labels and options and whether it has a Back button depend on the form, the page, the
language and the few earlier answers its conditions read (skip logic, choice filters) — not on who is answering.
Working them out (conditions evaluated, options filtered, texts picked) was a third of a survey page's CPU;
:func:`page_shape` does it once per distinct situation and keeps the outcome with the form (one per survey
version, which never changes).

Like the rest of the fast paths (see :func:`~consult.surveys.validation.answers_after_page`) this relies on stored
answers having come out of ``relevant_answers`` (every save does this): the answers a condition reads are then
the answers as stored, and the stored answers of a hidden question are already empty.

The memo never holds an answer in clear: the answers read are reduced to a digest. A page that shows one of her
answers (a page she comes back to, or a text naming an earlier answer with ``${…}``) has no shape and is worked
out for her alone, as before.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Mapping

from consult.surveys import expressions as ex
from consult.surveys.form import FormDefinition
from consult.surveys.validation import (_filter_inputs, _relevance_inputs, answer_view, interpolate, is_relevant,
                                       previous_page, visible_choices)

FIELD_PREFIX = "a:"
#: Distinct situations kept per survey version; past it, pages are worked out per request (still correct).
MAX_SHAPES = 4096


@dataclass(frozen=True)
class PageShape:
    """A page as shown to anyone who reaches it with the same answers read: the template's context, and the key
    that names everything it shows, for the page cache."""

    context: Mapping[str, Any]
    key: tuple


def page_questions(form: FormDefinition, index: int, lang: str, answers: Mapping[str, Any],
                   values: Mapping[str, Any], errors: Mapping[str, str]) -> tuple[dict[str, Any], bool]:
    """The page's context (its questions as the template shows them…) and whether any text on it shows an
    answer (``${name}``, ODK's output), for the respondent whose saved ``answers`` these are."""
    page = form.pages[index]
    view = answer_view(form, answers)  # relevance of the earlier pages worked out once for the page
    shows_answers = False

    def text(value: str) -> str:  # ${name} shows that answer, in the page's language
        nonlocal shows_answers
        if "${" not in value:
            return value
        shows_answers = True
        return interpolate(form, value, answers, lang)

    questions = []
    for question in page.questions:
        if not is_relevant(form, question.name, view):
            continue
        choices: list[tuple[str, str]] = []
        if question.is_select:
            choices = [(c.name, text(c.label_in(lang, form.default_language)))
                       for c in visible_choices(form, question, answers)]
        elif question.type == "range" and question.parameters is not None:
            choices = [(str(v), str(v)) for v in question.parameters.values()]
        questions.append({
            "q": question,
            "field": FIELD_PREFIX + question.name,
            "id": "q-" + question.name,
            "label": text(question.label_in(lang, form.default_language)),
            "hint": text(question.hint_in(lang, form.default_language)),
            "required": question.required is True,
            "choices": choices,
            "value": values.get(question.name),
            "error": errors.get(question.name),
        })
    context = {
        "page": page,
        "page_label": text(page.label_in(lang, form.default_language)),
        "questions": questions,
        "errors": errors,
        "index": index,
        "progress": index,
        "total": len(form.pages),
        "has_back": previous_page(form, index, view) is not None,
    }
    shows_answers = shows_answers or any(item["value"] not in (None, "", []) for item in questions)
    return context, shows_answers


def cache_key(context: Mapping[str, Any]) -> tuple:
    """Everything a page's context shows (for :func:`consult.web.render_cached`, with the survey's own)."""
    return (context["index"], context["has_back"], context["page_label"],
            tuple((item["id"], item["label"], item["hint"], item["required"], tuple(item["choices"]),
                   tuple(item["value"]) if isinstance(item["value"], list) else item["value"])
                  for item in context["questions"]))


def page_shape(form: FormDefinition, index: int, lang: str, answers: Mapping[str, Any]) -> PageShape | None:
    """The shape of page ``index`` for saved ``answers``, or ``None`` when the page shows one of her answers (or
    reads something that is not an answer, such as ``today()``): then it is worked out for her alone."""
    page = form.pages[index]
    if any(answers.get(q.name) not in (None, "", []) for q in page.questions):
        return None  # she has been here: the page shows what she entered
    names = _inputs(form, index)
    if names is None:
        return None
    read = repr(tuple(answers.get(name) for name in names)).encode()
    memo_key = (index, lang, hashlib.blake2b(read, digest_size=16).digest())
    memo = form.memo("page_shapes")
    found = memo.get(memo_key)
    if found is None:
        context, shows_answers = page_questions(form, index, lang, answers, {}, {})
        found = False if shows_answers else PageShape(context, cache_key(context))
        if len(memo) < MAX_SHAPES:
            memo[memo_key] = found
    return found or None


def _inputs(form: FormDefinition, index: int) -> tuple[str, ...] | None:
    """The answers that decide what page ``index`` shows: the conditions of its questions and of every earlier
    page (whether it has a Back button), and its choice filters. ``None`` when something else decides it."""
    memo = form.memo("page_inputs")
    if index in memo:
        return memo[index]
    names: set[str] | None = set()
    for earlier in range(index + 1):
        for question in form.pages[earlier].questions:
            names |= _relevance_inputs(form, earlier, question)
    for text in _conditions(form, index):
        if not _deterministic(text):
            names = None
            break
    if names is not None:
        for question in form.pages[index].questions:
            if question.choice_filter:
                try:
                    found = _filter_inputs(question.choice_filter)
                except ex.ExpressionError:
                    found = ()  # a broken filter shows no options whatever the answers
                if found is None:
                    names = None
                    break
                names |= set(found)
    result = None if names is None else tuple(sorted(names))
    memo[index] = result
    return result


def _conditions(form: FormDefinition, index: int) -> list[str]:
    found = []
    for earlier in range(index + 1):
        page = form.pages[earlier]
        found += [page.relevant] if page.relevant else []
        found += [q.relevant for q in page.questions if q.relevant]
    return found


def _deterministic(text: str) -> bool:
    """Whether a condition's outcome is decided by the answers it names alone."""
    try:
        tree = ex.parse(text)
    except ex.ExpressionError:
        return True  # reads as false whatever the answers
    return not ex.uses_current(tree) and not any(isinstance(node, ex.Call) and node.name in ("today", "now")
                                                 for node in ex.walk(tree))
