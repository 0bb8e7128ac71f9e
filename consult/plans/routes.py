"""The plans routes (mounted by consult.app) and what the app starts for them (the report worker)."""

from __future__ import annotations

from starlette.routing import Route

from consult.plans import views
from consult.plans.worker import report_worker

POST = ["POST"]
GET_POST = ["GET", "POST"]

routes = [
    Route("/plans", views.index, name="plans"),
    Route("/plans/trackers", views.tracker_create, methods=POST),
    Route("/plans/t/{slug}", views.tracker_page),
    Route("/plans/t/{slug}/waves", views.wave_add, methods=POST),
    Route("/plans/t/{slug}/indicators", views.indicator_add, methods=POST),
    Route("/plans/t/{slug}/runs", views.run_create, methods=POST),
    Route("/plans/t/{slug}/design", views.design_save, methods=POST),
    Route("/plans/t/{slug}/rules", views.rules_page, methods=GET_POST),
    Route("/plans/t/{slug}/monitoring", views.monitoring_page),
    Route("/plans/runs/{id:int}", views.report_page),
    Route("/plans/runs/{id:int}/report.{format}", views.report_download),
    Route("/plans/runs/{id:int}/publish", views.run_publish, methods=POST),
    Route("/plans/recommendations/{id:int}", views.recommendation_decide, methods=POST),
    Route("/plans/actionplans", views.plan_create, methods=POST),
    Route("/plans/actionplans/{id:int}", views.plan_page),
    Route("/plans/actionplans/{id:int}/actions", views.action_add, methods=POST),
    Route("/plans/actionplans/{id:int}/adopt", views.plan_adopt, methods=POST),
    Route("/plans/actionplans/{id:int}/draft", views.plan_draft, methods=POST),
]


def install(app) -> None:
    """Start the background report worker with the app."""
    app.state.background.append(report_worker)
