"""The plans pages: trackers and indicators, report runs and their pages and files, decisions on recommendations,
action plans, monitoring. Analysts and administrators do everything; panel members read what is published.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from starlette.requests import Request
from starlette.responses import Response

from consult.accounts.models import Role
from consult.accounts.permissions import check_role, current_user, has_role, require_role
from consult.i18n import gettext as _
from consult.pages import WPS_OBJECTIVES
from consult.plans import actionplans, documents, monitoring, presentation, service, worker
from consult.plans.indicators import IndicatorError, IndicatorSpec, levels_text, parse_levels
from consult.plans.models import (KIND_LABELS, LEVEL_LABELS, RUN_STATUS_LABELS, ActionPlan, Direction, Kind, Level,
                                  Recommendation, ReportRun, RunStatus, Tracker, Wave)
from consult.plans.design import settings_of
from consult.plans.rules import rules_of
from consult.web import PageError, form_data, not_found, redirect, render

ANALYSTS = (Role.ADMIN, Role.ANALYST)
READERS = (Role.ADMIN, Role.ANALYST, Role.PANEL)


def is_analyst(request: Request) -> bool:
    return has_role(current_user(request), *ANALYSTS)


def choices() -> dict:
    return {
        "objectives": [(code, str(label)) for code, label in WPS_OBJECTIVES],
        "kinds": [(k.value, str(KIND_LABELS[k])) for k in Kind],
        "levels": [(lv.value, str(LEVEL_LABELS[lv])) for lv in Level],
        "directions": [(Direction.HIGHER_BETTER.value, _("Higher is better")),
                       (Direction.LOWER_BETTER.value, _("Lower is better"))],
    }


async def _tracker(request: Request) -> Tracker:
    tracker = await Tracker.get_or_none(slug=request.path_params["slug"])
    if tracker is None:
        raise not_found()
    return tracker


async def _run_for_reader(request: Request) -> ReportRun:
    """The run named in the address, if the reader may see it (panel members: published runs only)."""
    check_role(request, *READERS)
    run = await ReportRun.get_or_none(id=request.path_params["id"]).prefetch_related("tracker", "wave")
    if run is None or (not is_analyst(request) and run.published_at is None):
        raise not_found()
    return run


# ------------------------------------------------------------------------------------------------ index, trackers


@require_role(*READERS)
async def index(request: Request) -> Response:
    analyst = is_analyst(request)
    runs = ReportRun.all() if analyst else ReportRun.filter(published_at__isnull=False)
    return render(request, "plans/index.html", {
        "page_title": _("Evidence and action plans"),
        "analyst": analyst,
        "trackers": await Tracker.all().order_by("title") if analyst else [],
        "runs": await runs.order_by("-id").limit(50).prefetch_related("tracker", "wave"),
        "plans": await ActionPlan.all().order_by("-id") if analyst else [],
        "status_labels": {s.value: str(label) for s, label in RUN_STATUS_LABELS.items()},
        "trackers_public": await Tracker.filter(runs__published_at__isnull=False).distinct() if not analyst else [],
    })


@require_role(*ANALYSTS)
async def tracker_create(request: Request) -> Response:
    form = await form_data(request)
    slug, title = str(form.get("slug", "")).strip().lower(), str(form.get("title", "")).strip()
    if not slug or not slug.replace("-", "").isalnum() or not title:
        raise PageError(400, _("Give the tracker a title and a short address of letters, digits and hyphens."))
    if await Tracker.filter(slug=slug).exists():
        raise PageError(409, _("Another tracker already has this address."))
    await service.create_tracker(slug, title)
    return redirect(f"/plans/t/{slug}")


async def _tracker_page(request: Request, tracker: Tracker, errors: dict | None = None, values: dict | None = None,
                        status_code: int = 200) -> Response:
    waves = await service.waves_of(tracker)
    codebook = {}
    if waves:
        try:
            codebook = (await service.sources.survey_data(waves[-1].survey)).codebook
        except LookupError:
            codebook = {}
    questions = [(name, presentation.texts_in(entry["label"], name)) for name, entry in codebook.items()]
    indicators = await service.indicators_of(tracker)
    return render(request, "plans/tracker.html", {
        "page_title": tracker.title, "tracker": tracker, "waves": waves, "indicators": indicators,
        "questions": questions, "breakdown_questions": [(n, lbl) for n, lbl in questions if codebook[n]["choices"]],
        "runs": await ReportRun.filter(tracker_id=tracker.id).order_by("-id").limit(20).prefetch_related("wave"),
        "status_labels": {s.value: str(label) for s, label in RUN_STATUS_LABELS.items()},
        "kind_labels": {k.value: str(label) for k, label in KIND_LABELS.items()},
        "objective_labels": {code: str(label) for code, label in WPS_OBJECTIVES},
        "design": settings_of(tracker.design), "columns": [name for name, _label in questions],
        "levels_text": levels_text, "errors": errors or {}, "values": values or {}, **choices(),
    }, status_code=status_code)


@require_role(*ANALYSTS)
async def tracker_page(request: Request) -> Response:
    return await _tracker_page(request, await _tracker(request))


@require_role(*ANALYSTS)
async def wave_add(request: Request) -> Response:
    from consult.surveys.models import Survey

    tracker = await _tracker(request)
    form = await form_data(request)
    survey = await Survey.get_or_none(slug=str(form.get("survey", "")).strip())
    if survey is None:
        raise PageError(400, _("No survey has this address."))
    if await Wave.filter(tracker_id=tracker.id, survey_id=survey.id).exists():
        raise PageError(409, _("This survey is already a wave of the tracker."))
    await service.add_wave(tracker, survey, str(form.get("label", "")).strip()[:64])
    return redirect(f"/plans/t/{tracker.slug}")


def _float_or_none(text: str) -> float | None:
    text = (text or "").strip().replace(",", ".").rstrip("%").strip()
    if not text:
        return None
    return float(text)


@require_role(*ANALYSTS)
async def indicator_add(request: Request) -> Response:
    tracker = await _tracker(request)
    form = await form_data(request)
    values = {key: str(form.get(key, "")) for key in ("code", "title", "objective", "kind", "levels", "direction",
                                                        "target")}
    values["items"] = form.getlist("items")
    values["breakdowns"] = form.getlist("breakdowns")
    try:
        target = _float_or_none(values["target"])
    except ValueError:
        return await _tracker_page(request, tracker, {"target": _("Enter the target as a number.")}, values, 400)
    if target is not None and values["kind"] == Kind.SHARE.value and target > 1:
        target /= 100  # typed as a percentage
    spec = IndicatorSpec(code=values["code"].strip(), title=values["title"].strip() or values["code"].strip(),
                         objective=values["objective"], kind=values["kind"], items=tuple(values["items"]),
                         levels=parse_levels(values["levels"]) if values["kind"] == Kind.SHARE.value else {},
                         direction=values["direction"] or Direction.HIGHER_BETTER.value, target=target,
                         breakdowns=tuple(values["breakdowns"]))
    try:
        await service.save_indicator(tracker, spec)
    except (IndicatorError, service.PlanError) as error:
        return await _tracker_page(request, tracker, {"indicator": str(error)}, values, 400)
    return redirect(f"/plans/t/{tracker.slug}#indicators")


@require_role(*ANALYSTS)
async def run_create(request: Request) -> Response:
    tracker = await _tracker(request)
    form = await form_data(request)
    wave = await Wave.get_or_none(id=int(form.get("wave") or 0), tracker_id=tracker.id)
    if wave is None:
        raise PageError(400, _("Choose a wave of this tracker."))
    run = await service.request_run(tracker, wave, current_user(request))
    worker.wake(request.app)
    return redirect(f"/plans/runs/{run.id}")


@require_role(*ANALYSTS)
async def design_save(request: Request) -> Response:
    """The design the tracker's reports use: weight, strata and cluster columns, raking, suppression, correction."""
    from consult.plans.design import CORRECTIONS

    tracker = await _tracker(request)
    form = await form_data(request)
    try:
        min_n = int(str(form.get("min_n", "10")))
    except ValueError:
        raise PageError(400, _("The smallest group must be a whole number of respondents."))
    correction = str(form.get("correction", "holm"))
    if min_n < 1 or correction not in CORRECTIONS:
        raise PageError(400, _("The smallest group must be a whole number of respondents."))
    column = lambda key: str(form.get(key, "")).strip() or None  # noqa: E731 (empty means "none")
    tracker.design = settings_of({**tracker.design, "weights": column("weights"), "strata": column("strata"),
                                  "psu": column("psu"), "rake": form.get("rake") == "on", "min_n": min_n,
                                  "correction": correction})
    await tracker.save()
    return redirect(f"/plans/t/{tracker.slug}#design")


@require_role(*ANALYSTS)
async def rules_page(request: Request) -> Response:
    import json

    tracker = await _tracker(request)
    error = ""
    text = json.dumps(rules_of(tracker.rules), indent=2)
    if request.method == "POST":
        text = str((await form_data(request)).get("rules", ""))
        try:
            raw = json.loads(text)
            if not isinstance(raw, dict):
                raise ValueError
            rules = rules_of(raw)
            float(rules["significance"])
        except (ValueError, TypeError, KeyError):
            error = _("The rules are not valid JSON of the shape shown; nothing was changed.")
        else:
            tracker.rules = rules
            await tracker.save()
            return redirect(f"/plans/t/{tracker.slug}/rules")
    return render(request, "plans/rules.html", {"page_title": _("Recommendation rules"), "tracker": tracker,
                                                "rules_text": text, "error": error,
                                                "rules": rules_of(tracker.rules)},
                  status_code=400 if error else 200)


# ------------------------------------------------------------------------------------------------ report runs


async def _report_context(request: Request, run: ReportRun) -> dict:
    analyst = is_analyst(request)
    context = await documents.report_context(run, analyst)
    context["plans"] = await ActionPlan.all().order_by("-id") if analyst else []
    return context


@require_role(*READERS)
async def report_page(request: Request) -> Response:
    run = await _run_for_reader(request)
    context = await _report_context(request, run)
    if run.status in (RunStatus.QUEUED.value, RunStatus.RUNNING.value):
        return render(request, "plans/run_status.html", context, headers={"refresh": "3"})
    return render(request, "plans/report.html", context)


@require_role(*READERS)
async def report_download(request: Request) -> Response:
    run = await _run_for_reader(request)
    if run.status != RunStatus.DONE.value:
        raise PageError(409, _("The report is not finished yet."))
    kind = request.path_params["format"]
    if kind not in documents.FORMATS:
        raise not_found()
    context = await _report_context(request, run)
    body, media_type = documents.render_file(request, kind, context)
    filename = f"report-{run.tracker.slug}-{run.wave.number}.{kind}"
    return Response(body, media_type=media_type,
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


@require_role(*ANALYSTS)
async def recommendation_decide(request: Request) -> Response:
    rec = await Recommendation.get_or_none(id=request.path_params["id"])
    if rec is None:
        raise not_found()
    form = await form_data(request)
    text = form.get("text")
    try:
        await service.decide(rec, str(form.get("decision", "")), current_user(request),
                             text=str(text) if text is not None else None, level=str(form.get("level") or "") or None)
    except service.PlanError as error:
        raise PageError(400, str(error))
    return redirect(f"/plans/runs/{rec.run_id}#recommendation-{rec.id}")


@require_role(*ANALYSTS)
async def run_publish(request: Request) -> Response:
    run = await ReportRun.get_or_none(id=request.path_params["id"])
    if run is None:
        raise not_found()
    try:
        await service.publish_run(run)
    except service.PlanError as error:
        raise PageError(409, str(error))
    return redirect(f"/plans/runs/{run.id}")


# ------------------------------------------------------------------------------------------------ monitoring


@require_role(*READERS)
async def monitoring_page(request: Request) -> Response:
    tracker = await _tracker(request)
    analyst = is_analyst(request)
    rows = await monitoring.monitor(tracker, published_only=not analyst)
    if not analyst and not rows:
        raise not_found()
    return render(request, "plans/monitoring.html", {
        "page_title": _("Monitoring: %(tracker)s", tracker=tracker.title), "tracker": tracker,
        "objectives": monitoring.by_objective(rows), "analyst": analyst})


# ------------------------------------------------------------------------------------------------ action plans


async def _plan(request: Request) -> ActionPlan:
    plan = await ActionPlan.get_or_none(id=request.path_params["id"]).prefetch_related("tracker", "consultation")
    if plan is None:
        raise not_found()
    return plan


@require_role(*ANALYSTS)
async def plan_create(request: Request) -> Response:
    form = await form_data(request)
    title = str(form.get("title", "")).strip()
    if not title:
        raise PageError(400, _("Give the action plan a title."))
    tracker = await Tracker.get_or_none(slug=str(form.get("tracker", "")))
    plan = await actionplans.create_plan(title[:200], tracker)
    return redirect(f"/plans/actionplans/{plan.id}")


async def _plan_page(request: Request, plan: ActionPlan, errors: dict | None = None, values: dict | None = None,
                     status_code: int = 200) -> Response:
    actions = await actionplans.actions_of(plan)
    motivations: dict[int, list] = {}
    for rec in await Recommendation.filter(action_id__in=[a.id for a in actions]).order_by("rank"):
        motivations.setdefault(rec.action_id, []).append(rec)
    grouped = [(code, str(label), [a for a in actions if a.objective == code]) for code, label in WPS_OBJECTIVES]
    runs = await ReportRun.filter(status=RunStatus.DONE.value).order_by("-id").limit(20).prefetch_related(
        "tracker", "wave")
    return render(request, "plans/action_plan.html", {
        "page_title": plan.title, "plan": plan, "grouped": grouped, "motivations": motivations,
        "level_labels": {lv.value: str(label) for lv, label in LEVEL_LABELS.items()}, "runs": runs,
        "errors": errors or {}, "values": values or {}, "fmt": presentation.fmt, **choices(),
    }, status_code=status_code)


@require_role(*ANALYSTS)
async def plan_page(request: Request) -> Response:
    return await _plan_page(request, await _plan(request))


@require_role(*ANALYSTS)
async def action_add(request: Request) -> Response:
    plan = await _plan(request)
    form = await form_data(request)
    values = {key: str(form.get(key, "")) for key in ("objective", "title", "description", "responsible", "level",
                                                        "budget", "currency", "starts_on", "ends_on")}
    try:
        budget = Decimal(values["budget"].replace(",", "").strip()) if values["budget"].strip() else None
    except InvalidOperation:
        return await _plan_page(request, plan, {"action": _("Enter the budget as a number.")}, values, 400)
    try:
        starts = dt.date.fromisoformat(values["starts_on"]) if values["starts_on"] else None
        ends = dt.date.fromisoformat(values["ends_on"]) if values["ends_on"] else None
    except ValueError:
        return await _plan_page(request, plan, {"action": _("Enter dates as year-month-day.")}, values, 400)
    try:
        await actionplans.add_action(plan, objective=values["objective"], title=values["title"],
                                     description=values["description"], responsible=values["responsible"],
                                     level=values["level"], budget=budget,
                                     currency=(values["currency"] or "EUR").upper()[:3], starts_on=starts,
                                     ends_on=ends)
    except service.PlanError as error:
        return await _plan_page(request, plan, {"action": str(error)}, values, 400)
    return redirect(f"/plans/actionplans/{plan.id}")


@require_role(*ANALYSTS)
async def plan_adopt(request: Request) -> Response:
    plan = await _plan(request)
    run = await ReportRun.get_or_none(id=int((await form_data(request)).get("run") or 0))
    if run is None:
        raise PageError(400, _("Choose a finished report."))
    await actionplans.adopt_recommendations(plan, run)
    return redirect(f"/plans/actionplans/{plan.id}")


@require_role(*ANALYSTS)
async def plan_draft(request: Request) -> Response:
    plan = await _plan(request)
    try:
        consultation, _version = await actionplans.turn_into_draft(plan, current_user(request))
    except service.PlanError as error:
        raise PageError(409, str(error))
    return redirect(f"/consultations/{consultation.id}")

