"""Admin pages under ``/admin/surveys``: import, open/close, edit texts, margins, invitations, counts, export.

Administrators do everything; analysts may look at the counts and export the responses.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response as HTTPResponse
from starlette.routing import Route

from consult.accounts.models import Role
from consult.accounts.permissions import require_role
from consult.i18n import gettext as _
from consult.surveys import export as exporting
from consult.surveys import lifecycle, responding, store
from consult.surveys.form import FormDefinition
from consult.surveys.margins import MarginsError, margins_of, parse_margins, replace_margins
from consult.surveys.models import Access, Survey, SurveyVersion
from consult.surveys.stats import response_stats
from consult.surveys.xlsform import MAX_BYTES, XLSFormError
from consult.web import PageError, form_data, not_found, redirect, render

admin_only = require_role(Role.ADMIN)
readers = require_role(Role.ADMIN, Role.ANALYST)


async def _survey(request: Request) -> Survey:
    survey = await Survey.filter(id=request.path_params["survey_id"]).first()
    if survey is None:
        raise not_found()
    return survey


async def _upload(request: Request, field: str, limit: int = MAX_BYTES) -> tuple[bytes, str, Any]:
    form = await request.form(max_part_size=limit + 1024)
    upload = form.get(field)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return b"", "", form
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise PageError(413, _("The file is too large."))
    return data, upload.filename, form


@readers
async def survey_list(request: Request) -> HTTPResponse:
    return await _list_page(request, None)


async def _list_page(request: Request, problems: list | None, status_code: int = 200) -> HTTPResponse:
    return render(request, "surveys/admin/list.html", {
        "page_title": _("Surveys"),
        "rows": await lifecycle.survey_rows(),
        "problems": problems,
        "can_edit": request.scope["user"].role == Role.ADMIN.value,
    }, status_code=status_code)


@admin_only
async def import_form(request: Request) -> HTTPResponse:
    data, filename, form = await _upload(request, "file")
    if not data:
        return await _list_page(request, [{"sheet": None, "row": None, "column": None,
                                           "message": _("Choose an .xlsx file to import.")}], 400)
    try:
        survey = await lifecycle.import_survey(data, filename=filename, open_now=form.get("open") == "yes",
                                               discreet=form.get("discreet") == "yes")
    except XLSFormError as error:
        return await _list_page(request, [p.to_dict() for p in error.problems], 400)
    return redirect(f"/admin/surveys/{survey.id}")


async def _detail_context(request: Request, survey: Survey) -> dict[str, Any]:
    version, form = await store.current_form(survey)
    versions = await SurveyVersion.filter(survey_id=survey.id).order_by("-number").values(
        "number", "created_at")
    return {
        "page_title": form.title_in(None),
        "survey": survey,
        "form": form,
        "version": version,
        "versions": versions,
        "stats": await response_stats(survey, form),
        "margins": await margins_of(survey),
        "weighting": form.weighting_questions(),
        "can_edit": request.scope["user"].role == Role.ADMIN.value,
        "problems": None,
        "margin_problems": None,
        "tokens": None,
        "notice": None,
        "base_url": request.app.state.settings.base_url.rstrip("/"),
    }


@readers
async def detail(request: Request) -> HTTPResponse:
    survey = await _survey(request)
    return render(request, "surveys/admin/detail.html", await _detail_context(request, survey))


@admin_only
async def change_status(request: Request) -> HTTPResponse:
    survey = await _survey(request)
    data = await form_data(request)
    try:
        await lifecycle.set_status(survey, str(data.get("status") or ""))
    except lifecycle.SurveyError as error:
        context = await _detail_context(request, survey)
        context["notice"] = str(error)
        return render(request, "surveys/admin/detail.html", context, status_code=400)
    return redirect(f"/admin/surveys/{survey.id}")


@admin_only
async def new_version(request: Request) -> HTTPResponse:
    survey = await _survey(request)
    data, filename, _form = await _upload(request, "file")
    context = await _detail_context(request, survey)
    if not data:
        context["problems"] = [{"sheet": None, "row": None, "column": None,
                                "message": _("Choose an .xlsx file to import.")}]
        return render(request, "surveys/admin/detail.html", context, status_code=400)
    try:
        await lifecycle.import_new_version(survey, data, filename=filename)
    except XLSFormError as error:
        context["problems"] = [p.to_dict() for p in error.problems]
        return render(request, "surveys/admin/detail.html", context, status_code=400)
    return redirect(f"/admin/surveys/{survey.id}")


@admin_only
async def upload_margins(request: Request) -> HTTPResponse:
    survey = await _survey(request)
    data, _filename, _form = await _upload(request, "file")
    version, form = await store.current_form(survey)
    try:
        lines = parse_margins(data, form)
    except MarginsError as error:
        context = await _detail_context(request, survey)
        context["margin_problems"] = [str(p) for p in error.problems]
        return render(request, "surveys/admin/detail.html", context, status_code=400)
    await replace_margins(survey, lines)
    return redirect(f"/admin/surveys/{survey.id}")


@admin_only
async def invitations(request: Request) -> HTTPResponse:
    survey = await _survey(request)
    data = await form_data(request)
    context = await _detail_context(request, survey)
    try:
        count = int(str(data.get("count") or ""))
        days = int(str(data.get("days") or "0") or 0)
    except ValueError:
        count, days = 0, -1
    if not 1 <= count <= 1000 or not 0 <= days <= 3650:
        context["notice"] = _("Ask for 1 to 1,000 links, valid for 0 (no limit) to 3,650 days.")
        return render(request, "surveys/admin/detail.html", context, status_code=400)
    context["tokens"] = await responding.create_invitations(survey, count, label=str(data.get("label") or ""),
                                                            valid_days=days or None)
    return render(request, "surveys/admin/detail.html", context)


def _edit_context(survey: Survey, form: FormDefinition, answered: bool) -> dict[str, Any]:
    return {"page_title": _("Edit %(title)s", title=form.title_in(None)), "survey": survey, "form": form,
            "answered": answered, "accesses": [a.value for a in Access]}


@admin_only
async def edit(request: Request) -> HTTPResponse:
    survey = await _survey(request)
    version, form = await store.current_form(survey)
    if request.method == "GET":
        answered = await store.response_count(survey) > 0
        return render(request, "surveys/admin/edit.html", _edit_context(survey, form, answered))
    data = await form_data(request)

    def texts(key: str, old: dict[str, str]) -> dict[str, str]:
        out = dict(old)
        for lang in form.languages:
            value = data.get(f"{key}::{lang}")
            if isinstance(value, str):
                value = value.strip()[:10_000]
                if value:
                    out[lang] = value
                else:
                    out.pop(lang, None)
        return out

    pages = []
    for page in form.pages:
        questions = tuple(
            dataclasses.replace(q, label=texts(f"label::{q.name}", q.label), hint=texts(f"hint::{q.name}", q.hint))
            for q in page.questions)
        pages.append(dataclasses.replace(page, questions=questions))
    edited = dataclasses.replace(form, title=texts("title", form.title), pages=tuple(pages))
    if edited.to_dict() != form.to_dict():
        await lifecycle.replace_form(survey, edited)
    survey.consent = texts("consent", survey.consent or {})
    was_discreet = survey.discreet
    survey.discreet = data.get("discreet") == "yes"
    survey.anonymous = data.get("anonymous") == "yes"
    access = data.get("access")
    if access in {a.value for a in Access}:
        survey.access = str(access)
    if survey.discreet and (not was_discreet or data.get("new_address") == "yes"):
        survey.slug = lifecycle.neutral_slug()
    await survey.save()
    return redirect(f"/admin/surveys/{survey.id}")


@readers
async def download(request: Request) -> HTTPResponse:
    survey = await _survey(request)
    fmt = request.query_params.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise PageError(400, _("Choose CSV or XLSX."))
    labels = request.query_params.get("labels") or None
    complete_only = request.query_params.get("complete") == "1"
    data, codebook = await exporting.export(survey, fmt, labels=labels, complete_only=complete_only)
    name = survey.slug
    if request.query_params.get("part") == "codebook" and codebook is not None:
        data, name = codebook, f"{name}.codebook"
    media = ("text/csv; charset=utf-8" if fmt == "csv"
             else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return HTTPResponse(data, media_type=media, headers={
        "content-disposition": f'attachment; filename="{name}.{fmt}"', "cache-control": "no-store"})


routes = [
    Route("/admin/surveys", survey_list, methods=["GET", "HEAD"]),
    Route("/admin/surveys/import", import_form, methods=["POST"]),
    Route("/admin/surveys/{survey_id:int}", detail, methods=["GET", "HEAD"]),
    Route("/admin/surveys/{survey_id:int}/status", change_status, methods=["POST"]),
    Route("/admin/surveys/{survey_id:int}/version", new_version, methods=["POST"]),
    Route("/admin/surveys/{survey_id:int}/margins", upload_margins, methods=["POST"]),
    Route("/admin/surveys/{survey_id:int}/invitations", invitations, methods=["POST"]),
    Route("/admin/surveys/{survey_id:int}/edit", edit, methods=["GET", "POST"]),
    Route("/admin/surveys/{survey_id:int}/export", download, methods=["GET"]),
]
