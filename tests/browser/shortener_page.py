"""What a person does on the page, in the page's own words (labels, roles, visible text)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from playwright.sync_api import Locator, Page, expect

if TYPE_CHECKING:
    from tests.browser.conftest import PageUnderTest


def serve_config(ui: PageUnderTest, config: dict[str, object]) -> None:
    """config.json as the publish step writes it for the stack (the devserver serves web/'s)."""
    ui.context.route(
        "**/config.json",
        lambda route: route.fulfill(content_type="application/json", body=json.dumps(config)),
    )


def is_creation(response: Any) -> bool:
    return bool(response.request.method == "POST" and response.url.endswith("/shorten"))


def fill_form(
    page: Page, url: str, *, alias: str | None = None, expires: str | None = None
) -> None:
    page.get_by_label("Long URL").fill(url)
    if alias is not None:
        page.get_by_label("Custom alias").fill(alias)
    if expires is not None:
        page.get_by_label("Expires").select_option(label=expires)


def shorten(
    page: Page, url: str, *, alias: str | None = None, expires: str | None = None
) -> dict[str, Any]:
    """Shortens through the form; returns the API's answer once the page shows the result."""
    fill_form(page, url, alias=alias, expires=expires)
    with page.expect_response(is_creation) as answer:
        page.get_by_role("button", name="Shorten", exact=True).click()
    assert answer.value.status == 201, answer.value.text()
    created: dict[str, Any] = answer.value.json()
    expect(result_link(page)).to_have_text(created["shortUrl"])
    return created


def is_report(response: Any) -> bool:
    return bool(response.request.method == "POST" and response.url.endswith("/reports"))


def report_form(page: Page) -> Locator:
    return page.locator("#report-form")


def send_report(page: Page, reason: str, *, short_id: str | None = None, details: str = "") -> Any:
    """Fills the report form (the id only if given: #report=<id> fills it in), picks the
    reason by its value ("phishing") and sends it; returns the API's response."""
    form = report_form(page)
    if short_id is not None:
        form.get_by_label("Link to report").fill(short_id)
    form.get_by_label("Reason").select_option(reason)
    if details:
        form.get_by_label("Details").fill(details)
    with page.expect_response(is_report) as answer:
        form.get_by_role("button", name="Send report").click()
    return answer.value


def result_link(page: Page) -> Locator:
    return page.locator("#result").get_by_role("link").first


def my_link(page: Page, short_id: str) -> Locator:
    """The "My links" entry of one link."""
    return page.locator(f'#my-links-list li[data-short-id="{short_id}"]')


def alert(page: Page) -> Locator:
    return page.get_by_role("alert")


def field_error(page: Page, label: str) -> Locator:
    """The message the field with this label is described by (aria-describedby)."""
    field = page.get_by_label(label, exact=False).first
    expect(field).to_have_attribute("aria-invalid", "true")
    described_by = field.get_attribute("aria-describedby") or ""
    error_ids = [i for i in described_by.split() if i.endswith("-error")]
    assert error_ids, f"{label!r} is not described by an error message: {described_by!r}"
    return page.locator(f"#{error_ids[0]}")
