"""What the page says when the API is unreachable, rate limited or failing, and where it
sends its calls (config.json)."""

from __future__ import annotations

import json

from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.conftest import PageUnderTest, new_page_under_test
from tests.browser.shortener_page import alert, fill_form, is_creation, shorten
from tests.e2e.conftest import LocalStack


def format_wait(page: Page, seconds: int) -> str:
    """How the page words a wait: the page's own formatWait (web/assets/messages.js)."""
    worded: str = page.evaluate(
        "async (seconds) => (await import('/assets/messages.js')).formatWait(seconds)", seconds
    )
    return worded


def test_a_wait_is_worded_for_people(ui: PageUnderTest) -> None:
    expected = {
        1: "1 second",
        45: "45 seconds",
        60: "1 minute",
        61: "1 minute 1 second",
        195: "3 minutes 15 seconds",
        3599: "59 minutes 59 seconds",
        3600: "1 hour",
        # Past an hour, to the minute, rounded up: nobody is told to retry too early.
        3601: "1 hour 1 minute",
        4320: "1 hour 12 minutes",
        7500: "2 hours 5 minutes",
    }
    page = ui.open()

    assert {seconds: format_wait(page, seconds) for seconds in expected} == expected


def test_429_says_when_to_try_again(browser: Browser, rate_limited_stack: LocalStack) -> None:
    ui = new_page_under_test(browser, rate_limited_stack)
    try:
        page = ui.open()
        shorten(page, "https://example.com/the-only-one")

        fill_form(page, "https://example.com/one-too-many")
        with page.expect_response(is_creation) as answer:
            page.get_by_role("button", name="Shorten", exact=True).click()

        assert answer.value.status == 429
        retry_after = int(answer.value.headers["retry-after"])
        # The hour rolls by fifths: the creation leaves the span within 72 min.
        assert 0 < retry_after <= 3600 + 720
        expect(alert(page).locator("p")).to_have_text(
            "Too many links created from this address."
            f" Try again in {format_wait(page, retry_after)}."
        )
        assert ui.csp_violations() == []
    finally:
        ui.context.close()


def test_network_down_says_the_shortener_cannot_be_reached(ui: PageUnderTest) -> None:
    page = ui.open()
    page.route("**/shorten", lambda route: route.abort("internetdisconnected"))

    fill_form(page, "https://example.com/offline")
    page.get_by_role("button", name="Shorten", exact=True).click()

    expect(alert(page)).to_contain_text("Can't reach the shortener")
    expect(page.locator("#result")).to_be_hidden()
    # The form keeps what was typed, for a retry.
    expect(page.get_by_label("Long URL")).to_have_value("https://example.com/offline")


def test_a_retry_after_a_lost_answer_reuses_the_idempotency_key(ui: PageUnderTest) -> None:
    page = ui.open()
    keys: list[str] = []

    def lose_the_first_answer(route: Route) -> None:
        keys.append(route.request.headers["idempotency-key"])
        if len(keys) == 1:
            route.fetch()  # the link is created, but the answer never arrives
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/shorten", lose_the_first_answer)
    fill_form(page, "https://example.com/retried")
    page.get_by_role("button", name="Shorten", exact=True).click()
    expect(alert(page)).to_contain_text("Can't reach the shortener")

    with page.expect_response(is_creation) as answer:
        page.get_by_role("button", name="Shorten", exact=True).click()

    assert keys[0] == keys[1]
    assert answer.value.status == 201
    expect(page.locator("#my-links-list li")).to_have_count(1)


def test_a_server_error_is_reported_plainly(ui: PageUnderTest) -> None:
    page = ui.open()
    page.route(
        "**/shorten",
        lambda route: route.fulfill(
            status=502, content_type="text/html", body="<h1>Bad gateway</h1>"
        ),
    )

    fill_form(page, "https://example.com/unlucky")
    page.get_by_role("button", name="Shorten", exact=True).click()

    expect(alert(page)).to_contain_text("Something went wrong on the shortener's side (error 502)")
    page.get_by_role("button", name="Dismiss").click()
    expect(alert(page)).to_have_text("")


def test_api_calls_go_to_the_base_url_in_config_json(ui: PageUnderTest) -> None:
    # What the publish step writes: an absolute base URL (here the same origin, which is
    # what the deployed CSP allows), with a trailing slash that must not double up.
    ui.context.route(
        "**/config.json",
        lambda route: route.fulfill(
            content_type="application/json",
            body=json.dumps({"apiBaseUrl": ui.stack.base_url + "/"}),
        ),
    )
    page = ui.open()
    with page.expect_request(lambda r: r.method == "POST") as request:
        created = shorten(page, "https://example.com/configured")

    assert request.value.url == f"{ui.stack.base_url}/shorten"
    expect(page.locator("#result img")).to_have_attribute(
        "src", f"{ui.stack.base_url}/links/{created['shortId']}/qr"
    )
