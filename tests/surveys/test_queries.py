"""A survey page costs the same few queries however many questions it has (the form is cached per version)."""

from __future__ import annotations

import functools

from consult.surveys import lifecycle
from tests.surveys.support import Respondent, count_queries
from tests.surveys.xlsforms import xlsform


def _form(questions: int, form_id: str) -> bytes:
    survey = [["type", "name", "label", "required"], ["begin group", "p1", "Page", ""]]
    survey += [["select_one yes_no", f"q{i}", f"Question {i}", "yes"] for i in range(questions)]
    survey += [["end group", "", "", ""], ["begin group", "p2", "Page 2", ""], ["text", "t", "Text", ""],
               ["end group", "", "", ""]]
    return xlsform(survey, [["list_name", "name", "label"], ["yes_no", "yes", "Yes"], ["yes_no", "no", "No"]],
                   [["form_title", "form_id"], [form_id, form_id]])


def test_page_queries_do_not_grow_with_questions(client):
    counts = []
    for n, form_id in ((2, "small"), (30, "large")):
        survey = client.run(functools.partial(lifecycle.import_survey, _form(n, form_id), open_now=True))
        client.cookies.clear()
        who = Respondent(client, survey.slug)
        who.start()
        html = who.page().text
        shown = count_queries(who.page)
        sent = count_queries(lambda: who.submit({f"q{i}": "yes" for i in range(n)}, html=html))
        counts.append((shown, sent))
    assert counts[0] == counts[1]
    shown, sent = counts[0]
    assert shown <= 2 and sent <= 4, counts
