"""A stack deployed with PublicCreation=false: only API key holders create links, and the
page says so plainly, whether config.json told it (the publish step writes
publicCreation) or the API's 401 does. A key entered on the page opens the form."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LOOKS, PageUnderTest, page_for_a_test
from tests.browser.shortener_page import alert, fill_form, is_creation, serve_config, shorten
from tests.browser.test_accessibility import check_with_axe
from tests.browser.test_api_key_links import (
    STORAGE_KEY,
    UNKNOWN_KEY,
    enter_key,
    expect_fits_the_screen,
    listed_by_api,
    new_key,
    stored_key,
)
from tests.e2e.conftest import LocalStack

NEEDS_A_KEY = (
    "This shortener creates links only for holders of an API key. With one, enter it under"
    " “Have an API key?” below to create links here, or use the API: POST /shorten with"
    " Authorization: Bearer <key>."
)
KEY_REJECTED = (
    "This API key is unknown or revoked: the shortener refused to create the link with it"
    " (401). Choose “Forget key” at the bottom of the page, then enter another under"
    " “Have an API key?”."
)
CLOSED = {"apiBaseUrl": "", "publicCreation": False}


@pytest.fixture
def closed_ui(browser: Browser, closed_stack: LocalStack) -> Iterator[PageUnderTest]:
    yield from page_for_a_test(browser, closed_stack)


@pytest.fixture(params=list(LOOKS))
def closed_look(
    request: pytest.FixtureRequest, browser: Browser, closed_stack: LocalStack
) -> Iterator[PageUnderTest]:
    """Like `closed_ui`, once per look: both colour schemes, desktop and 360 px."""
    yield from page_for_a_test(browser, closed_stack, **LOOKS[request.param])


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


def expect_closed(page: Page) -> None:
    expect(page.locator("#creation-closed")).to_have_text(NEEDS_A_KEY)
    expect(page.get_by_label("Long URL")).to_be_hidden()
    expect(page.get_by_role("button", name="Shorten", exact=True)).to_be_hidden()


def expect_open(page: Page) -> None:
    expect(page.get_by_label("Long URL")).to_be_visible()
    expect(page.get_by_role("button", name="Shorten", exact=True)).to_be_visible()
    expect(page.locator("#creation-closed")).to_be_hidden()


def test_a_key_entered_on_the_page_opens_the_form_until_it_is_forgotten(
    closed_look: PageUnderTest,
) -> None:
    stack = closed_look.stack
    key = new_key(stack)
    serve_config(closed_look, CLOSED)
    page = closed_look.open()
    expect_closed(page)

    enter_key(page, key)

    expect_open(page)
    assert check_with_axe(page) == []
    expect_fits_the_screen(page)
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/shorten")) as sent:
        created = shorten(page, "example.com/made-with-a-key")
    assert sent.value.headers["authorization"] == f"Bearer {key}"
    assert created["url"] == "https://example.com/made-with-a-key"
    assert created["shortId"] in [link["shortId"] for link in listed_by_api(stack, key)]

    # A key stored earlier opens it from the start.
    page = closed_look.open()
    expect_open(page)

    page.locator("#api-key").get_by_role("button", name="Forget key").click()

    expect_closed(page)
    assert stored_key(page) is None
    assert check_with_axe(page) == []


def test_a_401_with_a_key_says_the_key_is_unknown_or_revoked(closed_ui: PageUnderTest) -> None:
    serve_config(closed_ui, CLOSED)
    page = closed_ui.open()
    page.evaluate("([name, key]) => localStorage.setItem(name, key)", [STORAGE_KEY, UNKNOWN_KEY])
    page = closed_ui.open()
    expect_open(page)
    fill_form(page, "https://example.com/unknown-key")

    with page.expect_response(is_creation) as answer:
        page.get_by_role("button", name="Shorten", exact=True).click()

    assert answer.value.status == 401
    assert answer.value.request.headers["authorization"] == f"Bearer {UNKNOWN_KEY}"
    expect(alert(page).locator("p")).to_have_text(KEY_REJECTED)
    expect(page.locator("#result")).to_be_hidden()
    assert check_with_axe(page) == []
