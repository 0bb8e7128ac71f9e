"""The demo perception survey: the importer accepts it, and it behaves as a respondent would expect."""

from __future__ import annotations

import json
import re

import pytest

from consult.surveys.demo_form import build_demo_xlsform
from consult.surveys.form import FormDefinition
from consult.surveys.validation import next_page, previous_page, validate_page, visible_choices
from consult.surveys.xlsform import import_xlsform


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    return import_xlsform(build_demo_xlsform())


def all_texts(form: FormDefinition):
    yield from form.title.items()
    for page in form.pages:
        yield from page.label.items()
    for q in form.questions():
        for texts in (q.label, q.hint, q.required_message, q.constraint_message):
            yield from texts.items()
    for choices in form.choice_lists.values():
        for c in choices:
            yield from c.label.items()


def test_importer_accepts_demo(form):
    assert form.form_id == "wps_perceptions"
    assert form.version == "2026-11"
    assert form.default_language == "en"
    assert form.languages == ("en", "fr", "uk", "ar", "fa")
    assert set(form.title) == set(form.languages)
    assert 6 <= len(form.pages) <= 8
    assert 28 <= sum(q.is_answered for q in form.questions()) <= 40


def test_demo_round_trips(form):
    assert FormDefinition.from_dict(json.loads(json.dumps(form.to_dict()))) == form


def test_weighting_variables(form):
    assert [q.name for q in form.weighting_questions()] == ["country", "age_group", "area"]


def test_demo_uses_every_feature(form):
    questions = list(form.questions())
    types = {q.type for q in questions}
    assert types == {"text", "integer", "select_one", "select_multiple", "note", "date", "range"}
    assert any(q.relevant for q in questions) and any(p.relevant for p in form.pages)
    assert any(q.constraint and q.constraint_message for q in questions)
    assert form.question("region").choice_filter
    assert form.question("household_size").constraint == ". >= 1 and . <= 30"
    assert form.question("displaced_since").type == "date"
    assert form.question("safe_night").parameters.values() == (1, 2, 3, 4, 5)


def test_every_text_in_every_language_and_script(form):
    for lang, text in all_texts(form):
        assert text.strip(), lang
        assert "~" not in text
        if lang in ("ar", "fa", "uk"):
            assert not re.search(r"[A-Za-z]", text), (lang, text)
        if lang == "fa":  # Persian letters, not their Arabic look-alikes
            assert not re.search("[\u064a\u0643\u0629]", text), text
        if lang == "ar":
            assert not re.search("[\u06cc\u06a9\u06af\u067e\u0686\u0698\u06f0-\u06f9]", text), text
        if lang == "uk":  # no Russian-only letters
            assert not re.search("[ыэъёЫЭЪЁ]", text), text


def test_sensitive_selects_offer_prefer_not_to_say(form):
    for name in ("age_group", "gender", "area", "education", "meeting_attended", "gbv_concern", "gbv_known",
                 "gbv_reported", "gbv_services", "barriers"):
        assert "prefer_not" in [c.name for c in form.choices(form.question(name))], name


def test_no_consent_skips_to_the_end(form):
    assert next_page(form, 0, {"consent": "no"}) == len(form.pages) - 1
    assert previous_page(form, len(form.pages) - 1, {"consent": "no"}) == 0
    assert next_page(form, 0, {"consent": "yes"}) == 1


def test_region_follows_country(form):
    region = form.question("region")
    names = [c.name for c in visible_choices(form, region, {"country": "ml"})]
    assert names == ["bamako", "mopti", "gao", "timbuktu", "other_region"]


def test_walk_through_pages(form):
    answers: dict = {}
    clean, errors = validate_page(form, 0, {"consent": "yes"}, answers)
    assert errors == {}
    answers.update(clean)
    clean, errors = validate_page(form, 1, {
        "country": "ua", "region": "gao", "age_group": "25_34", "gender": "woman", "area": "city",
        "household_size": "45", "displaced": "yes", "displaced_since": "2999-01-01",
    }, answers, lang="fr")
    assert set(errors) == {"region", "household_size", "displaced_since"}
    assert errors["household_size"] == "Veuillez saisir un nombre entre 1 et 30."
    clean, errors = validate_page(form, 1, {
        "country": "ua", "region": "kyiv", "age_group": "25_34", "gender": "woman", "area": "city",
        "household_size": "4", "displaced": "yes", "displaced_since": "2022-03-01",
    }, answers)
    assert errors == {}
    answers.update(clean)
    _clean, errors = validate_page(form, 4, {"barriers": ["none", "care"]}, answers, lang="ar")
    assert errors["barriers"].startswith("لا يمكن")
    clean, errors = validate_page(form, 5, {"gbv_continue": "no", "gbv_known": "yes"}, answers)
    assert errors == {} and clean["gbv_known"] is None
