"""Action plans: objectives → actions (who, at which level, budget, timeline, indicators) → the recommendations
that motivated them; and the turn of a plan into a new version of its consultation draft.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from consult.formatting import format_date, format_number
from consult.i18n import gettext as _
from consult.pages import WPS_OBJECTIVES
from consult.plans import sources
from consult.plans.models import (LEVEL_LABELS, Action, ActionPlan, Decision, Level, Recommendation, ReportRun,
                                  Tracker)
from consult.plans.service import PlanError, now


async def create_plan(title: str, tracker: Tracker | None = None) -> ActionPlan:
    return await ActionPlan.create(title=title, tracker=tracker, created_at=now())


async def actions_of(plan: ActionPlan) -> list[Action]:
    return await Action.filter(plan_id=plan.id).order_by("position", "id")


async def add_action(plan: ActionPlan, *, objective: str, title: str, description: str = "", responsible: str = "",
                     level: str = Level.NATIONAL.value, budget: Decimal | None = None, currency: str = "EUR",
                     starts_on: dt.date | None = None, ends_on: dt.date | None = None,
                     indicators: list[dict] | None = None) -> Action:
    if objective not in dict(WPS_OBJECTIVES):
        raise PlanError(_("Choose one of the four strategic objectives."))
    if level not in {lv.value for lv in Level}:
        raise PlanError(_("Choose the level of responsibility."))
    if not title.strip():
        raise PlanError(_("An action needs a title."))
    if starts_on and ends_on and ends_on < starts_on:
        raise PlanError(_("The action cannot end before it starts."))
    position = await Action.filter(plan_id=plan.id).count()
    return await Action.create(plan=plan, objective=objective, title=title.strip(), description=description.strip(),
                               responsible=responsible.strip(), level=level, budget=budget, currency=currency,
                               starts_on=starts_on, ends_on=ends_on, indicators=indicators or [], position=position,
                               created_at=now())


async def adopt_recommendations(plan: ActionPlan, run: ReportRun) -> list[Action]:
    """One action per accepted recommendation of ``run`` not yet in a plan, linked back to it.

    The action's indicator gets the run's estimate as baseline and the indicator's target; the responsible body
    is left for the analyst to name (the rules suggest only the level).
    """
    result = run.result or {}
    by_code = {i["code"]: i for i in result.get("indicators", [])}
    created = []
    accepted = await Recommendation.filter(run_id=run.id, decision=Decision.ACCEPTED.value,
                                           action_id=None).order_by("rank")
    for rec in accepted:
        indicator = by_code.get(rec.indicator_code, {})
        baseline = (indicator.get("overall") or {}).get("value")
        action = await add_action(plan, objective=rec.objective, title=rec.text[:300], level=rec.level,
                                  indicators=[{"indicator": rec.indicator_code, "title": indicator.get("title", ""),
                                               "statistic": indicator.get("statistic", "mean"),
                                               "baseline": baseline, "target": indicator.get("target")}])
        rec.action = action
        await rec.save()
        created.append(action)
    return created


def _value(statistic: str, value) -> str:
    if value is None:
        return "—"
    return format_number(value * 100, 0) + " %" if statistic == "proportion" else format_number(value, 2)


def draft_rows(plan_title: str, actions: list[Action], motivations: dict[int, list[Recommendation]]) -> list[dict]:
    """The plan as consultation rows (``{"level", "texts"}``): a heading per objective, a paragraph per action.

    Written in the current language: the consultation is aligned on it, and translations are added there.
    """
    from consult import i18n

    lang = i18n.current_code()
    rows = []
    for code, label in WPS_OBJECTIVES:
        chosen = [a for a in actions if a.objective == code]
        if not chosen:
            continue
        rows.append({"level": 1, "texts": {lang: str(label)}})
        for action in chosen:
            rows.append({"level": 2, "texts": {lang: action.title}})
            facts = [_("Responsible: %(body)s (%(level)s level).", body=action.responsible or _("to be named"),
                       level=str(LEVEL_LABELS[Level(action.level)]).lower())]
            if action.budget is not None:
                facts.append(_("Budget: %(amount)s %(currency)s.", amount=format_number(action.budget, 0),
                               currency=action.currency))
            if action.starts_on or action.ends_on:
                facts.append(_("Timeline: %(start)s to %(end)s.", start=format_date(action.starts_on) or "…",
                               end=format_date(action.ends_on) or "…"))
            for ind in action.indicators:
                facts.append(_("Indicator “%(title)s”: baseline %(baseline)s, target %(target)s.",
                               title=ind.get("title") or ind.get("indicator"),
                               baseline=_value(ind.get("statistic", "mean"), ind.get("baseline")),
                               target=_value(ind.get("statistic", "mean"), ind.get("target"))))
            if action.description:
                rows.append({"level": 0, "texts": {lang: action.description}})
            rows.append({"level": 0, "texts": {lang: " ".join(facts)}})
            for rec in motivations.get(action.id, []):
                rows.append({"level": 0, "texts": {lang: _("Evidence: %(text)s", text=rec.text)}})
    return rows


async def turn_into_draft(plan: ActionPlan, user=None):
    """Write the plan as a new version of its consultation draft (creating the consultation the first time).

    Returns the consultation and the version; the consultation is opened for comments from its own pages.
    """
    from consult import i18n

    actions = await actions_of(plan)
    if not actions:
        raise PlanError(_("Add at least one action before turning the plan into a draft."))
    motivations: dict[int, list[Recommendation]] = {}
    for rec in await Recommendation.filter(action_id__in=[a.id for a in actions]).order_by("rank"):
        motivations.setdefault(rec.action_id, []).append(rec)
    rows = [{"level": 1, "texts": {i18n.current_code(): plan.title}}] + draft_rows(plan.title, actions, motivations)
    consultation = await plan.consultation if plan.consultation_id else None
    count = len(actions)
    note = _("Action plan with %(count)s actions, from the accepted recommendations.", count=count)
    consultation, version = await sources.new_consultation_draft(
        plan.title, _("Draft action plan for consultation with the panel."), [i18n.current_code()], rows, note,
        consultation=consultation, created_by=user)
    if plan.consultation_id != consultation.id:
        plan.consultation = consultation
        await plan.save()
    return consultation, version
