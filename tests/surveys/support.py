"""Surveys for the storage, respondent and export tests, imported through the real importer."""

from __future__ import annotations

import logging
import re

from consult.surveys import lifecycle
from consult.surveys.models import Survey
from tests.surveys.xlsforms import xlsform

#: Two languages (English, Arabic), three pages, skip logic, a constraint, a multiple choice, a note.
SURVEY = [
    ["type", "name", "label::English (en)", "label::العربية (ar)", "hint::English (en)", "hint::العربية (ar)",
     "required", "relevant", "constraint", "constraint_message::English (en)", "constraint_message::العربية (ar)",
     "weighting"],
    ["begin group", "about", "About you", "عنك", "", "", "", "", "", "", "", ""],
    ["select_one country", "country", "Country", "البلد", "", "", "yes", "", "", "", "", "yes"],
    ["integer", "age", "Age", "العمر", "In years", "بالسنوات", "yes", "", ". >= 15 and . <= 99",
     "Between 15 and 99", "بين 15 و 99", ""],
    ["end group", "", "", "", "", "", "", "", "", "", "", ""],
    ["begin group", "safety", "Safety", "الأمان", "", "", "", "", "", "", "", ""],
    ["select_one yes_no", "unsafe", "Do you feel unsafe?", "هل تشعرين بعدم الأمان؟", "", "", "yes", "", "", "",
     "", ""],
    ["select_multiple place", "places", "Where?", "أين؟", "", "", "", "${unsafe} = 'yes'", "", "", "", ""],
    ["text", "comment", "Anything else?", "شيء آخر؟", "", "", "", "", "", "", "", ""],
    ["end group", "", "", "", "", "", "", "", "", "", "", ""],
    ["begin group", "end", "End", "النهاية", "", "", "", "", "", "", "", ""],
    ["note", "bye", "Thank you", "شكرا", "", "", "", "", "", "", "", ""],
    ["decimal", "score", "Score", "النتيجة", "", "", "", "", "", "", "", ""],
    ["end group", "", "", "", "", "", "", "", "", "", "", ""],
]
CHOICES = [
    ["list_name", "name", "label::English (en)", "label::العربية (ar)"],
    ["country", "ua", "Ukraine", "أوكرانيا"],
    ["country", "sy", "Syria", "سوريا"],
    ["yes_no", "yes", "Yes", "نعم"],
    ["yes_no", "no", "No", "لا"],
    ["place", "home", "At home", "في المنزل"],
    ["place", "street", "In the street", "في الشارع"],
    ["place", "work", "At work", "في العمل"],
]
SETTINGS = [["form_title::English (en)", "form_title::العربية (ar)", "form_id", "version", "default_language"],
            ["Safety survey", "استبيان الأمان", "safety_survey", "1", "en"]]


def workbook() -> bytes:
    return xlsform(SURVEY, CHOICES, SETTINGS)


async def open_survey(**options) -> Survey:
    return await lifecycle.import_survey(workbook(), open_now=True, **options)


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


class Respondent:
    """A browser answering a survey through the real pages: like a browser, it goes where the last form sent it
    (``/page?v=<step>``, which the server may answer from what it kept of the response)."""

    def __init__(self, client, slug: str):
        self.client = client
        self.slug = slug
        self.location: str | None = None

    def _went(self, response):
        location = response.headers.get("location", "") if response.status_code == 303 else ""
        self.location = location if location.startswith(f"/s/{self.slug}/page") else None
        return response

    def start(self, lang: str = "en", **extra):
        return self._went(self.client.post_form(f"/s/{self.slug}/start", {"consent": "yes", "lang": lang, **extra}))

    def page(self):
        return self.client.get(self.location or f"/s/{self.slug}/page")

    def submit(self, answers: dict, action: str = "next", html: str | None = None, **extra):
        html = html if html is not None else self.page().text
        data = {"step": hidden(html, "step"), "page": hidden(html, "page"), "action": action, **extra}
        data.update({f"a:{k}": v for k, v in answers.items()})
        return self._went(self.client.post_form(f"/s/{self.slug}/page", data))


class _Counter(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record):
        message = record.getMessage().lstrip()
        if message.upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            self.statements.append(message)


def queries_of(call) -> list[str]:
    """The SQL statements run while ``call()`` is answered (it must succeed or redirect), as logged."""
    logger = logging.getLogger("tortoise.db_client")
    counter, level = _Counter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        response = call()
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)
    assert response.status_code in (200, 303), response.status_code
    return counter.statements


def count_queries(call) -> int:
    """How many SQL statements run while ``call()`` is answered."""
    return len(queries_of(call))
