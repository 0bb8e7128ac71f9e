"""A respondent completes the demo survey in Arabic on a phone, with JavaScript on and with it off."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import axe_violations, screenshot

pytestmark = pytest.mark.e2e

SURVEY = "/s/wps-perceptions"
NEXT = "form button[name=action][value=next]"
BACK = "form button[name=action][value=back]"


def _check_page(page) -> None:
    """What every respondent page must have: Arabic right-to-left, and the quick-exit control."""
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl", page.url
    assert html.get_attribute("lang") == "ar", page.url
    exit_link = page.locator("a.quick-exit[data-quick-exit]")
    assert exit_link.count() == 1, page.url
    assert exit_link.is_visible(), page.url
    assert exit_link.get_attribute("href", timeout=1000).startswith("https://")
    # Inside a landmark, and no empty language menu beside the survey's own (axe: region, landmark-unique).
    assert exit_link.evaluate("e => e.closest('header, main, nav, footer') !== null"), page.url
    assert page.locator("nav:not(:has(li))").count() == 0, page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], page.url


def _state(page) -> list[list[str]]:
    """The answers on the page as the form would send them."""
    return page.evaluate("""() => Array.from(document.querySelectorAll("form [name^='a:']"))
        .filter(e => !['radio', 'checkbox'].includes(e.type) || e.checked).map(e => [e.name, e.value])""")


def _answer_visible(page, quick: bool = False) -> None:
    """Answer every visible question that has no answer yet, as a person would: the first choice, or a valid
    value typed in. (One look at the page finds what is unanswered; Playwright then clicks and types.) ``quick``
    sets the values in the page instead, for the accessibility walk, which is about the pages, not the typing."""
    todo = page.evaluate("""() => {
        const out = [];
        for (const set of document.querySelectorAll("form fieldset.field")) {
            if (!set.querySelector("input:checked")) {
                out.push(["check", set.querySelector("input[type=radio], input[type=checkbox]").id]);
            }
        }
        for (const e of document.querySelectorAll("form .field input[name^='a:'], form .field textarea[name^='a:']")) {
            if (!['radio', 'checkbox'].includes(e.type) && !e.value) {
                out.push([e.tagName === "TEXTAREA" ? "textarea" : (e.getAttribute("inputmode") || e.type), e.id]);
            }
        }
        return out;
    }""")
    values = {"date": "2020-03-15", "numeric": "4", "decimal": "2.5", "textarea": "نحتاج إلى مراكز آمنة للنساء."}
    if quick:
        page.evaluate("""([todo, values]) => { for (const [kind, id] of todo) {
            const e = document.getElementById(id);
            if (kind === "check") e.checked = true; else e.value = values[kind] || "نعم";
        } }""", [todo, values])
        return
    for kind, element_id in todo:
        field = page.locator(f"#{element_id}")
        if kind == "check":
            field.check()
        else:
            field.fill(values.get(kind, "نعم"))


def _submit(page, button: str) -> None:
    with page.expect_navigation():
        page.locator(button).click()


def _page_index(page) -> int:
    return int(page.locator("form input[name=page]").get_attribute("value"))


def complete_survey_in_arabic(page, base: str, name: str, audit: bool = False) -> dict:
    """Consent in Arabic, answer every page (going Back once), finish. Returns what was seen."""
    seen = {"pages": [], "axe": {}}
    page.goto(base + SURVEY)
    page.locator("nav.survey-languages").get_by_role("link", name="العربية").click()
    page.wait_for_url("**" + SURVEY + "?lang=ar")
    _check_page(page)
    if not audit:
        screenshot(page, f"{name}-consent")
    else:
        seen["axe"]["consent"] = axe_violations(page)
    _submit(page, "form button[name=consent][value=yes]")

    went_back = False
    for _ in range(40):  # a bound, in case a page never lets her through
        if page.url.endswith("/done"):
            break
        assert page.url.split("?")[0].endswith(SURVEY + "/page"), page.url
        _check_page(page)
        index = _page_index(page)
        if not seen["pages"] or seen["pages"][-1] != index:
            seen["pages"].append(index)
            if audit:
                seen["axe"][f"page {index}"] = axe_violations(page)
            if len(seen["pages"]) in (1, 2) and not audit:
                screenshot(page, f"{name}-page-{index}")
        _answer_visible(page, quick=audit)
        if len(seen["pages"]) == 3 and not went_back:
            # Back once from the third page: the second page comes back with its answers.
            went_back = True
            previous = seen["pages"][-2]
            _submit(page, BACK)
            assert _page_index(page) == previous
            _check_page(page)
            assert _state(page) == seen["answers"], "the answers were not kept when going back"
            _submit(page, NEXT)
            assert _page_index(page) == index
            continue
        seen["answers"] = _state(page)
        _submit(page, NEXT)
    else:
        pytest.fail(f"the survey did not end: {seen['pages']}")
    _check_page(page)
    assert page.locator("main h1").count() == 1
    assert page.locator("main p.notice.error").count() == 0
    if not audit:
        screenshot(page, f"{name}-thanks")
    else:
        seen["axe"]["done"] = axe_violations(page)
    return seen


@pytest.mark.parametrize("phone", [True, False], indirect=True, ids=["js", "nojs"])
def test_respondent_completes_the_survey_in_arabic_on_a_phone(live_server, phone, request):
    seen = complete_survey_in_arabic(phone, live_server, f"survey-ar-{request.node.callspec.id}")
    assert seen["pages"] == sorted(seen["pages"]) and len(seen["pages"]) >= 5, seen["pages"]
    # The thank-you page says that the answers were recorded (not "no questionnaire in progress").
    assert phone.locator("main a[href*='new=1']").count() == 1
    # Starting again on this device shows the thank-you page, not a new questionnaire.
    phone.goto(live_server + SURVEY)
    assert phone.url.endswith(SURVEY + "/done")
    assert phone.foreign_requests == []


def test_survey_pages_have_no_serious_accessibility_violations(live_server, audit_page):
    seen = complete_survey_in_arabic(audit_page, live_server, "survey-ar-axe", audit=True)
    assert {k: v for k, v in seen["axe"].items() if v} == {}


def test_missing_required_answer_is_reported_accessibly(live_server, audit_page):
    audit_page.goto(live_server + SURVEY + "?lang=ar")
    _submit(audit_page, "form button[name=consent][value=yes]")
    _submit(audit_page, NEXT)  # the first page with nothing answered
    assert audit_page.locator("main [role=alert]").count() == 1
    invalid = audit_page.locator("fieldset.field.invalid")
    assert invalid.count() >= 1
    first = invalid.first
    described = first.get_attribute("aria-describedby")
    assert described and audit_page.locator(f"#{described.split()[0]}").is_visible()
    _check_page(audit_page)
    screenshot(audit_page, "survey-ar-error")
    assert axe_violations(audit_page) == []


@pytest.mark.parametrize("phone", [True, False], indirect=True, ids=["js", "nojs"])
def test_respondent_deletes_her_answers_in_arabic(live_server, phone, request):
    """From the second page: "Delete my answers", asked once more, then gone; the survey starts afresh here."""
    name = f"survey-ar-withdraw-{request.node.callspec.id}"
    phone.goto(live_server + SURVEY + "?lang=ar")
    _submit(phone, "form button[name=consent][value=yes]")
    _answer_visible(phone)
    _submit(phone, NEXT)
    _check_page(phone)
    with phone.expect_navigation():
        phone.locator(f"main a[href='{SURVEY}/withdraw']").click()
    _check_page(phone)
    screenshot(phone, f"{name}-asked")
    _submit(phone, f"form[action='{SURVEY}/withdraw'] button")
    _check_page(phone)
    assert phone.locator("main p.notice").count() == 1
    screenshot(phone, f"{name}-done")
    phone.goto(live_server + SURVEY + "?lang=ar")
    assert phone.url.split("?")[0].endswith(SURVEY)  # the consent page again, not her page or the thank-you page
    assert phone.locator("form button[name=consent][value=yes]").count() == 1
    assert phone.foreign_requests == []


def test_delete_my_answers_pages_have_no_serious_accessibility_violations(live_server, audit_page):
    audit_page.goto(live_server + SURVEY + "?lang=ar")
    _submit(audit_page, "form button[name=consent][value=yes]")
    audit_page.goto(live_server + SURVEY + "/withdraw")
    found = {"asked": axe_violations(audit_page)}
    _submit(audit_page, f"form[action='{SURVEY}/withdraw'] button")
    found["done"] = axe_violations(audit_page)
    assert {k: v for k, v in found.items() if v} == {}
