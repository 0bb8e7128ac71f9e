"""The form definition: lookups, translation fallback, and the exact JSON round-trip the database relies on."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from consult.surveys.form import QUESTION_TYPES, Choice, FormDefinition, Page, Question, RangeParameters, pick

LANGS = ("en", "fr", "ar")


def make_form() -> FormDefinition:
    return FormDefinition(
        form_id="f",
        title={"en": "Title", "fr": "Titre"},
        version="2026-11",
        default_language="en",
        languages=LANGS,
        pages=(
            Page("p1", (Question("a", "text", {"en": "A", "fr": "A fr"}),), label={"en": "One"}),
            Page("_page2", (Question("b", "select_one", {"en": "B"}, choice_list="l", weighting=True),),
                 implicit=True),
        ),
        choice_lists={"l": (Choice("x", {"en": "X"}, {"region": "north"}),)},
    )


def test_lookups():
    form = make_form()
    assert [q.name for q in form.questions()] == ["a", "b"]
    assert form.question("b").choice_list == "l"
    assert form.page_of("b") == 1
    assert form.choices(form.question("b"))[0].filter_row() == {"region": "north", "name": "x"}
    assert form.choices(form.question("a")) == ()
    assert form.weighting_questions() == (form.question("b"),)
    with pytest.raises(KeyError):
        form.question("nope")


def test_answered_questions_by_page():
    form = FormDefinition(
        form_id="f", title={"en": "T"}, version="", default_language="en", languages=("en",),
        pages=(
            Page("p1", (Question("intro", "note", {"en": "Hi"}), Question("a", "text", {"en": "A"}))),
            Page("p2", (Question("only_note", "note", {"en": "…"}),)),
            Page("p3", (Question("b", "integer", {"en": "B"}), Question("c", "date", {"en": "C"}))),
        ),
    )
    assert [q.name for q in form.pages[0].answered] == ["a"]
    assert form.pages[1].answered == ()
    assert form.answered_names == ("a", "b", "c")
    assert [form.answered_before(i) for i in range(4)] == [(), ("a",), ("a",), ("a", "b", "c")]
    assert form.answered_before(-1) == () and form.answered_before(9) == ("a", "b", "c")
    assert form == FormDefinition.from_dict(form.to_dict())  # what is worked out is not part of the form


def test_translation_fallback():
    form = make_form()
    assert form.title_in("fr") == "Titre"
    assert form.title_in("ar") == "Title"
    assert form.question("a").label_in("fr") == "A fr"
    assert form.question("a").label_in("ar", form.default_language) == "A"
    assert form.text(form.question("a").label, "uk") == "A"
    assert pick({}, "en") == ""
    assert pick({"fr": "seulement"}, "en", "en") == "seulement"


def test_range_values():
    assert RangeParameters(1, 5, 1).values() == (1, 2, 3, 4, 5)
    assert RangeParameters(10, 0, 5).values() == (10, 5, 0)
    assert RangeParameters(0, 1, 0.5).values() == (0, 0.5, 1)
    assert RangeParameters(1, 5, 1).is_integral and not RangeParameters(0, 1, 0.5).is_integral


def test_unknown_schema_refused():
    data = make_form().to_dict()
    data["schema"] = 99
    with pytest.raises(ValueError):
        FormDefinition.from_dict(data)


# ---------------------------------------------------------------------------------------------- properties

_text = st.text(max_size=12)
_texts = st.dictionaries(st.sampled_from(LANGS), _text, max_size=3)
_expr = st.one_of(st.none(), st.sampled_from(["${a} = 1", ". > 3", "selected(${b}, 'x')"]))
_number = st.one_of(st.integers(-5, 5), st.floats(-5, 5, allow_nan=False).map(lambda f: round(f, 3)))

_questions = st.builds(
    Question,
    name=st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True),
    type=st.sampled_from(QUESTION_TYPES),
    label=_texts,
    hint=_texts,
    required=st.one_of(st.booleans(), st.just("${a} = 1")),
    required_message=_texts,
    relevant=_expr,
    constraint=_expr,
    constraint_message=_texts,
    appearance=st.one_of(st.none(), st.just("multiline")),
    choice_list=st.one_of(st.none(), st.just("l")),
    choice_filter=_expr,
    parameters=st.one_of(st.none(), st.builds(RangeParameters, _number, _number, _number)),
    weighting=st.booleans(),
)
_pages = st.builds(Page, name=_text, questions=st.lists(_questions, max_size=3).map(tuple), label=_texts,
                   relevant=_expr, appearance=st.one_of(st.none(), st.just("field-list")), implicit=st.booleans())
_choices = st.builds(Choice, name=_text, label=_texts, extra=st.dictionaries(_text, _text, max_size=2))
_forms = st.builds(
    FormDefinition,
    form_id=_text,
    title=_texts,
    version=_text,
    default_language=st.sampled_from(LANGS),
    languages=st.lists(st.sampled_from(LANGS), unique=True).map(tuple),
    pages=st.lists(_pages, max_size=3).map(tuple),
    choice_lists=st.dictionaries(_text, st.lists(_choices, max_size=3).map(tuple), max_size=2),
    language_names=st.dictionaries(st.sampled_from(LANGS), _text, max_size=3),
    settings=st.dictionaries(st.just("style"), _text, max_size=1),
)


@settings(max_examples=150, deadline=None)
@given(_forms)
def test_to_dict_from_dict_round_trip_exactly(form):
    data = form.to_dict()
    stored = json.loads(json.dumps(data, ensure_ascii=False))  # what a JSON column gives back
    assert stored == data
    again = FormDefinition.from_dict(stored)
    assert again == form
    assert again.to_dict() == data
