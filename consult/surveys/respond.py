"""The respondent's pages under ``/s/<slug>``: consent, one page per group, resume, thanks.

Everything is rendered on the server and works without JavaScript. Each page is shown in the response's
language (``<html lang dir>`` and the interface strings follow it), which the respondent picks on the first
page and may switch on any page without losing what she entered. A closed survey, a spent invitation or a
tampered field gets a translated page, never a 500, and nothing already saved is lost.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response as HTTPResponse
from starlette.routing import Route

from consult import i18n
from consult.middleware.cookies import request_cookies
from consult.i18n import gettext as _
from consult.surveys import response_cache, responding, resume_limits, store
from consult.surveys.form import FormDefinition
from consult.surveys.models import Response, ResponseStatus, Survey, SurveyStatus
from consult.surveys.responding import RespondError
from consult.surveys.page_shape import FIELD_PREFIX, cache_key, page_questions, page_shape
from consult.surveys.validation import check_page, revealed_questions
from consult.web import form_data, not_found, redirect, render, render_cached

COOKIE_MAX_AGE = 90 * 24 * 3600


def cookie_name(survey_id: int) -> str:
    # Neutral on purpose: a look at the browser's cookies should not reveal the topic.
    return f"r{survey_id}"


def ui_language(code: str) -> str:
    """The interface language for a survey language (English when the platform has no translation for it)."""
    return code if code in i18n.SUPPORTED else i18n.DEFAULT


def page_locale(code: str) -> i18n.LocaleInfo:
    """``lang``/``dir`` of the page: the survey's language itself when Babel knows it."""
    try:
        return i18n.locale_info(code)
    except Exception:  # an unusual code in a hand-made form: lay the page out as the interface language
        return i18n.locale_info(ui_language(code))


def survey_languages(form: FormDefinition, current: str) -> list[dict[str, Any]]:
    out = []
    for code in form.languages:
        info = page_locale(code)
        name = form.language_names.get(code) or info.native_name
        out.append({"code": code, "name": name, "direction": info.direction, "current": code == current})
    return out


def _page_context(survey: Survey, form: FormDefinition, lang: str, context: dict[str, Any]) -> dict[str, Any]:
    """What every respondent page shows, with ``context`` (the page's own) on top."""
    return {
        "respondent_page": True,
        "discreet": survey.discreet,
        "locale": page_locale(lang),
        "language_choices": [],
        "page_title": "" if survey.discreet else form.title_in(lang),
        "survey": survey,
        "form": form,
        "lang": lang,
        "survey_title": form.title_in(lang),
        "languages": survey_languages(form, lang),
        "base": f"/s/{survey.slug}",
        **context,
    }


def _render(request: Request, survey: Survey, form: FormDefinition, lang: str, template: str,
            context: dict[str, Any], status_code: int = 200) -> HTTPResponse:
    with i18n.using_locale(ui_language(lang)):
        return render(request, template, _page_context(survey, form, lang, context), status_code=status_code)


def _chosen_language(request: Request, form: FormDefinition, value: str | None = None) -> str:
    code = value or request.query_params.get("lang")
    if code in form.languages:
        return code  # type: ignore[return-value]
    ui = i18n.current_code()
    return ui if ui in form.languages else form.default_language


async def _survey_or_404(request: Request) -> Survey:
    survey = await store.survey_by_slug(request.path_params["slug"])
    if survey is None or survey.status == SurveyStatus.DRAFT.value:
        raise not_found()
    return survey


async def _own_response(request: Request, survey: Survey) -> Response | None:
    response = await responding.response_for_cookie(request_cookies(request.scope).get(cookie_name(survey.id)))
    if response is None or response.survey_id != survey.id:
        return None
    return response


async def _survey_and_response(request: Request, at_step: int | None = None,
                               kept: bool = True) -> tuple[Survey, Response | None]:
    """The survey of the path and the respondent's response to it, in one query when the browser sends one
    response cookie (the usual case: each is scoped to its survey's path); as two lookups otherwise.

    With ``at_step`` (the step the request says her response is at), in no query when this process kept her
    response at that step (:mod:`consult.surveys.response_cache`); otherwise, reading her response alone when this
    process keeps the survey. ``kept=False`` reads both from the database, whatever this process keeps."""
    slug = request.path_params["slug"]
    candidates = [(name, value) for name, value in request_cookies(request.scope).items()
                  if name[:1] == "r" and name[1:].isdigit()]
    looked_up: str | None = None
    if len(candidates) == 1:
        looked_up, secret = candidates[0]
        response = await responding.response_for_cookie(secret, at_step,
                                                        survey_id=int(looked_up[1:]) if kept else None)
        if response is not None and response.survey.slug == slug and looked_up == cookie_name(response.survey_id):
            survey = response.survey
            if survey.status == SurveyStatus.DRAFT.value:
                raise not_found()
            return survey, response
        if response is not None:
            looked_up = None  # another survey's response: look again below, as for no cookie
    survey = await _survey_or_404(request)
    if looked_up == cookie_name(survey.id):  # this survey's cookie, already found to name no response
        return survey, None
    return survey, await _own_response(request, survey)


def _with_cookie(response: HTTPResponse, request: Request, survey: Survey, secret: str) -> HTTPResponse:
    response.set_cookie(cookie_name(survey.id), secret, max_age=COOKIE_MAX_AGE, httponly=True, samesite="lax",
                        secure=request.app.state.settings.https, path=f"/s/{survey.slug}")
    return response


def _consent_text(survey: Survey, form: FormDefinition, lang: str) -> str:
    consent = survey.consent or {}
    text = form.text(consent, lang) if consent else ""
    if text:
        return text
    with i18n.using_locale(ui_language(lang)):
        return _("Taking part is voluntary. Your answers are anonymous: we do not record your name, your "
                 "address or anything about your device. You may stop at any time and skip any question "
                 "that is not marked as required.")


# ---------------------------------------------------------------------------------------------- views


async def start(request: Request) -> HTTPResponse:
    """The first page: language, consent, and resuming with a code."""
    survey = await _survey_or_404(request)
    version, form = await store.current_form(survey)
    token = request.query_params.get("t") or None
    mine = await _own_response(request, survey)
    if mine is not None and not request.query_params.get("new"):
        if mine.status == ResponseStatus.COMPLETE.value:
            return redirect(f"/s/{survey.slug}/done")
        if responding.can_answer(survey):
            return redirect(f"/s/{survey.slug}/page")
    lang = _chosen_language(request, form)
    problem = None
    if not responding.can_answer(survey):
        problem = _closed_text(lang)
    elif token is not None or survey.access == "invitation":
        with i18n.using_locale(ui_language(lang)):  # the message in the survey's language
            try:
                await responding.check_invitation(survey, token)
            except RespondError as error:
                problem = str(error)
    context = {"consent_text": _consent_text(survey, form, lang), "token": token or "", "problem": problem,
               "code_error": None}
    if problem is not None or token:
        return _render(request, survey, form, lang, "surveys/start.html", context)
    # Every respondent's first page, the same for all but the CSRF token.
    key = (survey.id, survey.slug, survey.discreet, version.id, lang, context["consent_text"])
    with i18n.using_locale(ui_language(lang)):
        return render_cached(request, "surveys/start.html", _page_context(survey, form, lang, context), key=key)


def _closed_text(lang: str) -> str:
    with i18n.using_locale(ui_language(lang)):
        return _("This questionnaire is closed. Thank you for your interest.")


async def begin(request: Request) -> HTTPResponse:
    """The consent form's answer: decline politely, or start a response and set the resume cookie."""
    survey = await _survey_or_404(request)
    version, form = await store.current_form(survey)
    data = await form_data(request)
    lang = _chosen_language(request, form, str(data.get("lang") or ""))
    token = str(data.get("token") or "") or None
    if data.get("consent") != "yes":
        return _render(request, survey, form, lang, "surveys/declined.html", {})
    with i18n.using_locale(ui_language(lang)):
        try:
            response, secret = await responding.start_response(survey, version, form, lang, token)
        except RespondError as error:
            return _render(request, survey, form, lang, "surveys/start.html", {
                "consent_text": _consent_text(survey, form, lang), "token": token or "",
                "problem": str(error), "code_error": None,
            }, status_code=409 if responding.can_answer(survey) else 410)
    return _with_cookie(redirect(_page_url(survey, response.step)), request, survey, secret)


def _page_url(survey: Survey, step: int | None = None, more: bool = False) -> str:
    """Where a respondent goes next; ``v``, the step her response is at, lets this process answer from what it
    kept of her response (:mod:`consult.surveys.response_cache`)."""
    query = []
    if more:
        query.append("more=1")
    if step is not None:
        query.append(f"v={step}")
    return f"/s/{survey.slug}/page" + ("?" + "&".join(query) if query else "")


def _query(request: Request) -> dict[str, str]:
    """The query string as a plain dict (a respondent page's is ``v=<step>``, at most with ``more=1``): cheaper
    than Starlette's multi-dict, and nothing when there is none."""
    raw = request.scope.get("query_string")
    return dict(parse_qsl(raw.decode("latin-1"))) if raw else {}


async def resume(request: Request) -> HTTPResponse:
    """Continue on this device with the short code shown on another."""
    survey = await _survey_or_404(request)
    version, form = await store.current_form(survey)
    data = await form_data(request)
    lang = _chosen_language(request, form, str(data.get("lang") or ""))
    code = str(data.get("code") or "")
    if resume_limits.blocked(request, survey.id, code):
        with i18n.using_locale(ui_language(lang)):
            message = _("Too many wrong codes were tried. Wait a quarter of an hour, then try again.")
        refused = _render(request, survey, form, lang, "surveys/start.html", {
            "consent_text": _consent_text(survey, form, lang), "token": "", "problem": None, "code_error": message,
        }, status_code=429)
        refused.headers["retry-after"] = str(resume_limits.retry_after())
        return refused
    found = await responding.resume_with_code(survey, code)
    if found is None:
        resume_limits.failed(request, survey.id, code)
        with i18n.using_locale(ui_language(lang)):
            message = _("No questionnaire in progress has this code. Check the letters and digits and try again.")
        return _render(request, survey, form, lang, "surveys/start.html", {
            "consent_text": _consent_text(survey, form, lang), "token": "",
            "problem": None if responding.can_answer(survey) else _closed_text(lang), "code_error": message,
        }, status_code=404)
    response, secret = found
    if response.status == ResponseStatus.COMPLETE.value:
        return _with_cookie(redirect(f"/s/{survey.slug}/done"), request, survey, secret)
    return _with_cookie(redirect(_page_url(survey, response.step)), request, survey, secret)


async def show_page(request: Request) -> HTTPResponse:
    query = _query(request)
    survey, response = await _survey_and_response(request, _int(query.get("v")))
    if response is None:
        return redirect(f"/s/{survey.slug}")
    if response.status == ResponseStatus.COMPLETE.value:
        return redirect(f"/s/{survey.slug}/done")
    form = await store.form_of_version(response.version_id)
    if not responding.can_answer(survey):
        return _render(request, survey, form, response.language, "surveys/closed.html", {})
    index = min(max(response.page, 0), len(form.pages) - 1)
    if query.get("more"):
        with i18n.using_locale(ui_language(response.language)):
            notice = _("Your answers opened further questions on this page. Please answer them, then go on.")
        request.scope.setdefault("state", {}).setdefault("template_context", {})["messages"] = [
            {"kind": "info", "text": notice}]
    return _page(request, survey, form, response, index, {}, None)


def _display_values(form: FormDefinition, index: int, answers: dict[str, Any]) -> dict[str, Any]:
    """Stored answers as the inputs show them: a string, or a list of strings for a multiple choice."""
    out: dict[str, Any] = {}
    for question in form.pages[index].questions:
        value = answers.get(question.name)
        if value is None:
            continue
        out[question.name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return out


def _page(request: Request, survey: Survey, form: FormDefinition, response: Response, index: int,
          errors: dict[str, str], raw: dict[str, Any] | None, status_code: int = 200) -> HTTPResponse:
    lang = response.language
    answers = response.answers or {}
    own = {"step": response.step, "resume_code": responding.format_code(response.resume_code)}
    shape = None if errors or raw is not None or status_code != 200 else page_shape(form, index, lang, answers)
    if shape is not None:
        context, key = shape.context, shape.key
    else:
        values = raw if raw is not None else _display_values(form, index, answers)
        context, shows_answers = page_questions(form, index, lang, answers, values, errors)
        # The page cache never holds an answer: a page showing one (a page she comes back to, a label naming an
        # earlier answer) is rendered for her alone, and nothing of hers outlives the request in memory.
        if errors or status_code != 200 or shows_answers:
            return _render(request, survey, form, lang, "surveys/page.html", {**context, **own},
                           status_code=status_code)
        key = cache_key(context)
    # Everything the page shows but the respondent's own values: the same page for everyone at this point.
    key = (survey.id, survey.slug, survey.discreet, response.version_id, lang, *key)
    with i18n.using_locale(ui_language(lang)):
        return render_cached(request, "surveys/page.html", lambda: _page_context(survey, form, lang, context),
                             key=key, slots=own)


def _raw_inputs(form: FormDefinition, index: int, data) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for question in form.pages[index].questions:
        key = FIELD_PREFIX + question.name
        if question.type == "select_multiple":
            raw[question.name] = [v for v in data.getlist(key) if isinstance(v, str)]
        else:
            value = data.get(key)
            raw[question.name] = value if isinstance(value, str) else None
    return raw


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


async def submit_page(request: Request) -> HTTPResponse:
    """Save a page (once, whatever the number of copies sent) and show the next one."""
    data = await form_data(request)
    return await _submit(request, data, trust_kept=True)


async def _submit(request: Request, data, trust_kept: bool) -> HTTPResponse:
    index, step = _int(data.get("page")), _int(data.get("step"))
    survey, response = await _survey_and_response(request, step if trust_kept else None, kept=trust_kept)
    if response is None:
        return redirect(f"/s/{survey.slug}")
    form = await store.form_of_version(response.version_id)
    if response.status == ResponseStatus.COMPLETE.value:
        return redirect(f"/s/{survey.slug}/done")
    if not responding.can_answer(survey):
        return _render(request, survey, form, response.language, "surveys/closed.html", {}, status_code=410)
    if index is None or step is None or not 0 <= index < len(form.pages) or step < 0 or step > response.step:
        # A tampered or damaged form: show the page the response is really on, with what is saved.
        with i18n.using_locale(ui_language(response.language)):
            message = _("The page could not be read. Here is your questionnaire where you left it; nothing "
                        "saved was lost.")
        return _tampered(request, survey, form, response, message)
    if step == response.step and index != response.page:
        with i18n.using_locale(ui_language(response.language)):
            message = _("The page could not be read. Here is your questionnaire where you left it; nothing "
                        "saved was lost.")
        return _tampered(request, survey, form, response, message)
    lang = response.language
    switch = data.get("lang")
    if isinstance(switch, str) and switch in form.languages:
        move, new_lang = "stay", switch
    else:
        move = "back" if data.get("action") == "back" else "next"
        new_lang = None
    raw = _raw_inputs(form, index, data)
    stored = response.answers if response.answers is not None else {}  # the very dict save_page is given
    with i18n.using_locale(ui_language(new_lang or lang)):
        check = check_page(form, index, raw, stored, lang=new_lang or lang, saved=True)
    clean, errors = check.clean, check.errors
    if move == "next" and errors:  # (a language switch is never "next": it keeps what it can, below)
        return _page(request, survey, form, response, index, errors, raw, status_code=422)
    if errors:  # Back or a language switch keeps what is valid and does not insist on the rest
        clean = {k: v for k, v in clean.items() if k not in errors}
    more = False
    if move == "next" and step == response.step and revealed_questions(form, index, stored, clean, saved=True,
                                                                       check=check):
        # An answer opened a question on this same page, which the respondent has not seen yet (no scripts).
        move, more = "stay", True
    saved = await responding.save_page(response, form, index, step, clean, move=move, language=new_lang,
                                       survey=survey, check=check)
    if not saved.applied and response_cache.was_recalled(response):
        # What this process kept no longer holds (another server moved her on, the survey closed…): nothing was
        # written; go again from the database, which may still apply a stale page's changes to where she is.
        return await _submit(request, data, trust_kept=False)
    if saved.complete:
        return redirect(f"/s/{survey.slug}/done")
    return redirect(_page_url(survey, response.step if saved.applied else None, more))


def _tampered(request: Request, survey: Survey, form: FormDefinition, response: Response,
              message: str) -> HTTPResponse:
    index = min(max(response.page, 0), len(form.pages) - 1)
    return _page_with_notice(request, survey, form, response, index, message)


def _page_with_notice(request: Request, survey: Survey, form: FormDefinition, response: Response, index: int,
                      message: str) -> HTTPResponse:
    request.scope.setdefault("state", {}).setdefault("template_context", {})["messages"] = [
        {"kind": "error", "text": message}]
    return _page(request, survey, form, response, index, {}, None, status_code=400)


async def done(request: Request) -> HTTPResponse:
    survey = await _survey_or_404(request)
    response = await _own_response(request, survey)
    version, form = await store.current_form(survey)
    lang = response.language if response is not None else _chosen_language(request, form)
    return _render(request, survey, form, lang, "surveys/done.html", {
        "complete": response is not None and response.status == ResponseStatus.COMPLETE.value,
        "has_response": response is not None,
    })


async def withdraw(request: Request) -> HTTPResponse:
    """Her answers deleted at her request, from the device that holds her cookie: asked on GET, done on POST.

    The row goes, with its page submissions (an invitation keeps only that it was used); the cookie is cleared.
    Results already published or exported are not changed. A respondent at risk may want nothing she wrote kept.
    """
    survey, response = await _survey_and_response(request, kept=False)
    form = await store.form_of_version(response.version_id) if response is not None else (
        await store.current_form(survey))[1]
    lang = response.language if response is not None else _chosen_language(request, form)
    if request.method in ("GET", "HEAD"):
        return _render(request, survey, form, lang, "surveys/withdraw.html", {"has_response": response is not None})
    if response is not None:
        await responding.erase_response(response)
    out = _render(request, survey, form, lang, "surveys/withdrawn.html", {"erased": response is not None})
    out.delete_cookie(cookie_name(survey.id), path=f"/s/{survey.slug}", httponly=True, samesite="lax",
                      secure=request.app.state.settings.https)
    return out


# Tried in order, each a regular expression: a page and its submission, most of a respondent's requests, first.
routes = [
    Route("/s/{slug}/page", submit_page, methods=["POST"]),
    Route("/s/{slug}/page", show_page, methods=["GET", "HEAD"]),
    Route("/s/{slug}", start, methods=["GET", "HEAD"]),
    Route("/s/{slug}/start", begin, methods=["POST"]),
    Route("/s/{slug}/resume", resume, methods=["POST"]),
    Route("/s/{slug}/done", done, methods=["GET", "HEAD"]),
    Route("/s/{slug}/withdraw", withdraw, methods=["GET", "HEAD", "POST"]),
]
