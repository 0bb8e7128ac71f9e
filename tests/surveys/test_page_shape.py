"""A page's shape is worked out once and shared by everyone whose answers read the same: it must be exactly what
working the page out for her alone gives, on every page of the demo survey, in every language, whatever she
answered before."""

from __future__ import annotations

import functools
import random

import pytest

from consult.surveys import page_shape as shapes
from consult.surveys.demo import _form, synthetic_response
from consult.surveys.form import FormDefinition
from consult.surveys.validation import is_page_shown, relevant_answers
from consult.surveys.xlsform import import_xlsform
from tests.surveys.xlsforms import SETTINGS, xlsform


@functools.lru_cache(maxsize=1)
def _demo_bytes() -> bytes:
    return _form()


def _demo() -> FormDefinition:
    """A new form each time: the shapes are remembered in the form itself."""
    return import_xlsform(_demo_bytes())


def _situations(form: FormDefinition, respondents: int, seed: int):
    """(page index, answers saved before reaching it) for every page each synthetic respondent sees."""
    rng = random.Random(seed)
    for _ in range(respondents):
        answers, _pages, _complete = synthetic_response(rng, form)
        for index, page in enumerate(form.pages):
            earlier = {q.name: answers.get(q.name) for p in form.pages[:index] for q in p.questions if q.is_answered}
            saved = relevant_answers(form, earlier)
            if is_page_shown(form, index, saved):
                yield index, saved


def test_shared_shapes_are_what_each_respondent_would_get_alone():
    form = _demo()
    situations = list(_situations(form, respondents=120, seed=3))
    # First fill the memo from half of them, then check everyone: most pages now come from somebody else's.
    for index, saved in situations[::2]:
        for lang in form.languages:
            shapes.page_shape(form, index, lang, saved)
    shared = 0
    for index, saved in situations:
        for lang in form.languages:
            shape = shapes.page_shape(form, index, lang, saved)
            alone, shows_answers = shapes.page_questions(form, index, lang, saved, {}, {})
            if shape is None:
                assert shows_answers or shapes._inputs(form, index) is None
                continue
            shared += 1
            assert shape.context == alone, (form.pages[index].name, lang)
            assert shape.key == shapes.cache_key(alone)
    assert shared > len(situations)  # the demo's pages do have shapes (in several languages each)
    assert len(form.memo("page_shapes")) < shared  # …and they are shared


def test_a_shape_depends_on_the_answers_its_conditions_read():
    form = _demo()
    situations = list(_situations(form, respondents=60, seed=8))
    lang = form.default_language
    seen: dict[tuple, dict] = {}
    for index, saved in situations:
        shape = shapes.page_shape(form, index, lang, saved)
        if shape is None:
            continue
        read = tuple(repr(saved.get(n)) for n in shapes._inputs(form, index))
        seen.setdefault((index, read), shape.context)
        assert seen[(index, read)] == shape.context
    # Pages whose questions hang on earlier answers come in several shapes.
    assert len({index for index, _ in seen}) < len(seen)


def test_a_page_showing_her_answers_has_no_shape():
    form = import_xlsform(xlsform(survey=[
        ["type", "name", "label"],
        ["begin_group", "p1", "One"],
        ["text", "name", "Your first name"],
        ["end_group", "p1", None],
        ["begin_group", "p2", "Two"],
        ["integer", "age", "How old are you, ${name}?"],
        ["end_group", "p2", None],
    ], settings=SETTINGS))
    assert shapes.page_shape(form, 1, "en", {"name": "Amina"}) is None  # the label shows an answer
    assert shapes.page_shape(form, 0, "en", {"name": "Amina"}) is None  # she comes back to a page she answered
    shape = shapes.page_shape(form, 0, "en", {})
    assert shape is not None and shape.context["questions"][0]["value"] is None
    # Nothing of hers is kept in clear: the memo's keys hold a digest of what the conditions read.
    assert all(isinstance(key[2], bytes) for key in form.memo("page_shapes"))


@pytest.mark.parametrize("condition", ["today() > '2020-01-01'", "${age} > 3 and today() < '2090-01-01'"])
def test_a_condition_that_reads_more_than_answers_gives_no_shape(condition):
    form = import_xlsform(xlsform(survey=[
        ["type", "name", "label", "relevant"],
        ["begin_group", "p1", "One", None],
        ["integer", "age", "Age", None],
        ["text", "why", "Why?", condition],
        ["end_group", "p1", None, None],
    ], settings=SETTINGS))
    assert shapes.page_shape(form, 0, "en", {}) is None


def test_choices_filtered_by_an_earlier_answer_make_shapes_of_their_own():
    form = import_xlsform(xlsform(
        [["type", "name", "label::English (en)", "choice_filter"],
         ["begin group", "one", "One", ""],
         ["select_one country", "country", "Country", ""],
         ["end group", "", "", ""],
         ["begin group", "two", "Two", ""],
         ["select_one region", "region", "Region", "country = ${country}"],
         ["end group", "", "", ""]],
        [["list_name", "name", "label::English (en)", "country"],
         ["country", "ua", "Ukraine", ""], ["country", "ml", "Mali", ""],
         ["region", "kyiv", "Kyiv", "ua"], ["region", "lviv", "Lviv", "ua"], ["region", "gao", "Gao", "ml"]],
        [["form_title", "form_id", "default_language"], ["Regions", "regions", "en"]]))
    offered = {}
    for country in ("ua", "ml", "ua"):
        shape = shapes.page_shape(form, 1, "en", {"country": country})
        offered[country] = [name for name, _ in shape.context["questions"][0]["choices"]]
    assert offered == {"ua": ["kyiv", "lviv"], "ml": ["gao"]}


def test_questions_shown_by_an_earlier_answer_make_shapes_of_their_own():
    form = import_xlsform(xlsform(
        [["type", "name", "label::English (en)", "relevant"],
         ["begin group", "one", "One", ""],
         ["select_one yes_no", "displaced", "Have you had to leave your home?", ""],
         ["end group", "", "", ""],
         ["begin group", "two", "Two", ""],
         ["integer", "household", "How many people live with you?", ""],
         ["integer", "moves", "How many times have you moved?", "${displaced} = 'yes'"],
         ["end group", "", "", ""]],
        [["list_name", "name", "label::English (en)"], ["yes_no", "yes", "Yes"], ["yes_no", "no", "No"]],
        [["form_title", "form_id", "default_language"], ["Moves", "moves", "en"]]))
    shown = {}
    for displaced in ("yes", "no", "yes", None):
        shape = shapes.page_shape(form, 1, "en", {"displaced": displaced})
        shown[displaced] = [item["q"].name for item in shape.context["questions"]]
    assert shown == {"yes": ["household", "moves"], "no": ["household"], None: ["household"]}
