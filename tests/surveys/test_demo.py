"""The demo's synthetic responses obey the form: every page they submitted validates, skip logic included."""

from __future__ import annotations

import random

from consult.surveys.demo import _form, synthetic_response
from consult.surveys.validation import is_relevant, validate_page
from consult.surveys.xlsform import import_xlsform


def test_synthetic_responses_respect_skip_logic_and_constraints():
    form = import_xlsform(_form())
    rng = random.Random(1)
    finished = 0
    for _ in range(60):
        answers, pages, complete = synthetic_response(rng, form)
        finished += complete
        for name, value in answers.items():
            if value is not None:
                assert is_relevant(form, name, answers), name
        for page in form.pages:
            if page.name not in pages:
                continue
            raw = {q.name: (answers.get(q.name) if isinstance(answers.get(q.name), list)
                            else (None if answers.get(q.name) is None else str(answers.get(q.name))))
                   for q in page.questions}
            clean, errors = validate_page(form, page, raw, answers, lang="en")
            assert errors == {}, (page.name, errors)
            assert {k: v for k, v in clean.items()} == {q.name: answers.get(q.name) for q in page.questions
                                                        if q.is_answered}
    assert 40 <= finished < 60
