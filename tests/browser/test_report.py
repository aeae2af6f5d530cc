"""Reporting a link as abuse: from the address the API's 404/410 pages link to
(/#report=<id>), from the footer and from a link's details, and what the page says when
the API refuses."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import PageUnderTest, new_page_under_test
from tests.browser.shortener_page import alert, report_form, send_report
from tests.browser.test_errors import format_wait
from tests.browser.test_phone import PHONE, horizontal_overflow
from tests.e2e.conftest import LocalStack

THANKS = (
    "Thanks: your report of “{}” was received, and the operator of this shortener has been told"
)


def report_field_error(page: Page, label: str) -> Locator:
    """The message the report form's field with this label is described by."""
    field = report_form(page).get_by_label(label)
    expect(field).to_have_attribute("aria-invalid", "true")
    described_by = (field.get_attribute("aria-describedby") or "").split()
    [error_id] = [i for i in described_by if i.endswith("-error")]
    return page.locator(f"#{error_id}")


def test_a_report_from_the_address_on_the_404_page_reaches_the_api(ui: PageUnderTest) -> None:
    created = ui.stack.shorten({"url": "https://example.com/phish"}).json()
    page = ui.open(f"/#report={created['shortId']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a link as abuse")
    expect(report_form(page).get_by_label("Link to report")).to_have_value(created["shortId"])

    answer = send_report(page, "phishing", details="It asked for my bank password.")

    assert answer.status == 202, answer.text()
    assert json.loads(answer.request.post_data or "") == {
        "shortId": created["shortId"],
        "reason": "phishing",
        "details": "It asked for my bank password.",
    }
    expect(page.get_by_role("heading", name="Report sent")).to_be_focused()
    expect(page.locator("#report-sent")).to_contain_text(THANKS.format(created["shortId"]))
    expect(alert(page)).to_have_text("")


def test_the_footer_and_the_details_view_lead_to_the_form(ui: PageUnderTest) -> None:
    created = ui.stack.shorten({"url": "https://example.com/spam"}).json()
    page = ui.open()
    page.get_by_role("contentinfo").get_by_role("link", name="Report a link as abuse").click()
    expect(page).to_have_url(f"{ui.stack.base_url}/#report")
    expect(page.get_by_role("heading", level=1)).to_be_focused()

    page.goto(f"{ui.stack.base_url}/#/links/{created['shortId']}")
    page.get_by_role("link", name="Report this link as abuse").click()
    expect(report_form(page).get_by_label("Link to report")).to_have_value(created["shortId"])

    # A pasted short link is as good as its id.
    assert send_report(page, "spam", short_id=created["shortUrl"]).status == 202
    expect(page.locator("#report-sent")).to_contain_text(THANKS.format(created["shortId"]))


def test_reporting_an_unknown_link_says_there_is_no_such_link(ui: PageUnderTest) -> None:
    page = ui.open("/#report=no-such-link")

    answer = send_report(page, "malware")

    assert answer.status == 404
    # Told once, next to the field it concerns.
    expect(report_field_error(page, "Link to report")).to_have_text(
        "No short link has this id (404). Check the id."
    )
    expect(alert(page)).to_have_text("")
    expect(report_form(page).get_by_label("Link to report")).to_be_focused()
    expect(page.locator("#report-sent")).to_be_hidden()


def test_the_form_checks_what_it_can_before_sending(ui: PageUnderTest) -> None:
    page = ui.open("/#report")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    form = report_form(page)

    form.get_by_role("button", name="Send report").click()

    expect(report_field_error(page, "Link to report")).to_have_text(
        "Enter the short link or its id."
    )
    expect(report_field_error(page, "Reason")).to_have_text("Choose why you report this link.")
    expect(form.get_by_label("Link to report")).to_be_focused()
    # The browser keeps the details within the API's 1,000 characters.
    form.get_by_label("Details").fill("x" * 1001)
    assert len(form.get_by_label("Details").input_value()) == 1000
    assert [url for url in requests if url.endswith("/reports")] == []


def test_the_apis_field_errors_show_next_to_their_fields(ui: PageUnderTest) -> None:
    # The API is the judge of what the page cannot check; its 400 names the field.
    page = ui.open("/#report=abcde")
    page.route(
        "**/reports",
        lambda route: route.fulfill(
            status=400,
            content_type="application/json",
            body=json.dumps(
                {
                    "message": "details must be at most 1000 characters",
                    "errors": [{"field": "details", "reason": "must be at most 1000 characters"}],
                }
            ),
        ),
    )

    send_report(page, "other", details="too long, says the API")

    expect(report_field_error(page, "Details")).to_have_text(
        "The details must be at most 1000 characters."
    )
    expect(alert(page)).to_have_text("")
    expect(report_form(page).get_by_label("Details")).to_be_focused()


def test_too_many_reports_says_when_to_try_again(
    browser: Browser, rate_limited_stack: LocalStack
) -> None:
    # Made with the stack's admin key, which counts against the key's own limit: the
    # address's one link an hour stays for test_errors.py's 429, whichever runs first.
    admin_key = next(
        match.group(1)
        for line in rate_limited_stack.output
        if (match := re.search(r"Admin API key: (usk_\S+)", line))
    )
    created = rate_limited_stack.shorten(
        {"url": "https://example.com/reported-twice"}, Authorization=f"Bearer {admin_key}"
    ).json()
    ui = new_page_under_test(browser, rate_limited_stack)
    try:
        page = ui.open(f"/#report={created['shortId']}")
        assert send_report(page, "spam").status == 202

        answer = send_report(page, "spam")

        assert answer.status == 429
        retry_after = int(answer.headers["retry-after"])
        assert 0 < retry_after <= 3600 + 720
        expect(alert(page).locator("p")).to_have_text(
            f"Too many reports from your address. Try again in {format_wait(page, retry_after)}."
        )
        expect(page.locator("#report-sent")).to_be_hidden()
        assert ui.csp_violations() == []
    finally:
        ui.context.close()


def test_the_report_form_fits_a_phone(browser: Browser, stack: LocalStack) -> None:
    created = stack.shorten({"url": "https://example.com/on-a-phone"}).json()
    ui = new_page_under_test(browser, stack, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = ui.open(f"/#report={created['shortId']}")
        assert horizontal_overflow(page) <= 0

        assert send_report(page, "phishing", details="A fake login page. " * 20).status == 202

        expect(page.locator("#report-sent")).to_be_visible()
        assert horizontal_overflow(page) <= 0
        assert ui.csp_violations() == []
    finally:
        ui.context.close()
