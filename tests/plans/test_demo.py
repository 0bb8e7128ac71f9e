"""The demo: a finished, published report with decided recommendations, and an action plan in consultation."""

from __future__ import annotations

from consult.plans import demo
from consult.plans.models import ActionPlan, Decision, Recommendation, ReportRun, RunStatus


def test_the_demo_loads_once(client, settings, monkeypatch):
    monkeypatch.setattr(demo, "EARLIER_WAVE_RESPONSES", 300)
    lines = client.run(demo.load, settings)
    assert any("report /plans/runs/" in line and "done" in line for line in lines), lines

    async def state():
        run = await ReportRun.first()
        recs = await Recommendation.filter(run_id=run.id)
        plan = await ActionPlan.first().prefetch_related("consultation")
        return run, recs, plan

    run, recs, plan = client.run(state)
    assert run.status == RunStatus.DONE.value and run.published_at is not None
    assert recs and all(r.decision != Decision.DRAFT.value for r in recs)
    assert any(r.decision == Decision.ACCEPTED.value and r.action_id for r in recs)
    assert plan.consultation is not None and plan.consultation.phase == "open"
    assert client.run(demo.load, settings) == ["demo tracker already present: /plans/t/wps-perceptions"]
