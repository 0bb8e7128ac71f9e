"""Demo data: the multilingual WPS perception survey, open, with a few thousand synthetic responses.

Loaded once (``consult demo``): when the survey is already there, nothing is added. Responses are generated
page by page with the form's own skip logic (a question is answered only when it would have been shown), so
exports and analyses of the demo look like real data: mostly complete, some abandoned on the way, spread over
the last thirty days, in the five languages, with answers that differ by country and area.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

from tortoise.transactions import in_transaction

from consult.settings import Settings
from consult.surveys import lifecycle
from consult.surveys.form import FormDefinition, Question
from consult.surveys.margins import replace_margins
from consult.surveys.models import PageSubmission, Response, Survey
from consult.surveys.responding import CODE_ALPHABET, CODE_LENGTH
from consult.surveys.validation import is_page_shown, is_relevant, relevant_answers, visible_choices

RESPONSES = 3000
#: Categories that are not population groups (no margin for them).
_NOT_GROUPS = {"prefer_not", "dont_know", "other_region"}
_EXCLUSIVE = {"none", "prefer_not", "dont_know"}
_LANGUAGE_BY_COUNTRY = {"ua": ("uk", "en"), "iq": ("ar", "en"), "af": ("fa", "en"), "co": ("en", "fr"),
                        "ml": ("fr", "ar")}
_COMMENTS = ("More women should sit at the table.", "Plus d'éclairage dans les rues, s'il vous plaît.",
             "Потрібно більше укриттів.", "نحتاج إلى مراكز آمنة للنساء.", "آموزش برای دختران مهم است.")


def _form() -> bytes:
    try:
        from consult.surveys.demo_form import build_demo_xlsform
    except ImportError:  # the demo questionnaire module is missing: a tiny fallback keeps `consult demo` working
        return _fallback_xlsform()
    return build_demo_xlsform()


def _fallback_xlsform() -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    for row in (["type", "name", "label::English (en)", "label::Français (fr)", "weighting"],
                ["begin group", "about", "About you", "Vous", ""],
                ["select_one country", "country", "Country", "Pays", "yes"],
                ["range", "safe_night", "Safe at night (1-5)", "En sécurité la nuit (1-5)", ""],
                ["end group", "", "", "", ""]):
        survey.append(row)
    choices = book.create_sheet("choices")
    for row in (["list_name", "name", "label::English (en)", "label::Français (fr)"],
                ["country", "ua", "Ukraine", "Ukraine"], ["country", "ml", "Mali", "Mali"]):
        choices.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_title::English (en)", "form_title::Français (fr)", "form_id"])
    settings.append(["Perceptions", "Perceptions", "wps_perceptions"])
    survey["F1"] = "parameters"
    survey["F3"] = ""
    survey["F4"] = "start=1 end=5 step=1"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def load(settings: Settings) -> list[str]:
    from consult.surveys.xlsform import import_xlsform

    form = import_xlsform(_form())
    slug = form.form_id.replace("_", "-")
    if await Survey.filter(slug=slug).exists():
        return [f"demo survey already present: /s/{slug}"]
    survey = await lifecycle.create_survey(form, open_now=True)
    version = await _version(survey)
    count = await generate_responses(survey, version, form, RESPONSES)
    await replace_margins(survey, demo_margins(form))
    return [f"demo survey /s/{survey.slug} created with {count} synthetic responses"]


async def _version(survey: Survey):
    from consult.surveys.store import current_version

    return await current_version(survey)


def demo_margins(form: FormDefinition) -> list[tuple[str, str, float]]:
    rng = random.Random(7)
    out = []
    for question in form.weighting_questions():
        for choice in form.choices(question):
            if choice.name not in _NOT_GROUPS:
                out.append((question.name, choice.name, float(rng.randint(200, 5000) * 1000)))
    return out


def _value(rng: random.Random, form: FormDefinition, question: Question, answers: dict[str, Any],
           mood: float) -> Any:
    if question.type == "select_one":
        choices = [c.name for c in visible_choices(form, question, answers)]
        if not choices:
            return None
        if question.name in ("consent", "gbv_continue"):
            return "yes" if rng.random() < (0.97 if question.name == "consent" else 0.7) else "no"
        plain = [c for c in choices if c not in _EXCLUSIVE] or choices
        return rng.choice(choices) if rng.random() < 0.05 else rng.choice(plain)
    if question.type == "select_multiple":
        choices = [c.name for c in visible_choices(form, question, answers)]
        plain = [c for c in choices if c not in _EXCLUSIVE]
        if not plain or rng.random() < 0.1:
            exclusive = [c for c in choices if c in _EXCLUSIVE]
            return [rng.choice(exclusive)] if exclusive else None
        picked = set(rng.sample(plain, k=min(len(plain), rng.randint(1, 3))))
        return [c for c in choices if c in picked]
    if question.type == "range" and question.parameters is not None:
        values = question.parameters.values()
        # A respondent's general feeling of safety shifts every scale a little, as it does in real data.
        position = min(len(values) - 1, max(0, int(round(rng.gauss(mood, 1.0) * (len(values) - 1)))))
        return values[position]
    if question.type == "integer":
        return rng.randint(1, 12)
    if question.type == "decimal":
        return round(rng.uniform(0, 10), 1)
    if question.type == "date":
        return (dt.date(2014, 1, 1) + dt.timedelta(days=rng.randint(0, 3800))).isoformat()
    if question.type == "text":
        return rng.choice(_COMMENTS) if rng.random() < 0.15 else None
    return None


def synthetic_response(rng: random.Random, form: FormDefinition) -> tuple[dict[str, Any], list[str], bool]:
    """One respondent's answers, the pages she submitted, and whether she finished."""
    answers: dict[str, Any] = {}
    pages: list[str] = []
    mood = rng.betavariate(2.2, 2.0)
    quit_after = None if rng.random() < 0.85 else rng.randint(0, max(len(form.pages) - 2, 0))
    for index, page in enumerate(form.pages):
        if not is_page_shown(form, index, answers):
            continue
        for question in page.questions:
            if not question.is_answered or not is_relevant(form, question.name, answers):
                continue
            if question.required is not True and rng.random() < 0.06:
                continue
            if question.name == "country":
                mood_shift = {"ua": 0.0, "iq": -0.1, "af": -0.2, "co": 0.1, "ml": -0.1}
                value = _value(rng, form, question, answers, mood)
                mood = min(1.0, max(0.0, mood + mood_shift.get(value, 0.0)))
            else:
                value = _value(rng, form, question, answers, mood)
            answers[question.name] = value
        pages.append(page.name)
        if quit_after is not None and len(pages) > quit_after:
            return relevant_answers(form, answers), pages, False
    return relevant_answers(form, answers), pages, True


def _resume_page(form: FormDefinition, pages: list[str], complete: bool) -> int:
    """Where an abandoned response would resume: the page after the last one she submitted."""
    names = [p.name for p in form.pages]
    last = names.index(pages[-1]) if pages else -1
    return min(last + (0 if complete else 1), len(names) - 1)


async def generate_responses(survey: Survey, version, form: FormDefinition, count: int, seed: int = 2026) -> int:
    rng = random.Random(seed)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    codes: set[str] = set()
    responses: list[Response] = []
    pages_of: list[tuple[list[str], dt.datetime]] = []
    for n in range(count):
        answers, pages, complete = synthetic_response(rng, form)
        started = now - dt.timedelta(days=rng.random() * 30)
        finished = started + dt.timedelta(minutes=rng.uniform(4, 25))
        code = ""
        while not code or code in codes:
            code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        codes.add(code)
        country = answers.get("country")
        languages = _LANGUAGE_BY_COUNTRY.get(country or "", (form.default_language,))
        language = languages[0] if rng.random() < 0.8 else languages[-1]
        if language not in form.languages:
            language = form.default_language
        responses.append(Response(
            survey_id=survey.id, version_id=version.id,
            key_hash=hashlib.sha256(f"demo-{survey.id}-{n}-{rng.random()}".encode()).hexdigest(),
            resume_code=code, language=language, status="complete" if complete else "in_progress",
            page=_resume_page(form, pages, complete),
            step=len(pages), answers=answers, created_at=started, updated_at=finished,
            completed_at=finished if complete else None,
        ))
        pages_of.append((pages, started))
    async with in_transaction():
        await Response.bulk_create(responses, batch_size=500)
        ids = await Response.filter(survey_id=survey.id).order_by("id").values_list("id", flat=True)
        submissions = []
        for response_id, (pages, started) in zip(ids, pages_of):
            for step, page in enumerate(pages, start=1):
                submissions.append(PageSubmission(response_id=response_id, step=step, page=page,
                                                  created_at=started + dt.timedelta(minutes=step)))
        await PageSubmission.bulk_create(submissions, batch_size=2000)
    return count
