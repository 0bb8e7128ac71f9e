"""The home page in a real browser: Arabic right-to-left on a phone, with and without JavaScript."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import axe_violations, screenshot

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("phone", [True, False], indirect=True, ids=["js", "nojs"])
def test_home_in_arabic_on_a_phone(live_server, phone, request):
    phone.goto(live_server + "/")
    phone.get_by_role("link", name="العربية").click()
    phone.wait_for_url(live_server + "/")
    assert phone.locator("html").get_attribute("dir") == "rtl"
    assert phone.locator("html").get_attribute("lang") == "ar"
    assert phone.locator("h1").inner_text().startswith("المرأة والسلام والأمن")
    # Nothing wider than the screen: no sideways scrolling on a 360 px phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, request.node.name)
    assert phone.foreign_requests == []


def test_skip_link_is_first_and_focus_is_visible(live_server, phone):
    phone.goto(live_server + "/")
    phone.keyboard.press("Tab")
    focused = phone.evaluate("document.activeElement.className")
    assert focused == "skip"
    outline = phone.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_home_has_no_serious_accessibility_violations(live_server, audit_page):
    for language in ("en", "ar"):
        audit_page.goto(f"{live_server}/language/{language}?next=/")
        assert axe_violations(audit_page) == [], language
