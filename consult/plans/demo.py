"""Demo data for plans: a tracker over two waves of the perception survey, indicators on the four objectives, a
finished and published report with decided recommendations, and an action plan open for the panel's comments.

Runs after the surveys and consultations loaders: the surveys demo survey is the latest wave; an earlier wave of
the same questionnaire is generated here (:mod:`consult.plans.synthetic`). Loaded once: when the tracker exists,
nothing is added.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from consult.plans import actionplans, service, sources, synthetic
from consult.plans.indicators import IndicatorSpec
from consult.plans.models import Decision, Recommendation, ReportRun, RunStatus, Tracker
from consult.settings import Settings

SLUG = "wps-perceptions"
EARLIER_WAVE_RESPONSES = 1200

INDICATORS = [
    IndicatorSpec("safe_night", "Women who feel safe walking alone at night", "protection", "share",
                  ("safe_night",), {"top": 2, "max": 5}, target=0.6, breakdowns=("country", "area", "age_group")),
    IndicatorSpec("safety_scale", "Feeling of safety (scale of five places, 1–5)", "prevention", "scale",
                  ("safe_night", "safe_day", "safe_home", "safe_transport", "safe_market"), {}, target=3.8,
                  breakdowns=("country", "area")),
    IndicatorSpec("trust_police", "Trust in the police (1–5)", "leadership", "mean", ("trust_police",), {},
                  target=3.5, breakdowns=("country",)),
    IndicatorSpec("meeting_attended", "Women who attended a public meeting on security", "participation", "share",
                  ("meeting_attended",), {"count": ["yes"], "exclude": ["prefer_not"]}, target=0.4,
                  breakdowns=("country", "age_group")),
    IndicatorSpec("women_influence", "Women can influence security decisions (1–5)", "participation", "mean",
                  ("women_influence",), {}, target=3.5, breakdowns=("country",)),
]


async def load(settings: Settings) -> list[str]:
    if await Tracker.filter(slug=SLUG).exists():
        return [f"demo tracker already present: /plans/t/{SLUG}"]
    from consult.accounts.models import User
    from consult.surveys.demo_form import build_demo_xlsform
    from consult.surveys.models import Survey
    from consult.surveys.xlsform import import_xlsform

    form = import_xlsform(build_demo_xlsform())
    current = await Survey.filter(slug=form.form_id.replace("_", "-")).first()
    earlier = await sources.demo_wave(form, synthetic.answers(EARLIER_WAVE_RESPONSES, 1), synthetic.MARGINS)
    if current is None:  # the surveys demo did not run: make the latest wave here too
        current = await sources.demo_wave(form, synthetic.answers(EARLIER_WAVE_RESPONSES, 2), synthetic.MARGINS)

    tracker = await service.create_tracker(SLUG, "Women's perceptions of security")
    await service.add_wave(tracker, earlier, "2025")
    wave = await service.add_wave(tracker, current, "2026")
    codebook = await service.latest_codebook(tracker)
    for spec in INDICATORS:
        if all(name in codebook for name in (*spec.items, *spec.breakdowns)):
            await service.save_indicator(tracker, spec, codebook)

    analyst = await User.filter(email="analyst@example.org").first()
    run = await service.execute_run(await service.request_run(tracker, wave, analyst))
    lines = [f"demo tracker /plans/t/{SLUG} with 2 waves; report /plans/runs/{run.id}: {run.status}"]
    if run.status != RunStatus.DONE.value:
        return lines + [f"demo report failed: {run.error}"]

    # Accept the three best-supported drafts (the first at a local level, as an analyst might), reject the rest.
    drafts = await Recommendation.filter(run_id=run.id).order_by("rank")
    for i, rec in enumerate(drafts):
        await service.decide(rec, Decision.ACCEPTED.value if i < 3 else Decision.REJECTED.value, analyst)
    await service.publish_run(await ReportRun.get(id=run.id))

    plan = await actionplans.create_plan("Action plan on Women, Peace and Security 2027–2029", tracker)
    actions = await actionplans.adopt_recommendations(plan, await ReportRun.get(id=run.id))
    bodies = ["Alliance gender advisers network", "National WPS coordination committee",
              "Municipal safety councils"]
    for action, body, budget in zip(actions, bodies, (Decimal("1200000"), Decimal("450000"), Decimal("180000"))):
        action.responsible = body
        action.budget = budget
        action.starts_on, action.ends_on = dt.date(2027, 1, 1), dt.date(2029, 12, 31)
        await action.save()
    await actionplans.add_action(
        plan, objective="participation", title="Reserve seats for women's organisations in local security councils",
        responsible="Ministries of the Interior", level="national", budget=Decimal("300000"),
        starts_on=dt.date(2027, 3, 1), ends_on=dt.date(2028, 12, 31))
    consultation, version = await actionplans.turn_into_draft(plan, analyst)
    lines.append(f"demo action plan /plans/actionplans/{plan.id} ({len(actions) + 1} actions) "
                 f"as consultation /consultations/{consultation.id} v{version.number}")
    try:
        from consult.consultations import service as consultations

        panel = await User.filter(role="panel")
        await consultations.invite(settings, consultation, panel)
        await consultations.open_for_comments(settings, consultation)
        lines.append("demo action plan consultation opened for the panel's comments")
    except Exception as error:  # the consultations area decides whether it can open; the draft stays in any case
        lines.append(f"demo action plan consultation left in preparation: {error}")
    return lines
