"""The plans pages: who may do what, the report page and its files, decisions, the plan, monitoring."""

from __future__ import annotations

import io
import time

from consult.plans.models import Decision, Recommendation, ReportRun, RunStatus, Wave
from tests.plans.conftest import sign_in


def run_report(client, tracker) -> int:
    wave = client.run(lambda: Wave.filter(tracker_id=tracker.id).order_by("-number").first())
    response = client.post_form(f"/plans/t/{tracker.slug}/runs", {"wave": str(wave.id)})
    assert response.status_code == 303, response.text
    run_id = int(response.headers["location"].rsplit("/", 1)[1])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the app's background worker computes it
        run = client.run(lambda: ReportRun.get(id=run_id))
        if run.status in (RunStatus.DONE.value, RunStatus.FAILED.value):
            break
        time.sleep(0.05)
    assert run.status == RunStatus.DONE.value, run.error
    return run_id


def test_anonymous_visitors_are_sent_to_sign_in_and_respondents_refused(client, tracker):
    response = client.get("/plans")
    assert response.status_code == 303 and response.headers["location"].startswith("/account/login")
    sign_in(client, "respondent")
    assert client.get("/plans").status_code == 403


def test_panel_members_cannot_run_reports_or_read_unpublished_ones(client, tracker):
    sign_in(client, "analyst")
    run_id = run_report(client, tracker)
    client.cookies.clear()
    sign_in(client, "panel")
    wave = client.run(lambda: Wave.filter(tracker_id=tracker.id).first())
    assert client.post_form(f"/plans/t/{tracker.slug}/runs", {"wave": str(wave.id)}).status_code == 403
    assert client.get(f"/plans/t/{tracker.slug}").status_code == 403
    assert client.get(f"/plans/runs/{run_id}").status_code == 404
    assert client.get(f"/plans/runs/{run_id}/report.csv").status_code == 404
    assert client.get(f"/plans/t/{tracker.slug}/monitoring").status_code == 404
    rec = client.run(lambda: Recommendation.filter(run_id=run_id).first())
    assert client.post_form(f"/plans/recommendations/{rec.id}", {"decision": "accepted"}).status_code == 403


def test_the_report_page_decisions_publishing_and_what_the_panel_then_sees(client, tracker):
    sign_in(client, "analyst")
    run_id = run_report(client, tracker)
    page = client.get(f"/plans/runs/{run_id}")
    assert page.status_code == 200
    html = page.text
    assert "<svg" in html and "Women who feel safe walking alone at night" in html
    assert "svyciprop" in html and "rake(d" in html and 'p.adjust(p, method = "holm")' in html
    assert "Draft recommendations" in html and "Ukraine" in html  # group labels from the survey's choices
    drafts = client.run(lambda: Recommendation.filter(run_id=run_id).order_by("rank"))
    # Publishing is refused while a draft awaits a decision.
    assert client.post_form(f"/plans/runs/{run_id}/publish").status_code == 409
    first, *rest = drafts
    assert client.post_form(f"/plans/recommendations/{first.id}",
                            {"decision": "accepted", "text": "Light the streets.", "level": "local"}).status_code == 303
    for rec in rest:
        client.post_form(f"/plans/recommendations/{rec.id}", {"decision": "rejected"})
    assert client.post_form(f"/plans/runs/{run_id}/publish").status_code == 303
    client.cookies.clear()
    sign_in(client, "panel")
    page = client.get(f"/plans/runs/{run_id}")
    assert page.status_code == 200
    assert "Light the streets." in page.text and "Draft recommendations" not in page.text
    assert rest[0].text not in page.text  # rejected drafts stay unpublished
    assert client.get(f"/plans/t/{tracker.slug}/monitoring").status_code == 200


def test_downloads(client, tracker):
    from openpyxl import load_workbook

    sign_in(client, "analyst")
    run_id = run_report(client, tracker)
    csv = client.get(f"/plans/runs/{run_id}/report.csv")
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbfindicator,objective")
    xlsx = client.get(f"/plans/runs/{run_id}/report.xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["estimates", "gaps", "changes", "methods"]
    html = client.get(f"/plans/runs/{run_id}/report.html")
    assert html.headers["content-disposition"].startswith("attachment") and "<style>" in html.text
    pdf = client.get(f"/plans/runs/{run_id}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_an_analyst_defines_an_indicator_and_a_bad_one_is_explained(client, tracker):
    sign_in(client, "analyst")
    response = client.post_form(f"/plans/t/{tracker.slug}/indicators", {
        "title": "Trust in women's organisations", "code": "trust_wo", "objective": "participation",
        "kind": "share", "items": "trust_women_orgs", "levels": "top 2 of 5", "direction": "higher",
        "target": "80", "breakdowns": "area"})
    assert response.status_code == 303
    from consult.plans.models import Indicator

    made = client.run(lambda: Indicator.get(tracker_id=tracker.id, code="trust_wo"))
    assert made.levels == {"top": 2, "max": 5} and made.target == 0.8 and made.breakdowns == ["area"]
    bad = client.post_form(f"/plans/t/{tracker.slug}/indicators", {
        "title": "x", "code": "x", "objective": "participation", "kind": "mean", "items": "no_such_question"})
    assert bad.status_code == 400 and "no question named" in bad.text


def test_an_action_plan_is_turned_into_a_consultation_draft(client, tracker):
    sign_in(client, "analyst")
    run_id = run_report(client, tracker)
    rec = client.run(lambda: Recommendation.filter(run_id=run_id).order_by("rank").first())
    client.post_form(f"/plans/recommendations/{rec.id}", {"decision": "accepted"})
    response = client.post_form("/plans/actionplans", {"title": "National action plan 2027"})
    plan_url = response.headers["location"]
    assert client.post_form(plan_url + "/adopt", {"run": str(run_id)}).status_code == 303
    assert client.post_form(plan_url + "/actions", {
        "objective": "participation", "title": "Train women mediators", "responsible": "Ministry of Defence",
        "level": "national", "budget": "250000", "currency": "eur", "starts_on": "2027-01-01",
        "ends_on": "2027-12-31"}).status_code == 303
    page = client.get(plan_url)
    assert "Train women mediators" in page.text and "Ministry of Defence" in page.text and rec.text in page.text
    turned = client.post_form(plan_url + "/draft")
    assert turned.status_code == 303 and turned.headers["location"].startswith("/consultations/")
    assert client.run(lambda: Recommendation.get(id=rec.id)).decision == Decision.ACCEPTED.value


def test_the_navigation_links_to_plans_for_panel_members_and_analysts_only(client):
    sign_in(client, "respondent")
    assert 'href="/plans"' not in client.get("/account/settings").text
    client.cookies.clear()
    sign_in(client, "panel")
    assert 'href="/plans"' in client.get("/plans").text


def test_an_analyst_sets_the_design_and_the_next_report_follows_it(client, tracker):
    sign_in(client, "analyst")
    assert client.get(f"/plans/t/{tracker.slug}").status_code == 200
    response = client.post_form(f"/plans/t/{tracker.slug}/design", {"weights": "", "strata": "country", "psu": "",
                                                                     "min_n": "25", "correction": "bh"})
    assert response.status_code == 303
    run_id = run_report(client, tracker)
    run = client.run(lambda: ReportRun.get(id=run_id))
    assert run.result["settings"]["correction_r"] == "BH" and run.result["settings"]["min_n"] == 25
    assert run.result["margins"] == {} and "strata = ~country" in run.result["r_design"][0]
    assert "Benjamini-Hochberg" in client.get(f"/plans/runs/{run_id}").text


def test_the_report_page_renders_in_every_language(client, tracker):
    sign_in(client, "analyst")
    run_id = run_report(client, tracker)
    for code in ("fr", "uk", "ar", "fa"):
        client.get(f"/language/{code}?next=/")
        page = client.get(f"/plans/runs/{run_id}")
        assert page.status_code == 200 and f'lang="{code}"' in page.text
    assert 'dir="rtl"' in page.text
    assert "افغانستان" in page.text  # the Persian questionnaire's name for the group
