"""A panel member signs in with an emailed code and comments on a paragraph of the open demo consultation, reaching
the form with the keyboard only, on a phone, with JavaScript on and off."""

from __future__ import annotations

import re

import pytest

from consult.consultations.demo import OPEN_TITLE
from tests.e2e.conftest import axe_violations, screenshot
from tests.e2e.support import outbox_dir, sign_in

pytestmark = pytest.mark.e2e

MEMBER = "panel.fa@example.org"  # Zahra: her pages are in Persian, right to left
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 1}


@pytest.fixture(scope="module")
def member_state(live_server, browser, tmp_path_factory):
    """The panel member's signed-in cookies (one code per module: a new code may be asked once a minute)."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in(page, live_server, outbox_dir(tmp_path_factory), MEMBER, next_path="/consultations")
    assert page.url.rstrip("/").endswith("/consultations"), page.url
    screenshot(page, "consultation-list")
    state = context.storage_state()
    context.close()
    return state


def _member_page(browser, state, javascript=True, bypass_csp=False):
    context = browser.new_context(**PHONE, storage_state=state, java_script_enabled=javascript,
                                  bypass_csp=bypass_csp)
    page = context.new_page()
    foreign = []
    page.on("request", lambda req: foreign.append(req.url) if not req.url.startswith(
        ("http://127.0.0.1", "data:", "about:")) else None)
    page.foreign_requests = foreign  # type: ignore[attr-defined]
    return context, page


def _open_consultation(page, base: str) -> str:
    page.goto(base + "/consultations")
    page.get_by_role("link", name=OPEN_TITLE).click()
    page.wait_for_url(re.compile(r".*/consultations/\d+$"))
    return page.url


def _count(paragraph) -> int:
    """The number of comments the draft shows under a paragraph (in the reader's digits)."""
    counter = paragraph.locator(".count")
    if counter.count() == 0:
        return 0
    return int(re.search(r"\d+", counter.inner_text()).group())


def _tab_to(page, test: str, limit: int = 120) -> None:
    """Press Tab until the focused element passes ``test`` (a JavaScript function of the element)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"({test})(document.activeElement)"):
            style = page.evaluate("(e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).boxShadow])"
                                  "(document.activeElement)")
            assert style != ["none", "none"], f"no visible focus on {test}"
            return
    raise AssertionError(f"Tab never reached {test}")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_panel_member_comments_on_a_paragraph_with_the_keyboard(live_server, browser, member_state, javascript):
    context, page = _member_page(browser, member_state, javascript)
    try:
        draft_url = _open_consultation(page, live_server)
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("article.draft section.paragraph").count() >= 4
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        name = f"consultation-{'js' if javascript else 'nojs'}"
        screenshot(page, f"{name}-draft")

        # The second paragraph's comment link, reached with Tab and followed with Enter.
        link = page.locator("article.draft section.paragraph").nth(1).locator(".paragraph-links a")
        href = link.get_attribute("href")
        before = _count(page.locator("article.draft section.paragraph").nth(1))
        key = re.search(r"/p/([^?#]+)", href).group(1)
        _tab_to(page, f"e => e.getAttribute('href') === {href!r}")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert f"/p/{key}" in page.url and page.url.endswith("#comment-form")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        # From the heading of the form, Tab reaches the comment field; type, Tab to "Send", Enter.
        _tab_to(page, "e => e.id === 'body'", limit=10)
        body = f"Women's organisations need at least a week's notice ({'js' if javascript else 'nojs'})."
        page.keyboard.type(body)
        # An English comment typed on a Persian page reads left to right (the full stop at its end).
        assert page.evaluate("getComputedStyle(document.activeElement).direction") == "ltr"
        screenshot(page, f"{name}-comment-form")
        _tab_to(page, "e => e.tagName === 'BUTTON' && e.form && e.form.querySelector('#body') !== null",
                limit=5)
        with page.expect_navigation():
            page.keyboard.press("Enter")

        # Back on the paragraph: her comment, under her name, the page scrolled to it.
        assert re.search(rf"/p/{key}#c\d+$", page.url), page.url
        comment_id = page.url.rsplit("#", 1)[1]
        comment = page.locator(f"li#{comment_id}")
        assert comment.locator("p.body").inner_text() == body
        assert comment.locator("p.body").evaluate("e => getComputedStyle(e).direction") == "ltr"
        assert "Zahra" in comment.locator("p.meta").inner_text()
        assert page.locator("#body").input_value() == ""
        screenshot(page, f"{name}-commented")

        # The draft counts it.
        page.goto(draft_url)
        assert _count(page.locator(f"#p-{key}")) == before + 1
        assert page.foreign_requests == []
    finally:
        context.close()


def test_draft_and_comment_form_have_no_serious_accessibility_violations(live_server, browser, member_state):
    context, page = _member_page(browser, member_state, bypass_csp=True)
    try:
        _open_consultation(page, live_server)
        found = {"draft": axe_violations(page)}
        page.locator("article.draft .paragraph-links a").first.click()
        page.wait_for_url("**#comment-form")
        assert page.locator("form textarea#body").count() == 1
        found["paragraph"] = axe_violations(page)
        assert {k: v for k, v in found.items() if v} == {}
    finally:
        context.close()
