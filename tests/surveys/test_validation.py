"""Answers: parsing per type, choice filters, skip logic, requirements, constraints and page navigation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from consult.surveys.form import Choice, FormDefinition, Page, Question, RangeParameters
from consult.surveys.validation import (
    MAX_TEXT_LENGTH,
    answers_after_page,
    check_page,
    first_page,
    interpolate,
    is_page_shown,
    is_relevant,
    next_page,
    parse_answer,
    previous_page,
    relevant_answers,
    revealed_questions,
    validate_page,
    visible_choices,
)
from consult.surveys.xlsform import import_xlsform

from .xlsforms import xlsform

EN = {"en": "x"}


def q(name, type_, **kw):
    return Question(name=name, type=type_, label=kw.pop("label", {"en": name}), **kw)


def form_of(*pages: Page, choice_lists=None) -> FormDefinition:
    return FormDefinition(form_id="f", title={"en": "F"}, version="1", default_language="en",
                          languages=("en", "fr"), pages=pages, choice_lists=choice_lists or {})


COUNTRIES = (Choice("ua", {"en": "Ukraine"}), Choice("ml", {"en": "Mali"}))
REGIONS = (
    Choice("kyiv", {"en": "Kyiv"}, {"country": "ua"}),
    Choice("lviv", {"en": "Lviv"}, {"country": "ua"}),
    Choice("gao", {"en": "Gao"}, {"country": "ml"}),
    Choice("other", {"en": "Other"}, {"country": "any"}),
)
NEEDS = (Choice("water", {"en": "Water"}), Choice("food", {"en": "Food"}), Choice("none", {"en": "None"}))
LISTS = {"country": COUNTRIES, "region": REGIONS, "needs": NEEDS}


def one(question: Question, choice_lists=None) -> FormDefinition:
    return form_of(Page("p", (question,)), choice_lists=choice_lists if choice_lists is not None else LISTS)


def parse(question, raw, answers=None):
    return parse_answer(one(question), question, raw, answers)


# ------------------------------------------------------------------------------------------ parse_answer


@pytest.mark.parametrize("raw, value", [("42", 42), (" -7 ", -7), ("+3", 3), ("٤٢", 42), ("۱۲", 12), ("0", 0)])
def test_integer_accepted(raw, value):
    assert parse(q("n", "integer"), raw) == (value, None)


@pytest.mark.parametrize("raw", ["4.5", "4,0", "abc", "1e3", "12 apples", "9" * 20, "--1"])
def test_integer_refused(raw):
    value, error = parse(q("n", "integer"), raw)
    assert value is None and error


@pytest.mark.parametrize("raw, value", [("3.5", 3.5), ("3,5", 3.5), ("-0,25", -0.25), (".5", 0.5), ("7", 7.0),
                                        ("٣٫٥", 3.5)])
def test_decimal_accepted_with_point_or_comma(raw, value):
    assert parse(q("d", "decimal"), raw) == (value, None)


@pytest.mark.parametrize("raw", ["1,500.25", "nan", "inf", "1.2.3", "three"])
def test_decimal_refused(raw):
    assert parse(q("d", "decimal"), raw)[1]


def test_date():
    assert parse(q("d", "date"), "2026-11-22") == ("2026-11-22", None)
    for bad in ("2026-02-30", "22/11/2026", "20261122", "2026-W47-1"):
        assert parse(q("d", "date"), bad)[1]


def test_text_kept_trimmed_and_bounded():
    assert parse(q("t", "text"), "  hello\r\nworld  ") == ("hello\nworld", None)
    assert parse(q("t", "text"), "a\x00b") == ("ab", None)
    assert parse(q("t", "text"), "x" * MAX_TEXT_LENGTH) == ("x" * MAX_TEXT_LENGTH, None)
    value, error = parse(q("t", "text"), "x" * (MAX_TEXT_LENGTH + 1))
    assert value is None and "10000" in error


def test_empty_is_unanswered_for_every_type():
    for type_ in ("text", "integer", "decimal", "date", "range", "select_one", "select_multiple"):
        question = q("x", type_, choice_list="needs" if type_.startswith("select") else None,
                     parameters=RangeParameters(1, 5, 1) if type_ == "range" else None)
        for raw in ("", "   ", None, []):
            assert parse(question, raw) == (None, None), (type_, raw)


def test_range_on_scale_and_step():
    likert = q("r", "range", parameters=RangeParameters(1, 5, 1))
    assert parse(likert, "3") == (3, None)
    assert parse(likert, "5.0") == (5, None)
    assert parse(likert, "6")[1] and parse(likert, "0")[1] and parse(likert, "2.5")[1]
    halves = q("h", "range", parameters=RangeParameters(0, 1, 0.25))
    assert parse(halves, "0,75") == (0.75, None)
    assert parse(halves, "0.3")[1]
    reversed_ = q("v", "range", parameters=RangeParameters(5, 1, 1))
    assert parse(reversed_, "2") == (2, None)
    evens = q("e", "range", parameters=RangeParameters(0, 10, 2))
    assert parse(evens, "4") == (4, None) and parse(evens, "004") == (4, None)
    assert parse(evens, "3")[1] and parse(evens, "12")[1]
    assert parse(q("w", "range", parameters=RangeParameters(1.0, 5.0, 1.0)), "2") == (2, None)
    assert type(parse(likert, "3")[0]) is int and type(parse(likert, "٣")[0]) is int  # Arabic-Indic three


@given(st.integers(-3, 12), st.integers(-3, 12), st.integers(1, 4), st.integers(0, 15))
def test_whole_numbers_on_a_scale_are_read_as_any_number_is(start, end, step, answer):
    # The whole-number path of _parse_range against the general one (the answer written as a decimal).
    question = q("s", "range", parameters=RangeParameters(start, end, step))
    whole, decimal = parse(question, str(answer)), parse(question, f"{answer}.0")
    assert whole == decimal and type(whole[0]) is type(decimal[0])


def test_select_one():
    question = q("c", "select_one", choice_list="country")
    assert parse(question, "ua") == ("ua", None)
    assert parse(question, ["ml"]) == ("ml", None)
    assert parse(question, "fr")[1]
    assert parse(question, ["ua", "ml"])[1]


def test_select_multiple_subset_in_list_order():
    question = q("n", "select_multiple", choice_list="needs")
    assert parse(question, ["food", "water"]) == (["water", "food"], None)
    assert parse(question, "food water food") == (["water", "food"], None)
    assert parse(question, ["water", "bread"])[1]


def test_select_respects_choice_filter():
    region = q("region", "select_one", choice_list="region", choice_filter="country=${country} or country='any'")
    assert parse(region, "kyiv", {"country": "ua"}) == ("kyiv", None)
    value, error = parse(region, "gao", {"country": "ua"})
    assert value is None and "earlier answers" in error
    assert parse(region, "other", {"country": "ml"}) == ("other", None)


def test_note_has_no_value():
    assert parse(q("n", "note"), "anything") == (None, None)


# ---------------------------------------------------------------------------------------------- choices


def test_visible_choices():
    region = q("region", "select_one", choice_list="region", choice_filter="country=${country}")
    form = one(region)
    assert [c.name for c in visible_choices(form, region, {"country": "ua"})] == ["kyiv", "lviv"]
    assert [c.name for c in visible_choices(form, region, {"country": "ml"})] == ["gao"]
    assert visible_choices(form, region, {}) == ()
    unfiltered = q("c", "select_one", choice_list="country")
    assert visible_choices(form, unfiltered, None) == COUNTRIES


def test_choice_filter_on_name_and_selected():
    picked = q("fav", "select_one", choice_list="needs", choice_filter="selected(${needs}, name)")
    form = one(picked)
    assert [c.name for c in visible_choices(form, picked, {"needs": ["food", "none"]})] == ["food", "none"]


def test_filtered_choices_are_remembered_by_the_answers_the_filter_reads():
    region = q("region", "select_one", choice_list="region", choice_filter="country=${country}")
    picked = q("fav", "select_one", choice_list="needs", choice_filter="selected(${needs}, name)")
    form = form_of(Page("p", (region, picked)), choice_lists=LISTS)
    for _ in range(2):  # the second time from the memo: the same outcomes
        assert [c.name for c in visible_choices(form, region, {"country": "ua", "age": 1})] == ["kyiv", "lviv"]
        assert [c.name for c in visible_choices(form, region, {"country": "ml", "age": 2})] == ["gao"]
        assert [c.name for c in visible_choices(form, picked, {"needs": ["food"]})] == ["food"]
        assert [c.name for c in visible_choices(form, picked, {"needs": ["food", "none"]})] == ["food", "none"]
    assert len(form.memo("filtered_choices")) == 4  # keyed by what the filter reads, not the other answers
    other = one(region)  # another form (another version): its own memo
    assert [c.name for c in visible_choices(other, region, {"country": "ua"})] == ["kyiv", "lviv"]
    assert len(other.memo("filtered_choices")) == 1


def test_a_filter_that_reads_the_date_is_worked_out_each_time():
    dated = q("region", "select_one", choice_list="region",
              choice_filter="country=${country} and today() > '2000-01-01'")
    form = one(dated)
    assert [c.name for c in visible_choices(form, dated, {"country": "ml"})] == ["gao"]
    assert "_filtered_choices" not in form.__dict__


# -------------------------------------------------------------------------------------------- validate_page

PAGE1 = Page("about", (
    q("country", "select_one", choice_list="country", required=True,
      required_message={"en": "Please choose a country.", "fr": "Veuillez choisir un pays."}),
    q("region", "select_one", choice_list="region", choice_filter="country=${country}"),
    q("age", "integer", required=True, constraint=". >= 18 and . <= 120",
      constraint_message={"en": "Adults only.", "fr": "Adultes seulement."}),
    q("hint_note", "note"),
))
PAGE2 = Page("needs", (
    q("has_needs", "select_one", choice_list="country"),  # any list will do
    q("needs", "select_multiple", choice_list="needs", relevant="${has_needs} = 'ua'",
      constraint="not(selected(., 'none') and count-selected(.) > 1)", required=True),
    q("older", "text", relevant="${age} >= 60"),
    q("why", "text", required="count-selected(${needs}) >= 2"),
))
PAGE3 = Page("mali", (q("mali_only", "text"),), relevant="${country} = 'ml'")
PAGE4 = Page("end", (q("thanks", "note"),))
FORM = form_of(PAGE1, PAGE2, PAGE3, PAGE4, choice_lists=LISTS)


def test_valid_page():
    clean, errors = validate_page(FORM, 0, {"country": "ua", "region": "kyiv", "age": "30"}, {})
    assert errors == {}
    assert clean == {"country": "ua", "region": "kyiv", "age": 30}


def test_required_message_in_language_and_default():
    _clean, errors = validate_page(FORM, PAGE1, {"age": "30"}, {}, lang="fr")
    assert errors == {"country": "Veuillez choisir un pays."}
    _clean, errors = validate_page(FORM, PAGE1, {"age": "30"}, {}, lang="uk")
    assert errors == {"country": "Please choose a country."}  # falls back to the default language
    _clean, errors = validate_page(FORM, PAGE1, {"country": "ua"}, {}, lang="en")
    assert errors["age"] == "This question requires an answer."


def test_constraint_with_message():
    _clean, errors = validate_page(FORM, PAGE1, {"country": "ua", "age": "12"}, {}, lang="fr")
    assert errors == {"age": "Adultes seulement."}


def test_parse_error_reported_instead_of_constraint():
    clean, errors = validate_page(FORM, PAGE1, {"country": "ua", "age": "twelve"}, {})
    assert clean["age"] is None and "whole number" in errors["age"]


def test_choice_filter_uses_same_page_answer():
    _clean, errors = validate_page(FORM, PAGE1, {"country": "ml", "region": "kyiv", "age": "40"}, {})
    assert set(errors) == {"region"}


def test_irrelevant_questions_are_cleared_and_not_required():
    clean, errors = validate_page(FORM, PAGE2, {"has_needs": "ml", "needs": ["water"], "older": "old"},
                                  {"age": 30})
    assert errors == {}
    assert clean == {"has_needs": "ml", "needs": None, "older": None, "why": None}


def test_relevant_on_same_page_and_exclusive_none_constraint():
    _clean, errors = validate_page(FORM, PAGE2, {"has_needs": "ua", "needs": ["none", "water"], "why": "w"},
                                   {"age": 70})
    assert set(errors) == {"needs"}
    assert errors["needs"] == "This answer is not accepted."
    _clean, errors = validate_page(FORM, PAGE2, {"has_needs": "ua"}, {"age": 70})
    assert set(errors) == {"needs"}  # required once shown


def test_required_expression():
    _clean, errors = validate_page(FORM, PAGE2, {"has_needs": "ua", "needs": ["water", "food"]}, {})
    assert set(errors) == {"why"}
    clean, errors = validate_page(FORM, PAGE2, {"has_needs": "ua", "needs": ["water", "food"], "why": "x"}, {})
    assert errors == {} and clean["needs"] == ["water", "food"]


def test_earlier_answers_that_are_now_irrelevant_read_as_empty():
    # "older" was answered when age was 70, but the stored "age" answer is now 30: older is hidden.
    assert not is_relevant(FORM, "older", {"age": 30, "older": "x"})
    assert relevant_answers(FORM, {"country": "ua", "age": 30, "older": "x", "mali_only": "y"}) == {
        "country": "ua", "region": None, "age": 30, "has_needs": None, "needs": None, "older": None, "why": None,
        "mali_only": None,
    }


def test_page_relevance_applies_to_its_questions():
    assert not is_relevant(FORM, "mali_only", {"country": "ua"})
    assert is_relevant(FORM, "mali_only", {"country": "ml"})
    clean, errors = validate_page(FORM, PAGE3, {"mali_only": "x"}, {"country": "ua"})
    assert clean == {"mali_only": None} and errors == {}


# --------------------------------------------------------------------------------------------- navigation


def test_navigation_skips_irrelevant_pages():
    answers = {"country": "ua", "age": 30}
    assert first_page(FORM, {}) == 0
    assert next_page(FORM, 0, answers) == 1
    assert next_page(FORM, 1, answers) == 3  # Mali page skipped
    assert next_page(FORM, 3, answers) is None
    assert previous_page(FORM, 3, answers) == 1
    assert previous_page(FORM, 0, answers) is None
    answers["country"] = "ml"
    assert next_page(FORM, 1, answers) == 2
    assert previous_page(FORM, 3, answers) == 2


def test_page_whose_questions_are_all_hidden_is_skipped():
    form = form_of(
        Page("a", (q("x", "integer"),)),
        Page("b", (q("y", "text", relevant="${x} > 5"), q("z", "text", relevant="${x} > 10"))),
        Page("c", (q("w", "text"),)),
    )
    assert not is_page_shown(form, 1, {"x": 1})
    assert next_page(form, 0, {"x": 1}) == 2
    assert next_page(form, 0, {"x": 7}) == 1


def test_cyclic_hand_made_form_does_not_hang():
    form = form_of(Page("p", (q("a", "text", relevant="${b} = 'x'"), q("b", "text", relevant="${a} = 'x'"))))
    clean, _errors = validate_page(form, 0, {"a": "x", "b": "x"}, {})
    assert set(clean) == {"a", "b"}
    assert next_page(form, -1, {}) in (0, None)


# ---------------------------------------------------------------------------------- from an imported form


def test_imported_form_end_to_end():
    data = xlsform(
        [
            ["type", "name", "label::English (en)", "label::Français (fr)", "relevant", "constraint",
             "constraint_message::English (en)", "constraint_message::Français (fr)", "choice_filter", "required"],
            ["begin group", "p1", "One", "Un", "", "", "", "", "", ""],
            ["select_one country", "country", "Country", "Pays", "", "", "", "", "", "yes"],
            ["select_one region", "region", "Region", "Région", "", "", "", "", "country=${country}", ""],
            ["integer", "size", "Household size", "Taille du ménage", "", ". >= 1 and . <= 30", "1 to 30",
             "1 à 30", "", ""],
            ["end group", "", "", "", "", "", "", "", "", ""],
            ["begin group", "p2", "Two", "Deux", "${country} = 'ml'", "", "", "", "", ""],
            ["text", "mali", "Mali?", "Mali ?", "", "", "", "", "", ""],
            ["end group", "", "", "", "", "", "", "", "", ""],
            ["begin group", "p3", "Three", "Trois", "", "", "", "", "", ""],
            ["date", "when", "When", "Quand", "", "", "", "", "", ""],
            ["end group", "", "", "", "", "", "", "", "", ""],
        ],
        [
            ["list_name", "name", "label::English (en)", "label::Français (fr)", "country"],
            ["country", "ua", "Ukraine", "Ukraine", ""],
            ["country", "ml", "Mali", "Mali", ""],
            ["region", "kyiv", "Kyiv", "Kyiv", "ua"],
            ["region", "gao", "Gao", "Gao", "ml"],
        ],
        [["form_id", "default_language"], ["e2e", "English (en)"]],
    )
    form = import_xlsform(data)
    clean, errors = validate_page(form, 0, {"country": "ua", "region": "gao", "size": "40"}, {}, lang="fr")
    assert errors["size"] == "1 à 30" and "region" in errors
    clean, errors = validate_page(form, 0, {"country": "ua", "region": "kyiv", "size": "4"}, {})
    assert errors == {}
    assert next_page(form, 0, clean) == 2


# ---------------------------------------------------------------------------------------------- properties

ALL_QUESTIONS = [
    q("t", "text"), q("i", "integer"), q("d", "decimal"), q("dt", "date"),
    q("r", "range", parameters=RangeParameters(1, 5, 1)),
    q("s1", "select_one", choice_list="needs"), q("sm", "select_multiple", choice_list="needs"),
]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ALL_QUESTIONS), st.one_of(st.none(), st.text(max_size=30), st.lists(st.text(max_size=8),
                                                                                          max_size=4)))
def test_parse_answer_never_raises(question, raw):
    value, error = parse(question, raw)
    assert value is None or error is None
    assert error is None or isinstance(error, str)


def test_interpolate_answers_into_texts():
    form = form_of(Page("p", (
        q("country", "select_one", choice_list="country"),
        q("needs", "select_multiple", choice_list="needs"),
        q("age", "integer"),
    )), choice_lists={"country": (Choice("ua", {"en": "Ukraine", "fr": "Ukraine (fr)"}),), "needs": NEEDS})
    answers = {"country": "ua", "needs": ["water", "food"], "age": 30}
    assert interpolate(form, "In ${country}, at ${age}: ${needs}.", answers, "fr") == "In Ukraine (fr), at 30: Water, Food."
    assert interpolate(form, "[${ age }] [${missing}]", {}, "en") == "[] [${missing}]"


def test_revealed_questions_on_the_same_page():
    before = {"age": 30}
    clean, errors = validate_page(FORM, PAGE2, {"has_needs": "ua"}, before)
    # "needs" is required once shown, and it was not shown when the page was drawn: ask again.
    assert revealed_questions(FORM, PAGE2, before, clean) == ["needs"]
    clean, _errors = validate_page(FORM, 1, {"has_needs": "ml"}, before)
    assert revealed_questions(FORM, 1, before, clean) == []
    answered = {"has_needs": "ua", "needs": ["water"]}
    assert revealed_questions(FORM, 1, before, answered) == []


def test_long_chain_of_skips_across_pages():
    pages = [Page(f"p{i}", (q(f"q{i}", "integer", relevant=f"${{q{i - 1}}} = 1" if i else None),)) for i in range(1500)]
    form = form_of(*pages)
    answers = {f"q{i}": 1 for i in range(1500)}
    assert is_relevant(form, "q1499", answers)
    assert next_page(form, 1400, answers) == 1401
    answers["q10"] = 2
    assert not is_relevant(form, "q1499", answers)
    assert next_page(form, 5, answers) == 6
    assert next_page(form, 11, answers) is None
    assert relevant_answers(form, answers)["q1499"] is None


def test_saving_a_page_works_out_only_what_can_change():
    """answers_after_page gives what working out the whole form gives, on the demo survey: each respondent's
    cleared answers, then one page answered as another respondent did (which hides or shows later questions), with
    another choice, or as it was saved."""
    import random

    from consult.surveys.demo import _form, synthetic_response
    from consult.surveys.xlsform import import_xlsform

    form = import_xlsform(_form())
    rng = random.Random(3)
    people = [synthetic_response(rng, form)[0] for _ in range(60)]
    changed_later = reveals = taken_up = 0
    for stored, other in zip(people, people[1:] + people[:1]):
        for index, page in enumerate(form.pages):
            answered = [q for q in page.questions if q.is_answered]
            flipped = {q.name: _another_choice(form, q, stored.get(q.name)) if q.type == "select_one"
                       else other.get(q.name) for q in answered}
            unchanged = {q.name: stored.get(q.name) for q in answered}  # the page sent again as saved
            for clean in ({q.name: other.get(q.name) for q in answered}, flipped, unchanged):
                fast = answers_after_page(form, stored, index, clean)
                assert fast == relevant_answers(form, {**stored, **clean}), (index, page.name)
                # The other steps of a save, taking the saved answers of the earlier pages as they are.
                assert next_page(form, index, fast, saved=True) == next_page(form, index, fast)
                revealed = revealed_questions(form, index, stored, clean, saved=True)
                assert revealed == revealed_questions(form, index, stored, clean) == [
                    q.name for q in answered if is_relevant(form, q.name, {**stored, **clean})
                    and not is_relevant(form, q.name, stored) and clean.get(q.name) in (None, "", [])]
                reveals += bool(revealed)
                raw = {name: (value if isinstance(value, list) else None if value is None else str(value))
                       for name, value in clean.items()}
                assert (validate_page(form, index, raw, stored, lang="en", saved=True)
                        == validate_page(form, index, raw, stored, lang="en"))
                # Saving what the check found, taking up its skip logic, as a submission does.
                check = check_page(form, index, raw, stored, lang="en", saved=True)
                if check.carries_on(stored, index, check.clean):
                    taken_up += 1
                    # The check's skip logic taken up by the steps after it (as a submission does them, in order).
                    assert (revealed_questions(form, index, stored, check.clean, saved=True, check=check)
                            == revealed_questions(form, index, stored, check.clean)), (index, page.name)
                    after = answers_after_page(form, stored, index, check.clean, check)
                    assert after == relevant_answers(form, {**stored, **check.clean}), (index, page.name)
                    assert check.view.outcome is after
                    assert (next_page(form, index, after, saved=True, check=check)
                            == next_page(form, index, after)), (index, page.name)
                    assert not check.carries_on(dict(stored), index, check.clean)  # another dict: not this check
                later = {q.name for p in form.pages[index + 1:] for q in p.questions}
                changed_later += any(fast.get(name) != stored.get(name) for name in later)
    assert changed_later > 20  # the changes did hide answers of later pages
    assert taken_up > 500  # most checks were taken up (a page with an error is not)
    assert reveals > 5  # and did reveal questions on their own page


def _another_choice(form, question, value):
    names = [c.name for c in form.choices(question)]
    return names[(names.index(value) + 1) % len(names)] if value in names else names[0]
