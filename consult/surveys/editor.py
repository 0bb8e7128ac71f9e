"""Edit a survey in the browser: pages, questions, choice lists and their translations, order.

Plain server-rendered forms, no script needed: every change is one POST. The change is made on the current
form (:mod:`consult.surveys.editor_ops`), the result is checked with the importer's own rules
(:func:`consult.surveys.formcheck.check_form`) and only a sound form is saved, through
:func:`consult.surveys.lifecycle.replace_form` (a new version when the current one has responses, so answers
never change under them). A refused change re-shows the page with what was typed, a translated message and a
4xx status, and saves nothing.

Each form carries the id of the version it was made from; if the survey changed since (another tab, another
administrator, a button pressed twice), the change is refused (409) rather than applied to a form the
administrator has not seen.
"""

from __future__ import annotations

from typing import Any, Callable

from starlette.requests import Request
from starlette.responses import Response as HTTPResponse
from starlette.routing import Route
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from consult.accounts.models import Role
from consult.accounts.permissions import require_role
from consult.i18n import gettext as _
from consult.surveys import editor_ops as ops
from consult.surveys import lifecycle, store
from consult.surveys.form import QUESTION_TYPES, Choice, FormDefinition, Question, RangeParameters
from consult.surveys.formcheck import FormProblem, check_form, clean
from consult.surveys.models import Response, Survey, SurveyVersion
from consult.web import form_data, not_found, redirect, render

admin_only = require_role(Role.ADMIN)

MAX_TEXT = 10_000


class _Refused(Exception):
    def __init__(self, status: int, message: str | None = None, problems: list[FormProblem] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = problems or []


async def _survey(request: Request) -> Survey:
    survey = await Survey.filter(id=request.path_params["survey_id"]).first()
    if survey is None:
        raise not_found()
    return survey


def _text(data: Any, key: str) -> str:
    value = data.get(key)
    return clean(value)[:MAX_TEXT] if isinstance(value, str) else ""


def _texts(data: Any, form: FormDefinition, key: str) -> dict[str, str]:
    out = {}
    for code in form.languages:
        value = _text(data, f"{key}::{code}")
        if value:
            out[code] = value
    return out


def _typed(data: Any) -> dict[str, str]:
    """What was typed, to show again after a refusal."""
    return {k: v for k, v in data.items() if isinstance(v, str) and k not in ("csrf_token", "version")}


async def _context(request: Request, survey: Survey, version: SurveyVersion, form: FormDefinition,
                   **extra: Any) -> dict[str, Any]:
    context = {
        "page_title": _("Edit %(title)s", title=form.title_in(None)),
        "survey": survey, "form": form, "version": version,
        "answered": await Response.filter(version_id=version.id).exists(),
        "languages": [{"code": c, "name": form.language_names.get(c) or c} for c in form.languages],
        "message": None, "problems": [], "values": {},
        "question_types": QUESTION_TYPES,
        "saved": request.query_params.get("saved") == "1",
    }
    context.update(extra)
    return context


async def _save(survey: Survey, version: SurveyVersion, data: Any,
                change: Callable[[FormDefinition], FormDefinition]) -> None:
    """Apply ``change`` to the form of ``version`` and save it, or raise :class:`_Refused` (nothing saved)."""
    if str(data.get("version") or "") != str(version.id):
        raise _Refused(409, _("The survey changed since this page was shown (in another tab, or by someone "
                              "else). Nothing was saved: look at it again and repeat the change."))
    form = store.remember(version)
    try:
        edited = change(form)
    except ops.EditError as error:
        raise _Refused(400, str(error)) from None
    if edited.to_dict() == form.to_dict():
        return
    problems = check_form(edited)
    if problems:
        raise _Refused(400, _("Nothing was saved: the survey would not be sound."), problems)
    try:
        async with in_transaction():
            current = await store.current_version(survey)
            if current.id != version.id:
                raise _Refused(409, _("The survey changed since this page was shown (in another tab, or by "
                                      "someone else). Nothing was saved: look at it again and repeat the change."))
            await lifecycle.replace_form(survey, edited)
    except IntegrityError:  # two saves at the same moment: the second one loses
        raise _Refused(409, _("The survey changed since this page was shown (in another tab, or by someone "
                              "else). Nothing was saved: look at it again and repeat the change.")) from None


# ------------------------------------------------------------------------------------------ pages and order


def _structure_change(action: str, data: Any, form: FormDefinition) -> Callable[[FormDefinition], FormDefinition]:
    verb, _sep, target = action.partition(":")
    moves = {"page-up": (ops.move_page, -1), "page-down": (ops.move_page, 1),
             "question-up": (ops.move_question, -1), "question-down": (ops.move_question, 1)}
    if verb in moves:
        fn, delta = moves[verb]
        return lambda f: fn(f, target, delta)
    if verb == "page-remove":
        return lambda f: ops.remove_page(f, target)
    if verb == "question-remove":
        return lambda f: ops.remove_question(f, target)
    if verb == "question-to":
        page = _text(data, f"to::{target}")
        return lambda f: ops.move_question_to(f, target, page)
    if verb == "page-add":
        name = _text(data, "page_name")
        label = _texts(data, form, "page_label")
        return lambda f: ops.add_page(f, name, label)
    raise _Refused(400, _("Unknown action."))


@admin_only
async def structure(request: Request) -> HTTPResponse:
    survey = await _survey(request)
    version, form = await store.current_form(survey)
    if request.method == "GET":
        return render(request, "surveys/edit_structure.html", await _context(request, survey, version, form))
    data = await form_data(request)
    action = str(data.get("action") or "")
    try:
        await _save(survey, version, data, _structure_change(action, data, form))
    except _Refused as refused:
        context = await _context(request, survey, version, form, message=refused.message,
                                 problems=refused.problems, values=_typed(data))
        if refused.status == 409:  # show the survey as it is now
            version, form = await store.current_form(survey)
            context.update(version=version, form=form, values={})
        return render(request, "surveys/edit_structure.html", context, status_code=refused.status)
    anchor = ""
    verb, _sep, target = action.partition(":")
    if verb.startswith("question-") and verb != "question-remove":
        anchor = f"#q-{target}"
    elif verb in ("page-up", "page-down"):
        anchor = f"#page-{target}"
    return redirect(f"/admin/surveys/{survey.id}/structure?saved=1{anchor}")


@admin_only
async def page(request: Request) -> HTTPResponse:
    survey = await _survey(request)
    version, form = await store.current_form(survey)
    name = request.path_params["page"]
    found = [p for p in form.pages if p.name == name]
    if not found:
        raise not_found()
    context = await _context(request, survey, version, form, page=found[0])
    if request.method == "GET":
        return render(request, "surveys/edit_page.html", context)
    data = await form_data(request)
    label = _texts(data, form, "label")
    try:
        await _save(survey, version, data, lambda f: ops.rename_page(f, name, label))
    except _Refused as refused:
        context.update(message=refused.message, problems=refused.problems, values=_typed(data))
        if refused.status == 409:  # keep what was typed, to be sent again on the survey as it is now
            context["version"] = await store.current_version(survey)
        return render(request, "surveys/edit_page.html", context, status_code=refused.status)
    return redirect(f"/admin/surveys/{survey.id}/structure?saved=1#page-{name}")


# ---------------------------------------------------------------------------------------------- questions


def _number(data: Any, key: str, label: str) -> int | float:
    text = _text(data, key).replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise ops.EditError(_("%(field)s must be a number.", field=label)) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ops.EditError(_("%(field)s must be a number.", field=label))
    return int(value) if value.is_integer() else value


def question_from(data: Any, form: FormDefinition, name: str) -> Question:
    """The question the form fields describe; :class:`~consult.surveys.editor_ops.EditError` if unreadable."""
    kind = _text(data, "type")
    if kind not in QUESTION_TYPES:
        raise ops.EditError(_("Choose a question type."))
    choice_list = choice_filter = None
    if kind in ("select_one", "select_multiple"):
        choice_list = _text(data, "choice_list")
        if choice_list not in form.choice_lists:
            raise ops.EditError(_("Choose the choice list of the select question (or add one under Choice lists)."))
        choice_filter = _text(data, "choice_filter") or None
    parameters = None
    if kind == "range":
        parameters = RangeParameters(start=_number(data, "start", _("Start")), end=_number(data, "end", _("End")),
                                     step=_number(data, "step", _("Step")))
    required: bool | str = _text(data, "required_if") or data.get("required") == "yes"
    return Question(
        name=name, type=kind,
        label=_texts(data, form, "label"), hint=_texts(data, form, "hint"),
        required=required, required_message=_texts(data, form, "required_message"),
        relevant=_text(data, "relevant") or None,
        constraint=_text(data, "constraint") or None,
        constraint_message=_texts(data, form, "constraint_message"),
        appearance=_text(data, "appearance") or None,
        choice_list=choice_list, choice_filter=choice_filter, parameters=parameters,
        weighting=data.get("weighting") == "yes",
    )


def question_values(question: Question, form: FormDefinition) -> dict[str, str]:
    """The form fields of an existing question."""
    values = {"type": question.type, "name": question.name, "relevant": question.relevant or "",
              "constraint": question.constraint or "", "appearance": question.appearance or "",
              "choice_list": question.choice_list or "", "choice_filter": question.choice_filter or "",
              "required": "yes" if question.required is True else "",
              "required_if": question.required if isinstance(question.required, str) else "",
              "weighting": "yes" if question.weighting else ""}
    for key in ("label", "hint", "required_message", "constraint_message"):
        for code, text in getattr(question, key).items():
            values[f"{key}::{code}"] = text
    params = question.parameters or RangeParameters()
    values.update(start=str(params.start), end=str(params.end), step=str(params.step))
    return values


@admin_only
async def question(request: Request) -> HTTPResponse:
    survey = await _survey(request)
    version, form = await store.current_form(survey)
    name = request.path_params.get("name")
    existing = None
    if name is not None:
        try:
            existing = form.question(name)
        except KeyError:
            raise not_found() from None
        page_name = form.pages[form.page_of(name)].name
    else:
        page_name = request.query_params.get("page") or (form.pages[-1].name if form.pages else "")
    if request.method == "GET":
        values = question_values(existing, form) if existing else {"type": "text", "page": page_name,
                                                                   "start": "1", "end": "5", "step": "1"}
        return render(request, "surveys/edit_question.html", await _context(
            request, survey, version, form, question=existing, page_name=page_name, values=values))
    data = await form_data(request)
    if existing is None:
        page_name = _text(data, "page")

    def change(f: FormDefinition) -> FormDefinition:
        if existing is not None:
            return ops.replace_question(f, existing.name, question_from(data, f, existing.name))
        return ops.add_question(f, page_name, question_from(data, f, _text(data, "name")))

    try:
        await _save(survey, version, data, change)
    except _Refused as refused:
        if refused.status == 409:  # keep what was typed, to be sent again on the survey as it is now
            version = await store.current_version(survey)
        return render(request, "surveys/edit_question.html", await _context(
            request, survey, version, form, question=existing, page_name=page_name, values=_typed(data),
            message=refused.message, problems=refused.problems), status_code=refused.status)
    target = existing.name if existing else _text(data, "name")
    return redirect(f"/admin/surveys/{survey.id}/structure?saved=1#q-{target}")


# ------------------------------------------------------------------------------------------------ choices


def _choices_change(data: Any, form: FormDefinition) -> Callable[[FormDefinition], FormDefinition]:
    action = str(data.get("action") or "")
    if action == "add-list":
        list_name = _text(data, "list_name")
        choice = Choice(name=_text(data, "choice_name"), label=_texts(data, form, "choice_label"))
        return lambda f: ops.add_choice_list(f, list_name, choice)
    list_name = _text(data, "list")
    if list_name not in form.choice_lists:
        raise _Refused(400, _("There is no choice list %(list)s (any more).", list=list_name))
    choices = form.choice_lists[list_name]
    # Every button of a list's form also saves the labels typed in it, so that nothing typed is lost.
    labels = {c.name: _texts(data, form, f"c{i}") for i, c in enumerate(choices)
              if any(f"c{i}::{code}" in data for code in form.languages)}
    verb, _sep, index = action.partition(":")

    def target() -> str:
        try:
            return choices[int(index)].name
        except (ValueError, IndexError):
            raise ops.EditError(_("Unknown action.")) from None

    def change(f: FormDefinition) -> FormDefinition:
        f = ops.set_choice_labels(f, list_name, labels)
        if verb == "save":
            return f
        if verb == "add":
            choice = Choice(name=_text(data, "new_name"), label=_texts(data, form, "new_label"))
            return ops.add_choice(f, list_name, choice)
        if verb in ("up", "down"):
            return ops.move_choice(f, list_name, target(), -1 if verb == "up" else 1)
        if verb == "remove":
            return ops.remove_choice(f, list_name, target())
        raise ops.EditError(_("Unknown action."))

    return change


@admin_only
async def choices(request: Request) -> HTTPResponse:
    survey = await _survey(request)
    version, form = await store.current_form(survey)
    used: dict[str, list[str]] = {}
    for q in form.questions():
        if q.choice_list:
            used.setdefault(q.choice_list, []).append(q.name)
    if request.method == "GET":
        return render(request, "surveys/edit_choices.html",
                      await _context(request, survey, version, form, used=used, current_list=None))
    data = await form_data(request)
    try:
        await _save(survey, version, data, _choices_change(data, form))
    except _Refused as refused:
        context = await _context(request, survey, version, form, used=used, message=refused.message,
                                 problems=refused.problems, values=_typed(data),
                                 current_list=_text(data, "list") or None)
        if refused.status == 409:
            version, form = await store.current_form(survey)
            context.update(version=version, form=form, values={}, current_list=None)
        return render(request, "surveys/edit_choices.html", context, status_code=refused.status)
    anchor = _text(data, "list") or _text(data, "list_name")
    return redirect(f"/admin/surveys/{survey.id}/choices?saved=1#list-{anchor}")


routes = [
    Route("/admin/surveys/{survey_id:int}/structure", structure, methods=["GET", "POST"]),
    Route("/admin/surveys/{survey_id:int}/pages/{page}", page, methods=["GET", "POST"]),
    Route("/admin/surveys/{survey_id:int}/add-question", question, methods=["GET", "POST"]),
    Route("/admin/surveys/{survey_id:int}/questions/{name}", question, methods=["GET", "POST"]),
    Route("/admin/surveys/{survey_id:int}/choices", choices, methods=["GET", "POST"]),
]
