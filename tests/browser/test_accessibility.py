"""axe-core's automated accessibility rules on each view, in the states people see, in the
light and the dark colour scheme."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PageUnderTest, page_for_a_test
from tests.browser.shortener_page import field_error, fill_form, send_report, serve_config, shorten
from tests.e2e.conftest import LocalStack

BLOCKING_IMPACTS = {"serious", "critical"}
COLOUR_SCHEMES = ["light", "dark"]


def page_in_scheme(browser: Browser, stack: LocalStack, scheme: str) -> Iterator[PageUnderTest]:
    """A fresh page whose system colour scheme is `scheme`; fails on a CSP violation."""
    yield from page_for_a_test(browser, stack, color_scheme=scheme)


@pytest.fixture(params=COLOUR_SCHEMES)
def ui(
    request: pytest.FixtureRequest, browser: Browser, stack: LocalStack
) -> Iterator[PageUnderTest]:
    """conftest's `ui`, once per colour scheme: each test below (and any added here) runs
    in light and in dark, where contrast can fail differently."""
    yield from page_in_scheme(browser, stack, request.param)


def check_with_axe(page: Page) -> list[dict[str, Any]]:
    """Runs axe on the page; returns the serious and critical violations, prints the rest."""
    results = Axe().run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    for violation in violations:
        if violation["impact"] not in BLOCKING_IMPACTS:
            print(f"axe ({violation['impact']}): {violation['id']}: {violation['help']}")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]


def test_main_view_with_a_result_and_an_error_has_no_serious_violations(
    ui: PageUnderTest,
) -> None:
    page = ui.open()
    assert check_with_axe(page) == []

    created = shorten(page, "https://example.com/accessible", expires="In 7 days")
    page.locator(f'li[data-short-id="{created["shortId"]}"]').get_by_role(
        "button", name=f"Delete {created['shortId']}"
    ).click()
    fill_form(page, "not a url")
    page.get_by_role("button", name="Shorten", exact=True).click()
    expect(field_error(page, "Long URL")).to_be_visible()

    assert check_with_axe(page) == []
    assert page.locator("h1").count() == 1
    assert page.locator("html").get_attribute("lang") == "en"


def test_link_info_view_has_no_serious_violations(ui: PageUnderTest) -> None:
    created = ui.stack.shorten({"url": "https://example.com/details"}).json()
    page = ui.open(f"/#/links/{created['shortId']}")
    expect(page.locator("#details-url")).to_have_text("https://example.com/details")

    assert check_with_axe(page) == []
    assert page.locator("h1").count() == 1


def test_report_view_with_an_error_and_once_sent_has_no_serious_violations(
    ui: PageUnderTest,
) -> None:
    created = ui.stack.shorten({"url": "https://example.com/reported"}).json()
    page = ui.open("/#report=not-a-link")
    assert check_with_axe(page) == []

    assert send_report(page, "spam").status == 404
    expect(field_error(page, "Link to report")).to_contain_text("No short link has this id")
    assert check_with_axe(page) == []

    assert send_report(page, "other", short_id=created["shortId"], details="Odd.").status == 202
    expect(page.get_by_role("heading", name="Report sent")).to_be_visible()
    assert check_with_axe(page) == []
    assert page.locator("h1").count() == 1


def test_closed_creation_notice_has_no_serious_violations(ui: PageUnderTest) -> None:
    serve_config(ui, {"apiBaseUrl": "", "publicCreation": False})
    page = ui.open()
    expect(page.locator("#creation-closed")).to_be_visible()

    assert check_with_axe(page) == []
