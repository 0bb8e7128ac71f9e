"""An analyst signs in with an emailed code and opens the demo report (the perception survey's latest wave) on a
phone; the page passes the automated accessibility check."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import axe_violations, screenshot
from tests.e2e.support import outbox_dir, sign_in

pytestmark = pytest.mark.e2e

ANALYST = "analyst@example.org"  # Olena: her pages are in Ukrainian
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 1}


def test_analyst_opens_the_demo_report(live_server, browser, tmp_path_factory):
    context = browser.new_context(**PHONE, bypass_csp=True)  # bypass_csp: axe is injected at the end
    page = context.new_page()
    foreign = []
    page.on("request", lambda req: foreign.append(req.url) if not req.url.startswith(
        ("http://127.0.0.1", "data:", "about:")) else None)
    try:
        sign_in(page, live_server, outbox_dir(tmp_path_factory), ANALYST, next_path="/plans")
        assert page.url.endswith("/plans"), page.url
        page.locator("main a[href^='/plans/runs/']").first.click()
        page.wait_for_url(re.compile(r".*/plans/runs/\d+$"))
        assert page.locator("html").get_attribute("lang") == "uk"
        assert page.locator("main h1").count() == 1
        assert page.locator("main svg").count() >= 1, "the report has no chart"
        # Wide tables, charts and the R code scroll in their own boxes: the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "report-analyst")
        assert foreign == []
        assert axe_violations(page) == []
    finally:
        context.close()
