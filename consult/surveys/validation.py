"""Reading respondents' answers: parsing per question type, skip logic, requirements, constraints, navigation.

Everything here is pure: the web layer passes the form, the raw form inputs of one page and the answers
collected so far, and gets clean values and error messages back.

Stored answer values are JSON-compatible and are what expressions see:

========================  ==========================================
type                      value
========================  ==========================================
text                      ``str`` (at most 10,000 characters)
integer                   ``int``
decimal                   ``float``
date                      ``str``, ISO ``yyyy-mm-dd``
range                     ``int`` (``float`` when the scale is not whole numbers)
select_one                ``str``, the choice name
select_multiple           ``list[str]`` of choice names, in list order
note                      never stored
unanswered / not shown    ``None``
========================  ==========================================

Skip logic: a question whose ``relevant`` is false, or whose page's ``relevant`` is false, is not shown, its
answer is cleared (``None``) and its requirement and constraint do not apply; answers that depend on it see it
empty. Dependencies are resolved lazily, so a question may depend on another on the same page in either
order (the importer has refused cycles).
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from consult.i18n import current_code
from consult.i18n import gettext as _

from . import expressions as ex
from .form import TEXT_REFERENCE_RE, Choice, FormDefinition, Page, Question

__all__ = [
    "MAX_TEXT_LENGTH",
    "parse_answer",
    "visible_choices",
    "is_relevant",
    "answer_view",
    "is_page_shown",
    "validate_page",
    "check_page",
    "PageCheck",
    "next_page",
    "previous_page",
    "first_page",
    "relevant_answers",
    "answers_after_page",
    "revealed_questions",
    "interpolate",
]

MAX_TEXT_LENGTH = 10_000
#: Beyond 15 digits integers stop being exact in JSON readers and in the analysis (float64).
_MAX_INTEGER_DIGITS = 15
_MAX_NUMBER_LENGTH = 40

_INTEGER_RE = re.compile(r"[+-]?\d+", re.ASCII)
_DECIMAL_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)", re.ASCII)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# Control characters other than tab and newline have no place in an answer (and PostgreSQL refuses NUL).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Raw = str | list[str] | tuple[str, ...] | None


# ---------------------------------------------------------------------------------------------- answers


def parse_answer(
    form: FormDefinition,
    question: Question,
    raw: Raw,
    answers: Mapping[str, Any] | None = None,
) -> tuple[Any, str | None]:
    """Turn what a respondent typed or picked into the stored value.

    Parameters
    ----------
    form : FormDefinition
        Needed for the choice lists of select questions.
    question : Question
    raw : str, list of str or None
        The form input(s); a multiple choice may come as a list or a space-separated string.
    answers : Mapping, optional
        Answers so far, for the choice filter of a select question.

    Returns
    -------
    (value, error)
        ``(None, None)`` for an empty answer (whether one is required is :func:`validate_page`'s business),
        ``(value, None)`` when valid, ``(None, message)`` otherwise; the message is translated.
    """
    if question.type == "note":
        return None, None
    if question.type == "select_multiple":
        return _parse_multiple(form, question, raw, answers or {})
    if type(raw) is str:  # one input, as most are
        text = raw
    else:
        text, error = _single(raw)
        if error:
            return None, error
    if question.type != "text":
        text = text.strip()
        if not text:
            return None, None
    elif text.strip() == "":
        return None, None
    if question.type == "select_one":
        return _parse_select_one(form, question, text, answers or {})
    parser = _PARSERS.get(question.type)
    if parser is None:  # an unknown type in a hand-made form
        return None, _("This question cannot be answered.")
    return parser(question, text)


def _single(raw: Raw) -> tuple[str, str | None]:
    if raw is None:
        return "", None
    if isinstance(raw, (list, tuple)):
        filled = [r for r in raw if r is not None and str(r).strip() != ""]
        if len(filled) > 1:
            return "", _("Give only one answer.")
        return (str(filled[0]) if filled else ""), None
    return str(raw), None


def _parse_text(question: Question, text: str) -> tuple[Any, str | None]:
    text = _CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        return None, None
    if len(text) > MAX_TEXT_LENGTH:
        return None, _("The answer is too long: at most %(limit)d characters.", limit=MAX_TEXT_LENGTH)
    return text, None


def _ascii_number(text: str) -> str:
    """Arabic-Indic, Persian and other decimal digits to ASCII, and the Arabic decimal separator to a point."""
    if text.isascii():  # nothing to map: only the spaces go (the loop below costs as much as the parsing)
        return text.replace(" ", "")
    out = []
    for ch in text:
        digit = unicodedata.decimal(ch, None)
        if digit is not None:
            out.append(str(digit))
        elif ch == "\u066b":  # ARABIC DECIMAL SEPARATOR
            out.append(".")
        elif ch in "\u2212\u2013":  # a typographic minus is still a minus
            out.append("-")
        else:
            out.append(ch)
    return "".join(out).replace(" ", "").replace("\u00a0", "")


def _parse_integer(question: Question, text: str) -> tuple[Any, str | None]:
    text = _ascii_number(text)
    if len(text) > _MAX_NUMBER_LENGTH or not _INTEGER_RE.fullmatch(text):
        return None, _("Enter a whole number, for example 42.")
    if len(text.lstrip("+-").lstrip("0")) > _MAX_INTEGER_DIGITS:
        return None, _("This number is too large.")
    return int(text), None


def _decimal(text: str) -> float | None:
    text = _ascii_number(text)
    if len(text) > _MAX_NUMBER_LENGTH or not _DECIMAL_RE.fullmatch(text):
        return None
    # A decimal comma ("3,5") is how most of our respondents write decimals; thousands separators are not
    # accepted because "1,500" could mean either.
    value = float(text.replace(",", "."))
    return value if math.isfinite(value) else None


def _parse_decimal(question: Question, text: str) -> tuple[Any, str | None]:
    value = _decimal(text)
    if value is None:
        return None, _("Enter a number, for example 3.5 or 3,5.")
    return value, None


def _parse_date(question: Question, text: str) -> tuple[Any, str | None]:
    import datetime as dt

    text = _ascii_number(text)
    if _DATE_RE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text).isoformat(), None
        except ValueError:
            pass
    return None, _("Enter a date as year-month-day, for example 2026-11-22.")


def _parse_range(question: Question, text: str) -> tuple[Any, str | None]:
    params = question.parameters
    if params is None:
        return None, _("This question cannot be answered.")
    if text.isdigit() and text.isascii() and params.is_integral and params.step > 0:
        # A point of a scale of whole numbers, as every answer a page offers is: what the checks below find for it.
        whole = int(text)
        if params.minimum <= whole <= params.maximum and (whole - params.start) % params.step == 0:
            return whole, None
    value = _decimal(text)
    if value is None:
        return None, _("Enter a number.")
    if not (params.minimum - 1e-9 <= value <= params.maximum + 1e-9):
        return None, _("Choose a value from %(low)s to %(high)s.", low=_fmt(params.minimum), high=_fmt(params.maximum))
    steps = (value - params.start) / params.step
    if abs(steps - round(steps)) > 1e-9:
        return None, _("Choose one of the values on the scale (steps of %(step)s).", step=_fmt(params.step))
    exact = params.start + round(steps) * params.step
    if params.is_integral:
        return int(round(exact)), None
    return round(exact, 10), None


def _fmt(number: int | float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _parse_select_one(form: FormDefinition, question: Question, text: str,
                      answers: Mapping[str, Any]) -> tuple[Any, str | None]:
    if text in _visible_names(form, question, answers):
        return text, None
    return None, _choice_error(form, question, text)


def _visible_names(form: FormDefinition, question: Question, answers: Mapping[str, Any],
                   visible: tuple[Choice, ...] | None = None) -> frozenset[str] | set[str]:
    """The names of :func:`visible_choices` (``visible``, when the caller has them); remembered in the form for a
    list without a filter, which is most of them."""
    if question.choice_filter:
        return {c.name for c in (visible if visible is not None else visible_choices(form, question, answers))}
    memo = form.memo("choice_names")
    found = memo.get(question.name)
    if found is None:
        found = memo[question.name] = frozenset(c.name for c in form.choices(question))
    return found


def _choice_error(form: FormDefinition, question: Question, name: str) -> str:
    if any(c.name == name for c in form.choices(question)):
        return _("This option is not available given your earlier answers.")
    return _("Choose one of the options listed.")


def _parse_multiple(form: FormDefinition, question: Question, raw: Raw,
                    answers: Mapping[str, Any]) -> tuple[Any, str | None]:
    if raw is None:
        picked: list[str] = []
    elif isinstance(raw, str):
        picked = raw.split()
    else:
        picked = [str(r).strip() for r in raw if r is not None and str(r).strip()]
    if not picked:
        return None, None
    visible = visible_choices(form, question, answers)
    names = _visible_names(form, question, answers, visible)
    for name in picked:
        if name not in names:
            return None, _choice_error(form, question, name)
    chosen = set(picked)
    # Keep the choice list's order, so equal selections are stored equally.
    return [c.name for c in visible if c.name in chosen], None


_PARSERS = {
    "text": _parse_text,
    "integer": _parse_integer,
    "decimal": _parse_decimal,
    "date": _parse_date,
    "range": _parse_range,
}


# ------------------------------------------------------------------------------------------------ choices


def visible_choices(form: FormDefinition, question: Question, answers: Mapping[str, Any] | None) -> tuple[Choice, ...]:
    """The options of a select question that its ``choice_filter`` lets through, given the answers so far.

    Bare names in the filter are the choice's columns (``country=${country}`` keeps the choices whose
    ``country`` column equals the answer to ``country``); ``name`` is the choice's own name.
    """
    choices = form.choices(question)
    if not question.choice_filter:
        return choices
    try:
        keep = ex.compile_condition(question.choice_filter)
    except ex.ExpressionError:
        return ()  # the importer refuses these; a damaged stored form shows no options rather than crashing
    answers = answers or {}
    inputs = _filter_inputs(question.choice_filter)
    if inputs is None:
        return tuple(c for c in choices if keep(answers, None, c.filter_row()))
    # The filter is worked out once per choice, and lists filtered this way are the long ones (districts of a
    # country): remember the outcome for the answers it reads, in the form itself (one per survey version).
    key = (question.name, tuple(_hashable(ex.lookup(answers, name)) for name in inputs))
    memo = form.memo("filtered_choices")
    found = memo.get(key)
    if found is None:
        found = tuple(c for c in choices if keep(answers, None, c.filter_row()))
        if len(memo) < _MAX_FILTERED:
            memo[key] = found
    return found


_MAX_FILTERED = 4096


@functools.lru_cache(maxsize=1024)
def _filter_inputs(text: str) -> tuple[str, ...] | None:
    """The answers a (parsable) choice filter reads; ``None`` when its outcome depends on more (``today()``)."""
    tree = ex.parse(text)
    if ex.uses_current(tree) or any(isinstance(node, ex.Call) and node.name == "today" for node in ex.walk(tree)):
        return None
    return tuple(sorted(ex.references(tree)))


def _hashable(value: Any) -> Any:
    # With its type: 1, 1.0 and True are equal keys to a dict, not always equal to the evaluator.
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    return type(value).__name__, value


# -------------------------------------------------------------------------------------------- relevance


class _Answers(Mapping[str, Any]):
    """Answers as expressions should see them: questions not shown read as empty.

    Values are resolved lazily and memoised: a question's value is ``None`` when it is not relevant; a
    question on the page being submitted is parsed from the raw inputs; any other comes from ``stored``.
    """

    def __init__(self, form: FormDefinition, stored: Mapping[str, Any],
                 raw: Mapping[str, Raw] | None = None, page: Page | None = None):
        self.form = form
        self.stored = stored
        self.raw = raw or {}
        self.page_names = {q.name for q in page.questions} if page is not None else set()
        self.values: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self._relevant: dict[str, bool] = {}
        self._pages: dict[int, bool] = {}
        self._busy: set[str] = set()
        self._settled = 0  # pages before this index have all their values worked out
        self._as_stored = 0  # the answers of pages before this index are read from ``stored`` as they are
        #: The answers :func:`answers_after_page` made with this view: it is then a view of them as well.
        self.outcome: dict[str, Any] | None = None

    # Mapping protocol: only the form's questions are keys.
    def __getitem__(self, name: str) -> Any:
        values = self.values
        if name in values:  # the usual case, first: an expression reading an answer already worked out
            return values[name]
        if name not in self.form.question_index:
            raise KeyError(name)
        return self.value(name)

    def get(self, name: str, default: Any = None) -> Any:
        # Mapping.get goes through __getitem__ and a try block: every ${name} an expression reads comes here.
        values = self.values
        if name in values:
            return values[name]
        if name not in self.form.question_index:
            return default
        return self.value(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.form.question_index)

    def __len__(self) -> int:
        return len(self.form.question_index)

    def value(self, name: str) -> Any:
        values = self.values
        if name in values:
            return values[name]
        question, index = self.form.question_index[name]
        if index < self._as_stored and question.is_answered:  # see take_as_settled
            value = values[name] = self.stored.get(name)
            return value
        if name in self._busy:  # a cycle in a form that skipped the importer: read it as empty
            return None
        self._busy.add(name)
        try:
            value: Any = None
            if question.is_answered and self.relevant(question):
                if name in self.page_names:
                    value, error = parse_answer(self.form, question, self.raw.get(name), self)
                    if error:
                        self.errors[name] = error
                else:
                    value = self.stored.get(name)
            self.values[name] = value
            return value
        finally:
            self._busy.discard(name)

    def settle(self, index: int) -> None:
        """Work out every question of the pages before ``index``, in form order.

        References only point back to earlier pages (the importer sees to it), so going in order means each
        lookup finds its dependencies already computed: a long chain of skip conditions costs no deep recursion.
        """
        while self._settled < index:
            page_index = self._settled
            self._settled += 1  # first, so the page's own questions do not try to settle it again
            for question in self.form.pages[page_index].questions:
                self.value(question.name) if question.is_answered else self.relevant(question)

    def take_as_settled(self, index: int) -> None:
        """Take the answers of the pages before ``index`` as they are (see :func:`relevant_answers`).

        Each is read from ``stored`` when first asked for (:meth:`value`): a page's checks read a few of them,
        and copying them all made up a tenth of a submission's skip logic."""
        index = min(index, len(self.form.pages))
        self._as_stored = max(self._as_stored, index)
        self._settled = max(self._settled, index)

    def relevant(self, question: Question) -> bool:
        name = question.name
        shown = self._relevant.get(name)
        if shown is not None:
            return shown
        index = self.form.question_index[name][1]
        if self._settled < index:
            self.settle(index)
        # Provisional answer while deciding, so that a cycle (refused by the importer, but possible in a
        # hand-made form) ends instead of recursing forever.
        self._relevant[name] = False
        shown = self._pages.get(index)
        if shown is None:
            shown = self.page_relevant(index)
        if shown and question.relevant:
            shown = _condition(question.relevant, self)
        self._relevant[name] = shown
        return shown

    def page_relevant(self, index: int) -> bool:
        if index not in self._pages:
            self.settle(index)
            page = self.form.pages[index]
            self._pages[index] = True  # provisional, so a (refused) self-referring page cannot recurse forever
            self._pages[index] = _condition(page.relevant, self) if page.relevant else True
        return self._pages[index]


def _condition(text: str, answers: Mapping[str, Any], current: Any = None) -> bool:
    try:
        condition = ex.compile_condition(text)  # compiled once per text (looked up in a plain dict)
    except ex.ExpressionError:
        return False  # unreachable for imported forms; a broken condition hides rather than crashes
    return condition(answers, current, None)


def is_relevant(form: FormDefinition, name: str, answers: Mapping[str, Any]) -> bool:
    """Whether question ``name`` is shown, given the answers so far (its page's ``relevant`` included).

    ``answers`` may be an :func:`answer_view`, which keeps what it worked out for the next question.
    """
    return _view(form, answers).relevant(form.question(name))


def answer_view(form: FormDefinition, answers: Mapping[str, Any]) -> Mapping[str, Any]:
    """The answers as expressions see them, remembering each relevance worked out: pass it to several calls of
    :func:`is_relevant` or :func:`previous_page` for one page, so the earlier pages are worked out once."""
    return _Answers(form, answers)


def _view(form: FormDefinition, answers: Mapping[str, Any]) -> _Answers:
    if isinstance(answers, _Answers) and answers.form is form and not answers.raw:
        return answers
    return _Answers(form, answers)


def is_page_shown(form: FormDefinition, index: int, answers: Mapping[str, Any]) -> bool:
    """A page is shown when its ``relevant`` holds and at least one of its questions or notes is relevant."""
    return _page_shown(_Answers(form, answers), index)


def _page_shown(view: _Answers, index: int) -> bool:
    if not view.page_relevant(index):
        return False
    return any(view.relevant(q) for q in view.form.pages[index].questions)


def relevant_answers(form: FormDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Every answered question's value, with the answers of questions no longer shown cleared to ``None``.

    Use it before saving a finished response: changing an early answer can hide questions answered before.
    """
    view = _Answers(form, answers)
    return {q.name: view.value(q.name) for q in form.questions() if q.is_answered}


def answers_after_page(form: FormDefinition, stored: Mapping[str, Any], page_index: int,
                       clean: Mapping[str, Any], check: PageCheck | None = None) -> dict[str, Any]:
    """``relevant_answers(form, {**stored, **clean})`` for a response whose ``stored`` answers came out of it
    (every save does), after page ``page_index`` was answered with ``clean``: working out only what can change.

    References point back, so the pages before are as stored; a later question is worked out again only when
    what its skip conditions read changed (an answer of this page, or of a later question hidden by the change);
    any other keeps its stored value. ``check``: the :func:`check_page` (``saved=True``) of the page, whose skip
    logic is then not worked out again when ``clean`` is what it found.
    """
    if check is not None and check.carries_on(stored, page_index, clean):
        view = check.view  # its page's values are ``clean``, the pages before settled as stored
    else:
        view = _Answers(form, {**stored, **clean})
        view.take_as_settled(page_index)
    get = stored.get
    out = {name: get(name) for name in form.answered_names}  # the pages before, and what nothing changes
    view.outcome = out
    changed: set[str] = set()
    for question in form.pages[page_index].answered:
        name = question.name
        value = out[name] = view.value(name)
        if value != get(name):
            changed.add(name)
    if not changed:  # the page as it was saved: nothing after it can change
        view.take_as_settled(len(form.pages))
        return out
    # Page by page: once a page is done, any of its answers not worked out again is as saved, and the view reads
    # it from there when a later condition asks (so the view is one of ``out`` too, for next_page).
    view.take_as_settled(page_index + 1)
    for index, page_inputs, questions in _pages_after(form, page_index):
        if not changed.isdisjoint(page_inputs):
            for name, inputs in questions:
                if changed.isdisjoint(inputs):
                    continue
                value = out[name] = view.value(name)
                if value != get(name):
                    changed.add(name)
        view.take_as_settled(index + 1)
    return out


def _pages_after(form: FormDefinition, page_index: int) -> tuple[tuple[int, frozenset[str], tuple], ...]:
    """For each page after ``page_index``: its index, what decides whether any of its questions is shown, and
    (name, :func:`_relevance_inputs`) of each of its answered questions; remembered in the form."""
    memo = form.memo("pages_after")
    found = memo.get(page_index)
    if found is None:
        pages = []
        for index in range(page_index + 1, len(form.pages)):
            questions = tuple((q.name, _relevance_inputs(form, index, q)) for q in form.pages[index].answered)
            pages.append((index, frozenset().union(*(inputs for _, inputs in questions)), questions))
        found = memo[page_index] = tuple(pages)
    return found


def _relevance_inputs(form: FormDefinition, index: int, question: Question) -> frozenset[str]:
    """The answers that decide whether ``question`` (on page ``index``) is shown; remembered in the form."""
    memo = form.memo("relevance_inputs")
    found = memo.get(question.name)
    if found is None:
        names: set[str] = set()
        for text in (form.pages[index].relevant, question.relevant):
            if text:
                try:
                    names |= ex.references(ex.parse(text))
                except ex.ExpressionError:
                    pass  # refused by the importer; such a condition reads as false whatever changes
        found = memo[question.name] = frozenset(names)
    return found


def revealed_questions(form: FormDefinition, page: Page | int, answers_before: Mapping[str, Any],
                       clean: Mapping[str, Any], *, saved: bool = False,
                       check: PageCheck | None = None) -> list[str]:
    """Questions of ``page`` that the answers just submitted reveal, and that are still unanswered.

    A page rendered without scripts shows the questions relevant under ``answers_before``; when an answer on
    the same page makes another question relevant (``trust_peacekeepers`` after ``peacekeepers_present =
    yes``), the respondent has not seen it yet. Show the page again with these questions rather than moving on.
    ``check``: the page's :func:`check_page` (``saved=True``), whose skip logic is taken up when ``clean`` is what
    it found.
    """
    index = page if isinstance(page, int) else form.pages.index(page)
    page = form.pages[index]
    if not _reveals_own(form, index):
        return []  # no question here is shown or hidden by another of this page (the usual page)
    before = _Answers(form, answers_before)
    if saved and check is not None and check.carries_on(answers_before, index, clean):
        after = check.view  # the page's values are ``clean``, the pages before as saved
    else:
        after = _Answers(form, {**answers_before, **clean})
        if saved:
            after.take_as_settled(index)
    if saved:  # answers_before as saved: the pages before are what they were (see validate_page)
        before.take_as_settled(index)
    return [
        q.name for q in page.questions
        if q.is_answered and after.relevant(q) and not before.relevant(q) and _is_empty(clean.get(q.name))
    ]


def _reveals_own(form: FormDefinition, index: int) -> bool:
    """Whether an answer on page ``index`` can show or hide another question of that page; remembered."""
    memo = form.memo("reveals_own")
    found = memo.get(index)
    if found is None:
        page = form.pages[index]
        own = {q.name for q in page.questions}
        found = memo[index] = not all(own.isdisjoint(_relevance_inputs(form, index, q)) for q in page.answered)
    return found


# ------------------------------------------------------------------------------------------- validation


def validate_page(
    form: FormDefinition,
    page: Page | int,
    raw_inputs: Mapping[str, Raw],
    answers_so_far: Mapping[str, Any],
    *,
    lang: str | None = None,
    saved: bool = False,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check one submitted page: :func:`check_page`'s clean values and errors."""
    check = check_page(form, page, raw_inputs, answers_so_far, lang=lang, saved=saved)
    return check.clean, check.errors


@dataclass(frozen=True)
class PageCheck:
    """What :func:`check_page` found: ``clean`` values and ``errors`` (see :func:`validate_page`), with what it
    worked out on the way, which :func:`answers_after_page` takes up when the page is saved as checked."""

    index: int
    clean: dict[str, Any]
    errors: dict[str, str]
    answers_so_far: Mapping[str, Any]
    saved: bool
    view: _Answers = field(repr=False, compare=False)

    def carries_on(self, stored: Mapping[str, Any], index: int, clean: Mapping[str, Any]) -> bool:
        """Whether saving ``clean`` on page ``index`` over ``stored`` is saving this check's outcome (checked with
        ``saved=True``, as :func:`answers_after_page` works)."""
        return (self.saved and index == self.index and stored is self.answers_so_far and not self.errors
                and clean == self.clean)


def check_page(
    form: FormDefinition,
    page: Page | int,
    raw_inputs: Mapping[str, Raw],
    answers_so_far: Mapping[str, Any],
    *,
    lang: str | None = None,
    saved: bool = False,
) -> PageCheck:
    """Check one submitted page.

    Parameters
    ----------
    form : FormDefinition
    page : Page or int
        The page (or its index) that was submitted.
    raw_inputs : Mapping
        Form inputs by question name: a string, or a list of strings for a multiple choice.
    answers_so_far : Mapping
        Stored answers of the response (other pages; this page's old values are ignored).
    lang : str, optional
        Language of the form's own messages (``required_message``, ``constraint_message``); the request's
        language by default.
    saved : bool
        ``answers_so_far`` are a response's saved answers (they came out of :func:`relevant_answers`): the pages
        before this one are taken as they are instead of being worked out again (a page changes only what
        comes after it: references point back).

    Returns
    -------
    PageCheck
        ``clean`` has every answerable question of the page: its value, or ``None`` when unanswered, invalid or
        not shown (which clears an earlier answer). ``errors`` maps question names to translated messages; the
        page is accepted when it is empty.
    """
    index = page if isinstance(page, int) else form.pages.index(page)
    page = form.pages[index]
    lang = lang or current_code()
    view = _Answers(form, answers_so_far, raw_inputs, page)
    if saved:
        view.take_as_settled(index)
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in page.answered:
        value = view.value(question.name)
        clean[question.name] = value
        if question.name in view.errors:
            errors[question.name] = view.errors[question.name]
            continue
        if not view.relevant(question):
            continue
        message = _check_required(form, question, value, view, lang) or _check_constraint(
            form, question, value, view, lang
        )
        if message:
            errors[question.name] = message
    return PageCheck(index, clean, errors, answers_so_far, saved, view)


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (list, tuple)) and not value)


def _check_required(form: FormDefinition, question: Question, value: Any, view: _Answers, lang: str) -> str | None:
    required = question.required
    if isinstance(required, str):
        required = _condition(required, view, current=value)
    if not required or not _is_empty(value):
        return None
    if question.required_message:
        return form.text(question.required_message, lang)
    return _("This question requires an answer.")


def _check_constraint(form: FormDefinition, question: Question, value: Any, view: _Answers, lang: str) -> str | None:
    # As in ODK, a constraint applies to an answer, not to its absence (that is what "required" is for).
    if not question.constraint or _is_empty(value):
        return None
    if _condition(question.constraint, view, current=value):
        return None
    if question.constraint_message:
        return form.text(question.constraint_message, lang)
    return _("This answer is not accepted.")


# ------------------------------------------------------------------------------------------- navigation


def next_page(form: FormDefinition, current_index: int, answers: Mapping[str, Any], *,
              saved: bool = False, check: PageCheck | None = None) -> int | None:
    """Index of the next page to show after ``current_index`` (use ``-1`` for the first), or ``None`` at the end.

    ``saved``: ``answers`` came out of :func:`relevant_answers` (or :func:`answers_after_page`), so the pages up to
    ``current_index`` are taken as they are instead of being worked out again. ``check``: the page's
    :func:`check_page`; when ``answers`` are the very dict :func:`answers_after_page` made of it, the skip logic it
    worked out is taken up.
    """
    if check is not None and check.view.outcome is answers:
        view = check.view
    else:
        view = _Answers(form, answers)  # one view, so relevance is worked out once across the pages tried
        if saved:
            view.take_as_settled(current_index + 1)
    for index in range(max(current_index + 1, 0), len(form.pages)):
        if _page_shown(view, index):
            return index
    return None


def previous_page(form: FormDefinition, current_index: int, answers: Mapping[str, Any]) -> int | None:
    """Index of the page to go back to from ``current_index``, or ``None`` when it is the first one shown."""
    view = _view(form, answers)
    for index in range(min(current_index, len(form.pages)) - 1, -1, -1):
        if _page_shown(view, index):
            return index
    return None


def first_page(form: FormDefinition, answers: Mapping[str, Any] | None = None) -> int | None:
    return next_page(form, -1, answers or {})


# ------------------------------------------------------------------------------------------ texts


def interpolate(form: FormDefinition, text: str, answers: Mapping[str, Any], lang: str | None = None) -> str:
    """Fill the ``${name}`` references of a label, hint or message with the answers they name.

    A choice shows its label in ``lang`` (several choices are joined with ", "), a number or date as stored,
    an unanswered question as nothing. The result is plain text: the page template escapes it.
    """
    lang = lang or current_code()

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        try:
            question = form.question(name)
        except KeyError:
            return match.group(0)  # the importer refuses these; leave the text as written
        return _display(form, question, answers.get(name), lang)

    return TEXT_REFERENCE_RE.sub(replace, text)


def _display(form: FormDefinition, question: Question, value: Any, lang: str) -> str:
    if value is None or value == "":
        return ""
    if question.is_select:
        names = ex.selected_values(value) if question.type == "select_multiple" else (str(value),)
        labels = {c.name: form.text(c.label, lang) for c in form.choices(question)}
        return ", ".join(labels.get(name, name) for name in names)
    return ex.to_string(value)
