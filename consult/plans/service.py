"""What analysts do with plans, as functions the views, the command line and the demo call.

Trackers and waves, indicator definitions, report runs (queued, computed off the event loop, stored), the
draft recommendations of a run and the decisions on them.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

import anyio
from tortoise.transactions import in_transaction

from consult.i18n import gettext as _
from consult.plans import sources
from consult.plans.design import settings_of
from consult.plans.indicators import IndicatorSpec, check
from consult.plans.models import Decision, Indicator, Recommendation, ReportRun, RunStatus, Tracker, Wave
from consult.plans.report import WaveInput, compute_report
from consult.plans.rules import draft, rules_of


class PlanError(ValueError):
    """An action that cannot be done; the message is a translated sentence."""


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


async def create_tracker(slug: str, title: str, design: dict | None = None, rules: dict | None = None) -> Tracker:
    return await Tracker.create(slug=slug, title=title, design=settings_of(design), rules=rules_of(rules))


async def add_wave(tracker: Tracker, survey, label: str = "") -> Wave:
    """Link ``survey`` to ``tracker`` as its next wave."""
    last = await Wave.filter(tracker_id=tracker.id).order_by("-number").first()
    number = (last.number + 1) if last else 1
    return await Wave.create(tracker=tracker, survey=survey, number=number, label=label or f"Wave {number}")


async def waves_of(tracker: Tracker) -> list[Wave]:
    return await Wave.filter(tracker_id=tracker.id).order_by("number").prefetch_related("survey")


async def indicators_of(tracker: Tracker) -> list[Indicator]:
    return await Indicator.filter(tracker_id=tracker.id).order_by("position", "id")


async def latest_codebook(tracker: Tracker) -> dict:
    waves = await waves_of(tracker)
    if not waves:
        raise PlanError(_("Link a survey wave to the tracker first."))
    return (await sources.survey_data(waves[-1].survey)).codebook


async def save_indicator(tracker: Tracker, spec: IndicatorSpec, codebook: dict | None = None,
                         indicator: Indicator | None = None) -> Indicator:
    """Create (or update) an indicator after checking it against the questions of the latest wave."""
    check(spec, codebook if codebook is not None else await latest_codebook(tracker))
    clash = Indicator.filter(tracker_id=tracker.id, code=spec.code)
    if indicator is not None:
        clash = clash.exclude(id=indicator.id)
    if await clash.exists():
        raise PlanError(_("Another indicator already has the short name “%(code)s”.", code=spec.code))
    fields = dict(code=spec.code, title=spec.title, objective=spec.objective, kind=spec.kind,
                  items=list(spec.items), levels=spec.levels, direction=spec.direction, target=spec.target,
                  breakdowns=list(spec.breakdowns))
    if indicator is None:
        position = await Indicator.filter(tracker_id=tracker.id).count()
        return await Indicator.create(tracker=tracker, position=position, **fields)
    await Indicator.filter(id=indicator.id).update(**fields)
    await indicator.refresh_from_db()
    return indicator


# ------------------------------------------------------------------------------------------------ report runs


async def request_run(tracker: Tracker, wave: Wave, user=None) -> ReportRun:
    """Queue a report run; the background worker (or :func:`execute_run`) computes it."""
    return await ReportRun.create(tracker=tracker, wave=wave, requested_by=user, created_at=now(),
                                  status=RunStatus.QUEUED.value)


async def claim_next_run() -> ReportRun | None:
    """Take the oldest queued run (a conditional update, so two workers never take the same one)."""
    for run in await ReportRun.filter(status=RunStatus.QUEUED.value).order_by("id").limit(5):
        taken = await ReportRun.filter(id=run.id, status=RunStatus.QUEUED.value).update(
            status=RunStatus.RUNNING.value)
        if taken:
            return await ReportRun.get(id=run.id)
    return None


async def execute_run(run: ReportRun, on_progress: Callable[[float], None] | None = None) -> ReportRun:
    """Compute ``run`` (the statistics in a worker thread, off the event loop), store the result and the drafts.

    A failure is recorded on the run (status "failed" and the reason) rather than raised.
    """
    await ReportRun.filter(id=run.id).update(status=RunStatus.RUNNING.value, progress=0.0)
    try:
        tracker = await Tracker.get(id=run.tracker_id)
        wave = await Wave.get(id=run.wave_id)
        waves = [w for w in await waves_of(tracker) if w.number <= wave.number]
        inputs, codebook = [], {}
        for w in waves:
            data = await sources.survey_data(w.survey)
            inputs.append(WaveInput(w.number, w.label, data.frame, data.margins, data.title))
            codebook = data.codebook
        specs = [IndicatorSpec.from_model(row) for row in await indicators_of(tracker)]
        if not specs:
            raise PlanError(_("Define at least one indicator before running a report."))
        fractions: list[float] = []

        def progress(fraction: float) -> None:
            fractions.append(fraction)
            if on_progress:
                on_progress(fraction)

        report = await anyio.to_thread.run_sync(
            lambda: compute_report(tracker.title, inputs, specs, settings_of(tracker.design), codebook, progress))
        result = report.to_dict()
        async with in_transaction():
            await ReportRun.filter(id=run.id).update(status=RunStatus.DONE.value, progress=1.0, result=result,
                                                     finished_at=now(), error="")
            await store_drafts(run.id, result, rules_of(tracker.rules), await _language_of_requester(run))
    except Exception as error:  # recorded for the status page; the worker goes on with the next run
        message = str(error) if isinstance(error, (PlanError, ValueError)) else error.__class__.__name__
        await ReportRun.filter(id=run.id).update(status=RunStatus.FAILED.value, error=message[:2000],
                                                 finished_at=now())
    return await ReportRun.get(id=run.id)


def group_labeler(result: dict, language: str) -> Callable[[str, str], str]:
    """``label(variable, code)`` in ``language`` from the codebook kept in a report."""

    def label(variable: str, code: str) -> str:
        texts = result.get("codebook", {}).get(variable, {}).get("choices", {}).get(code, {})
        return texts.get(language) or texts.get("en") or next(iter(texts.values()), code)

    return label


async def _language_of_requester(run: ReportRun) -> str | None:
    """The language of the analyst who asked for the run: the worker has no request, so no language of its own."""
    from consult.accounts.models import User

    if run.requested_by_id is None:
        return None
    user = await User.get_or_none(id=run.requested_by_id)
    return user.language if user else None


async def store_drafts(run_id: int, result: dict, rules: dict, language: str | None = None) -> list[Recommendation]:
    """Store the ranked draft recommendations of a finished run (each awaits a human decision).

    The texts are written in ``language`` (default: the current one), for the analysts to edit.
    """
    from consult import i18n

    language = language if language in i18n.SUPPORTED else i18n.current_code()
    with i18n.using_locale(language):
        drafts = draft(result, rules, group_labeler(result, language))
    await Recommendation.filter(run_id=run_id, decision=Decision.DRAFT.value).delete()
    return [await Recommendation.create(run_id=run_id, indicator_code=d.indicator_code, rule=d.rule, rank=rank,
                                        objective=d.objective, level=d.level, text=d.text, evidence=d.evidence)
            for rank, d in enumerate(drafts, start=1)]


async def decide(recommendation: Recommendation, decision: str, user, text: str | None = None,
                 level: str | None = None) -> Recommendation:
    """Accept (possibly with an edited text or level) or reject a draft recommendation."""
    if decision not in (Decision.ACCEPTED.value, Decision.REJECTED.value, Decision.DRAFT.value):
        raise PlanError(_("Choose to accept or reject the recommendation."))
    if text is not None:
        text = text.strip()
        if not text:
            raise PlanError(_("A recommendation needs a text."))
        recommendation.text = text
    if level:
        recommendation.level = level
    recommendation.decision = decision
    recommendation.decided_by = user
    recommendation.decided_at = now() if decision != Decision.DRAFT.value else None
    await recommendation.save()
    return recommendation


async def publish_run(run: ReportRun) -> None:
    if run.status != RunStatus.DONE.value:
        raise PlanError(_("Only a finished report can be published."))
    if await Recommendation.filter(run_id=run.id, decision=Decision.DRAFT.value).exists():
        raise PlanError(_("Decide on every draft recommendation before publishing the report."))
    run.published_at = now()
    await run.save()
