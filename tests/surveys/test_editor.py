"""The browser editor: pages, questions, choice lists, order; refusals save nothing; answered surveys get versions."""

from __future__ import annotations

import dataclasses
import html as htmllib

import pytest

from consult.surveys import store
from consult.surveys.demo_form import build_demo_xlsform
from consult.surveys.formcheck import check_form, form_workbook
from consult.surveys.models import Response, Survey, SurveyVersion
from consult.surveys.xlsform import import_xlsform
from tests.surveys.support import Respondent, hidden, open_survey, workbook
from tests.surveys.test_admin import sign_in


@pytest.fixture
def admin(client):
    sign_in(client, "admin")
    survey = client.run(open_survey)
    client.survey = survey
    return client


def current(client):
    async def get():
        survey = await Survey.get(id=client.survey.id)
        return await store.current_form(survey)
    return client.run(get)


def versions(client):
    async def get():
        return sorted(await SurveyVersion.filter(survey_id=client.survey.id).values_list("number", flat=True))
    return client.run(get)


def names(form):
    return [[q.name for q in page.questions] for page in form.pages]


def send(client, path, data, page=None):
    """POST ``data`` to an editor page with the version shown on it, as the browser would."""
    base = f"/admin/surveys/{client.survey.id}"
    shown = client.get(base + (page or path))
    assert shown.status_code == 200, shown.text
    return client.post_form(base + path, {"version": hidden(shown.text, "version"), **data})


def text(response):
    return htmllib.unescape(response.text)


QUESTION = {"type": "integer", "name": "children", "page": "about", "label::en": "Children", "label::ar": "الأطفال",
            "hint::en": "", "hint::ar": "", "relevant": "", "constraint": ". >= 0", "constraint_message::en": "",
            "constraint_message::ar": "", "required": "yes"}


# ------------------------------------------------------------------------------------------------ checker


def test_check_form_reads_back_what_the_importer_made():
    for data in (workbook(), build_demo_xlsform()):
        form = import_xlsform(data)
        assert check_form(form) == []
        assert import_xlsform(form_workbook(form)[0]) == form
    form = import_xlsform(workbook())
    age = dataclasses.replace(form.question("age"), relevant="${score} > 1", label={"en": "Age"})
    pages = list(form.pages)
    pages[0] = dataclasses.replace(pages[0], questions=(pages[0].questions[0], age))
    problems = check_form(dataclasses.replace(form, pages=tuple(pages)))
    messages = " | ".join(str(p) for p in problems)
    assert "Question age" in messages and "later page" in messages and "(ar)" in messages


# -------------------------------------------------------------------------------------------------- pages


def test_pages_need_an_administrator(client):
    sign_in(client, "analyst")
    survey = client.run(open_survey)
    listing = client.get("/admin/surveys")
    assert listing.status_code == 200 and 'href="/admin/surveys">' in listing.text  # the nav link
    for path in ("structure", "choices", "questions/age", "pages/about", "add-question"):
        assert client.get(f"/admin/surveys/{survey.id}/{path}").status_code == 403
    assert client.post_form(f"/admin/surveys/{survey.id}/structure", {"action": "page-up:safety"}).status_code == 403


def test_pages_add_rename_reorder_remove(admin):
    page = admin.get(f"/admin/surveys/{admin.survey.id}/structure")
    assert page.status_code == 200 and "About you" in page.text and "Move page down" in page.text
    added = send(admin, "/structure", {"action": "page-add", "page_name": "extra", "page_label::en": "More",
                                       "page_label::ar": "المزيد"})
    assert added.status_code == 303
    form = current(admin)[1]
    assert [p.name for p in form.pages] == ["about", "safety", "end", "extra"] and versions(admin) == [1]
    # Refused: a name taken, a title in one language only; the typed title is kept, nothing saved.
    taken = send(admin, "/structure", {"action": "page-add", "page_name": "age", "page_label::en": "X"})
    assert taken.status_code == 400 and "already used" in text(taken)
    half = send(admin, "/structure", {"action": "page-add", "page_name": "half", "page_label::en": "Half typed",
                                      "page_label::ar": ""})
    assert half.status_code == 400 and 'value="Half typed"' in half.text and "missing in" in text(half)
    assert len(current(admin)[1].pages) == 4
    renamed = send(admin, "/pages/extra", {"label::en": "Further", "label::ar": "أكثر"})
    assert renamed.status_code == 303 and current(admin)[1].pages[3].label == {"en": "Further", "ar": "أكثر"}
    assert send(admin, "/pages/extra", {"label::en": "Only English", "label::ar": ""}).status_code == 400
    # Move a question there, then the page up; a non-empty page cannot be removed.
    assert send(admin, "/structure", {"action": "question-to:comment", "to::comment": "extra"}).status_code == 303
    assert send(admin, "/structure", {"action": "page-up:extra"}).status_code == 303
    form = current(admin)[1]
    assert names(form) == [["country", "age"], ["unsafe", "places"], ["comment"], ["bye", "score"]]
    refused = send(admin, "/structure", {"action": "page-remove:extra"})
    assert refused.status_code == 400 and "Only an empty page" in refused.text
    assert send(admin, "/structure", {"action": "question-to:comment", "to::comment": "safety"}).status_code == 303
    assert send(admin, "/structure", {"action": "page-remove:extra"}).status_code == 303
    assert [p.name for p in current(admin)[1].pages] == ["about", "safety", "end"]
    # The edge and unknown names are refused with a message, never a 500.
    assert send(admin, "/structure", {"action": "page-up:about"}).status_code == 400
    assert send(admin, "/structure", {"action": "page-up:nope"}).status_code == 400
    assert send(admin, "/structure", {"action": "explode"}).status_code == 400
    assert admin.get(f"/admin/surveys/{admin.survey.id}/pages/nope").status_code == 404


# ---------------------------------------------------------------------------------------------- questions


def test_question_order_shows_on_the_respondent_pages(admin):
    assert send(admin, "/structure", {"action": "question-up:age"}).status_code == 303
    assert send(admin, "/structure", {"action": "page-down:about"}).status_code == 303
    assert names(current(admin)[1])[:2] == [["unsafe", "places", "comment"], ["age", "country"]]
    assert send(admin, "/structure", {"action": "question-down:country"}).status_code == 400
    who = Respondent(admin, admin.survey.slug)
    who.start()
    first = who.page().text
    assert "Do you feel unsafe?" in first and "Country" not in first
    second = who.submit({"unsafe": "no"})
    assert second.status_code == 303
    page = who.page().text
    assert page.index("Age") < page.index("Country")


def test_add_edit_and_remove_questions(admin):
    added = send(admin, "/add-question", QUESTION, page="/add-question?page=about")
    assert added.status_code == 303, text(added)
    form = current(admin)[1]
    assert names(form)[0] == ["country", "age", "children"]
    children = form.question("children")
    assert children.required is True and children.constraint == ". >= 0" and children.label["ar"] == "الأطفال"
    # A select needs a list; a range its parameters; a missing translation is refused, typed text kept.
    select = send(admin, "/add-question", {**QUESTION, "name": "pick", "type": "select_one", "choice_list": ""},
                  page="/add-question")
    assert select.status_code == 400 and "choice list" in select.text
    rng = send(admin, "/add-question", {**QUESTION, "name": "scale", "type": "range", "constraint": "",
                                        "start": "1", "end": "5", "step": "3"}, page="/add-question")
    assert rng.status_code == 400 and "step must divide" in rng.text
    assert send(admin, "/add-question", {**QUESTION, "name": "scale", "type": "range", "constraint": "",
                                         "start": "x"}, page="/add-question").status_code == 400
    good_range = send(admin, "/add-question", {**QUESTION, "name": "scale", "type": "range", "constraint": "",
                                               "start": "1", "end": "5", "step": "1"}, page="/add-question")
    assert good_range.status_code == 303 and current(admin)[1].question("scale").parameters.values() == (1, 2, 3, 4, 5)
    half = send(admin, "/add-question", {**QUESTION, "name": "pets", "label::ar": "", "label::en": "Pets typed"},
                page="/add-question")
    assert half.status_code == 400 and "Pets typed" in half.text and "Question pets" in text(half)
    duplicate = send(admin, "/add-question", {**QUESTION, "name": "age"}, page="/add-question")
    assert duplicate.status_code == 400 and "already used" in duplicate.text
    bad_name = send(admin, "/add-question", {**QUESTION, "name": "2 words"}, page="/add-question")
    assert bad_name.status_code == 400
    # Skip logic and its messages, checked like an upload.
    base = {k: v for k, v in QUESTION.items() if k not in ("name", "page")}
    edit = "/questions/children"
    for relevant, expected in (("${nope} = 1", "does not name a question"), ("${score} > 1", "later page"),
                               ("${age} >", ""), ("${bye} = 1", "is a note"), ("age > 3", "Unknown name")):
        refused = send(admin, edit, {**base, "relevant": relevant})
        assert refused.status_code == 400 and expected in text(refused), (relevant, text(refused))
        assert f'value="{htmllib.escape(relevant)}"' in refused.text or relevant in text(refused)
    half_message = send(admin, edit, {**base, "constraint_message::en": "Zero or more"})
    assert half_message.status_code == 400 and "missing in" in text(half_message)
    ok = send(admin, edit, {**base, "relevant": "${age} >= 18", "constraint_message::en": "Zero or more",
                            "constraint_message::ar": "صفر أو أكثر"})
    assert ok.status_code == 303
    children = current(admin)[1].question("children")
    assert children.relevant == "${age} >= 18" and children.constraint_message["ar"] == "صفر أو أكثر"
    # A cycle: age shown only if children, children only if age.
    age = {**base, "label::en": "Age", "label::ar": "العمر", "relevant": "${children} > 0", "constraint": ""}
    cycle = send(admin, "/questions/age", age)
    assert cycle.status_code == 400 and "Circular reference" in text(cycle)
    # Removing a question others refer to is refused; removing a free one works.
    used = send(admin, "/structure", {"action": "question-remove:age"})
    assert used.status_code == 400 and "does not name a question" in text(used)
    assert send(admin, "/structure", {"action": "question-remove:children"}).status_code == 303
    assert "children" not in names(current(admin)[1])[0]
    assert admin.get(f"/admin/surveys/{admin.survey.id}/questions/nope").status_code == 404
    assert versions(admin) == [1]


# ------------------------------------------------------------------------------------------------ choices


def test_choice_lists(admin):
    page = admin.get(f"/admin/surveys/{admin.survey.id}/choices")
    assert page.status_code == 200 and "In the street" in page.text and "في الشارع" in page.text
    labels = {"c0::en": "Home", "c0::ar": "في المنزل", "c1::en": "Street", "c1::ar": "في الشارع",
              "c2::en": "Work", "c2::ar": "في العمل"}
    saved = send(admin, "/choices", {"list": "place", "action": "save", **labels})
    assert saved.status_code == 303
    assert [c.label["en"] for c in current(admin)[1].choice_lists["place"]] == ["Home", "Street", "Work"]
    assert send(admin, "/choices", {"list": "place", "action": "down:0"}).status_code == 303
    assert send(admin, "/choices", {"list": "place", "action": "add", "new_name": "online",
                                    "new_label::en": "Online", "new_label::ar": "عبر الإنترنت"}).status_code == 303
    assert send(admin, "/choices", {"list": "place", "action": "remove:2"}).status_code == 303
    assert [c.name for c in current(admin)[1].choice_lists["place"]] == ["street", "home", "online"]
    # Refused: a label missing in Arabic (typed English kept), a duplicate, the last choice, a spaced name.
    half = send(admin, "/choices", {"list": "place", "action": "save", "c0::en": "Street typed", "c0::ar": ""})
    assert half.status_code == 400 and 'value="Street typed"' in half.text and "missing in" in text(half)
    assert send(admin, "/choices", {"list": "place", "action": "add", "new_name": "home", "new_label::en": "H",
                                    "new_label::ar": "H"}).status_code == 400
    assert send(admin, "/choices", {"list": "place", "action": "add", "new_name": "two words",
                                    "new_label::en": "H", "new_label::ar": "H"}).status_code == 400
    assert send(admin, "/choices", {"list": "nope", "action": "save"}).status_code == 400
    assert send(admin, "/choices", {"list": "place", "action": "up:99"}).status_code == 400
    added = send(admin, "/choices", {"action": "add-list", "list_name": "agree", "choice_name": "yes",
                                     "choice_label::en": "Agree", "choice_label::ar": "أوافق"})
    assert added.status_code == 303 and "agree" in current(admin)[1].choice_lists
    assert send(admin, "/choices", {"list": "agree", "action": "remove:0"}).status_code == 400
    assert versions(admin) == [1]
    # The respondent sees the new order.
    who = Respondent(admin, admin.survey.slug)
    who.start()
    who.submit({"country": "ua", "age": "30"})
    who.submit({"unsafe": "yes"})  # reveals the places question on the same page
    page = who.page().text
    assert page.index("Street") < page.index("Home") < page.index("Online")


# ------------------------------------------------------------------------------------------------ versions


def test_a_survey_with_responses_gets_a_new_version(admin):
    who = Respondent(admin, admin.survey.slug)
    who.start()
    who.submit({"country": "ua", "age": "30"})
    assert send(admin, "/structure", {"action": "question-up:places"}).status_code == 303
    assert versions(admin) == [1, 2]
    assert send(admin, "/structure", {"action": "question-up:comment"}).status_code == 303
    assert versions(admin) == [1, 2]  # version 2 has no responses yet: changed in place

    async def response_versions():
        return await Response.filter(survey_id=admin.survey.id).values_list("version__number", flat=True)

    assert admin.run(response_versions) == [1]
    old = who.page().text  # her response keeps its version: places after unsafe
    assert old.index("Do you feel unsafe?") < old.index("Anything else?")
    admin.cookies.delete(f"r{admin.survey.id}")  # another respondent
    sign_in_again = Respondent(admin, admin.survey.slug)
    sign_in_again.start()
    sign_in_again.submit({"country": "sy", "age": "40"})
    new = sign_in_again.page().text
    assert new.index("Anything else?") < new.index("Do you feel unsafe?")
    assert sorted(admin.run(response_versions)) == [1, 2]


def test_a_stale_page_is_refused(admin):
    base = f"/admin/surveys/{admin.survey.id}"
    shown = admin.get(base + "/structure").text
    stale = hidden(shown, "version")
    assert admin.post_form(base + "/structure", {"version": stale, "action": "question-up:age"}).status_code == 303
    again = admin.post_form(base + "/structure", {"version": stale, "action": "question-up:age"})
    assert again.status_code == 409 and "changed since" in text(again)
    assert names(current(admin)[1])[0] == ["age", "country"]
    assert admin.post_form(base + "/choices", {"version": stale, "list": "place", "action": "up:1"}).status_code == 409
    # A question form sent from an old page: refused, what was typed is shown again, ready for the new version.
    typed = {"version": stale, "type": "integer", "label::en": "Age typed", "label::ar": "العمر"}
    refused = admin.post_form(base + "/questions/age", typed)
    assert refused.status_code == 409 and "Age typed" in refused.text
    again = admin.post_form(base + "/questions/age", {**typed, "version": hidden(refused.text, "version")})
    assert again.status_code == 303 and current(admin)[1].question("age").label["en"] == "Age typed"


def test_refusals_change_nothing_and_odd_text_is_kept_as_text(admin):
    before = current(admin)
    refusals = [
        ("/structure", {"action": "question-remove:unsafe"}, None),  # places refers to it
        ("/structure", {"action": "question-to:age", "to::age": "nope"}, None),
        ("/questions/age", {"type": "integer", "label::en": "Age", "label::ar": "العمر", "constraint": ". >"}, None),
        ("/questions/age", {"type": "select_one", "choice_list": "nope", "label::en": "A", "label::ar": "B"}, None),
        ("/questions/age", {"type": "note", "required": "yes", "label::en": "A", "label::ar": "B"}, None),
        ("/choices", {"list": "place", "action": "add", "new_name": "", "new_label::en": "X"}, None),
    ]
    for path, data, page in refusals:
        response = send(admin, path, data, page)
        assert response.status_code == 400, (path, data)
        assert 'role="alert"' in response.text
    after = current(admin)
    assert after[0].id == before[0].id and after[1].to_dict() == before[1].to_dict() and versions(admin) == [1]
    # A label that looks like a spreadsheet formula stays text; control characters are dropped.
    odd = send(admin, "/questions/age", {"type": "integer", "label::en": "=1+1\x07", "label::ar": "=SUM(A1)",
                                         "required": "yes", "constraint": ". >= 15 and . <= 99",
                                         "constraint_message::en": "15-99", "constraint_message::ar": "15-99"})
    assert odd.status_code == 303
    assert current(admin)[1].question("age").label == {"en": "=1+1", "ar": "=SUM(A1)"}


def test_export_after_edits_keeps_each_response_version(admin):
    first = Respondent(admin, admin.survey.slug)
    first.start()
    first.submit({"country": "ua", "age": "30"})
    assert send(admin, "/structure", {"action": "question-up:age"}).status_code == 303
    admin.cookies.delete(f"r{admin.survey.id}")  # another respondent, same browser otherwise
    second = Respondent(admin, admin.survey.slug)
    second.start()
    second.submit({"age": "41", "country": "sy"})
    exported = admin.get(f"/admin/surveys/{admin.survey.id}/export?format=csv")
    assert exported.status_code == 200
    lines = exported.content.decode("utf-8-sig").splitlines()
    header = lines[0].split(",")
    version_column = header.index("_version")
    assert sorted(line.split(",")[version_column] for line in lines[1:]) == ["1", "2"]
