"""A stack deployed with PublicCreation=false: only API key holders create links, and the
page says so plainly, whether config.json told it (the publish step writes
publicCreation) or the API's 401 does."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import PageUnderTest, new_page_under_test
from tests.browser.shortener_page import alert, fill_form, is_creation
from tests.e2e.conftest import LocalStack

NEEDS_A_KEY = (
    "This shortener creates links only for holders of an API key, so this page cannot"
    " create one. Key holders create links through the API: POST /shorten with"
    " Authorization: Bearer <key>."
)


@pytest.fixture
def closed_ui(browser: Browser, closed_stack: LocalStack) -> Iterator[PageUnderTest]:
    ui = new_page_under_test(browser, closed_stack)
    yield ui
    violations = ui.csp_violations()
    ui.context.close()
    assert violations == [], f"the page broke its CSP: {violations}"


def serve_config(ui: PageUnderTest, config: dict[str, object]) -> None:
    """config.json as the publish step writes it for the stack (the devserver serves web/'s)."""
    ui.context.route(
        "**/config.json",
        lambda route: route.fulfill(content_type="application/json", body=json.dumps(config)),
    )


def test_a_closed_stack_shows_who_may_create_links_instead_of_the_form(
    closed_ui: PageUnderTest,
) -> None:
    serve_config(closed_ui, {"apiBaseUrl": "", "publicCreation": False})
    page = closed_ui.open()

    expect(page.locator("#creation-closed")).to_have_text(NEEDS_A_KEY)
    expect(page.get_by_label("Long URL")).to_be_hidden()
    expect(page.get_by_role("button", name="Shorten", exact=True)).to_be_hidden()
    # Everything else still works: looking links up, reporting them.
    expect(page.get_by_role("link", name="Look up a link")).to_be_visible()
    expect(page.get_by_role("link", name="Report a link as abuse")).to_be_visible()


def test_a_401_from_shorten_says_that_creation_needs_an_api_key(closed_ui: PageUnderTest) -> None:
    # A page whose config.json predates the closing (no publicCreation: open) still
    # offers the form; the API's answer is what tells the truth then.
    page = closed_ui.open()
    fill_form(page, "https://example.com/no-key")

    with page.expect_response(is_creation) as answer:
        page.get_by_role("button", name="Shorten", exact=True).click()

    assert answer.value.status == 401
    expect(alert(page).locator("p")).to_have_text(NEEDS_A_KEY)
    expect(page.locator("#result")).to_be_hidden()


def test_an_open_stack_shows_the_form(ui: PageUnderTest) -> None:
    serve_config(ui, {"apiBaseUrl": "", "publicCreation": True})
    page = ui.open()

    expect(page.get_by_label("Long URL")).to_be_visible()
    expect(page.locator("#creation-closed")).to_be_hidden()


def test_a_publiccreation_that_is_not_a_boolean_leaves_the_form_open(ui: PageUnderTest) -> None:
    serve_config(ui, {"apiBaseUrl": "", "publicCreation": "no"})
    page = ui.open()

    expect(page.get_by_label("Long URL")).to_be_visible()
    expect(page.locator("#creation-closed")).to_be_hidden()
