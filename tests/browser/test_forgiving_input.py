"""URL fields as forgiving as an address bar (normaliseUrlInput in web/assets/validation.js),
what the page says it will send before it sends it, and each error told once."""

from __future__ import annotations

import json
import uuid
from typing import Any

from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import PageUnderTest
from tests.browser.shortener_page import (
    alert,
    field_error,
    fill_form,
    is_creation,
    my_link,
    report_form,
    send_report,
    shorten,
)
from tests.browser.test_accessibility import check_with_axe

NOT_HTTP = "The URL must be an absolute http or https URL, like https://example.com/page."
INVISIBLE = "The URL must not contain whitespace or control characters."

# What was typed or pasted -> (the URL sent, or None, and the message when refused).
NORMALISED: dict[str, tuple[str | None, str | None]] = {
    # A host alone gets https://, as in an address bar.
    "example.com/page": ("https://example.com/page", None),
    "www.x.y": ("https://www.x.y/", None),
    "münchen.de/bücher": ("https://xn--mnchen-3ya.de/b%C3%BCcher", None),
    "example.com:8080/x?y=1": ("https://example.com:8080/x?y=1", None),
    "93.184.216.34/x": ("https://93.184.216.34/x", None),
    "//example.com/x": ("https://example.com/x", None),
    "HTTP://EXAMPLE.COM": ("http://example.com/", None),
    # Spaces in path, query and fragment are encoded.
    "https://example.com/a b?q=c d#e f": ("https://example.com/a%20b?q=c%20d#e%20f", None),
    # An e-mail's wrapping: line breaks go with the indentation around them; tabs go.
    "https://example.com/a-very-\r\n    long-path?x=1": (
        "https://example.com/a-very-long-path?x=1",
        None,
    ),
    "https://example.com/\tx\n": ("https://example.com/x", None),
    # What chats leave at the ends: no-break, zero-width, BOM, word joiner.
    "  https://example.com/x\u00a0": ("https://example.com/x", None),
    "\ufeffhttps://example.com/x\u200b\u2060": ("https://example.com/x", None),
    # Invisible characters inside are refused, as the API refuses them.
    "https://exa\u200bmple.com/": (None, INVISIBLE),
    "https://example.com/a\u00a0b": (None, INVISIBLE),
    # As the API (src/domain/url_policy.py): NEL trimmed at the ends, the two joiners that
    # emoji and some scripts spell words with let through inside, encoded.
    "https://example.com/x\u0085": ("https://example.com/x", None),
    "https://example.com/\U0001f469\u200d\U0001f4bb": (
        "https://example.com/%F0%9F%91%A9%E2%80%8D%F0%9F%92%BB",
        None,
    ),
    "https://example.com/\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645": (
        "https://example.com/%D9%85%DB%8C%E2%80%8C%D8%AE%D9%88%D8%A7%D9%87%D9%85",
        None,
    ),
    "https://example.com/\u202eexe.txt": (None, INVISIBLE),
    # Not http(s), not a host: refused as before.
    "mailto:someone@example.com": (None, NOT_HTTP),
    "javascript:alert(1)": (None, NOT_HTTP),
    "ftp://example.com/file": (None, NOT_HTTP),
    "someone@example.com": (None, NOT_HTTP),
    "not a url": (None, NOT_HTTP),
    "v2.0": (None, NOT_HTTP),
    "https://exa mple.com/": (None, "The URL is not a valid URL."),
    "https://user:secret@example.com/": (
        None,
        "The URL must not contain a user name or password.",
    ),
    " \u00a0\u200b": (None, "Enter the URL to shorten."),
}


def normalised(page: Page, typed: str) -> tuple[str | None, str | None]:
    result: dict[str, Any] = page.evaluate(
        "async (typed) => (await import('/assets/validation.js')).normaliseUrlInput(typed)",
        typed,
    )
    return result["url"], result["problem"]


def test_normalise_url_input_forgives_what_an_address_bar_forgives(ui: PageUnderTest) -> None:
    page = ui.open()

    assert {typed: normalised(page, typed) for typed in NORMALISED} == NORMALISED


def sent_url(request: Any) -> str:
    url: str = json.loads(request.post_data or "")["url"]
    return url


def test_a_host_alone_is_shown_with_https_before_it_is_sent(each_look: PageUnderTest) -> None:
    page = each_look.open()

    fill_form(page, "example.com/page")

    preview = page.locator("#url-preview")
    expect(preview).to_have_attribute("aria-live", "polite")
    expect(preview).to_have_text("Will shorten: https://example.com/page")
    assert check_with_axe(page) == []
    with page.expect_response(is_creation) as answer:
        page.get_by_role("button", name="Shorten", exact=True).click()
    assert sent_url(answer.value.request) == "https://example.com/page"
    assert answer.value.status == 201
    # The form is empty again, and so is what it would send.
    expect(page.get_by_label("Long URL")).to_have_value("")
    expect(preview).to_have_text("")


def test_nothing_is_previewed_when_it_reads_as_typed(ui: PageUnderTest) -> None:
    # Each time from a preview that is there, so an empty one is the answer, not a delay.
    page = ui.open()
    preview = page.locator("#url-preview")
    for reads_as_typed in ("https://münchen.de/bücher", "https://example.com"):
        fill_form(page, "https://example.com/x\u200b")
        expect(preview).to_have_text("Will shorten: https://example.com/x")

        fill_form(page, reads_as_typed)

        expect(preview).to_have_text("")


def test_a_url_an_email_wrapped_is_joined_when_pasted(ui: PageUnderTest) -> None:
    ui.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=ui.stack.base_url)
    page = ui.open()
    wrapped = "https://example.com/a-very-long-\r\n    path/to/a-page?x=1\u00a0"
    page.evaluate("(text) => navigator.clipboard.writeText(text)", wrapped)

    field = page.get_by_label("Long URL")
    field.focus()
    page.keyboard.press("Control+V")

    # The field has the lines joined; the trailing no-break space is dropped on sending,
    # and the preview says so.
    expect(field).to_have_value("https://example.com/a-very-long-path/to/a-page?x=1\u00a0")
    expect(page.locator("#url-preview")).to_have_text(
        "Will shorten: https://example.com/a-very-long-path/to/a-page?x=1"
    )
    with page.expect_response(is_creation) as answer:
        page.get_by_role("button", name="Shorten", exact=True).click()
    assert answer.value.status == 201
    assert sent_url(answer.value.request) == "https://example.com/a-very-long-path/to/a-page?x=1"


def test_the_change_box_forgives_too(ui: PageUnderTest) -> None:
    page = ui.open()
    created = shorten(page, "https://example.com/before")
    item = my_link(page, created["shortId"])
    item.get_by_role("button", name=f"Change destination of {created['shortId']}").click()

    item.get_by_label("New destination for").fill("example.org/after\u200b")

    preview = item.locator(".url-preview")
    expect(preview).to_have_attribute("aria-live", "polite")
    expect(preview).to_have_text("Will save: https://example.org/after")
    with page.expect_request(lambda r: r.method == "PATCH") as request:
        item.get_by_role("button", name="Save").click()
    assert sent_url(request.value) == "https://example.org/after"
    expect(item.get_by_role("status")).to_have_text(
        "Destination changed to https://example.org/after."
    )


def test_each_refusal_is_told_once_next_to_its_field(each_look: PageUnderTest) -> None:
    alias = f"taken-{uuid.uuid4().hex[:8]}"
    assert each_look.stack.shorten({"url": "https://example.com/a", "alias": alias}).status == 201
    page = each_look.open()

    # 409: the alias is taken.
    fill_form(page, "https://example.com/b", alias=alias)
    with page.expect_response(is_creation) as answer:
        page.get_by_role("button", name="Shorten", exact=True).click()
    assert answer.value.status == 409
    expect(field_error(page, "Custom alias")).to_have_text("This alias is taken.")
    expect(page.get_by_label("Custom alias")).to_be_focused()
    expect(alert(page)).to_have_text("")
    expect(page.locator(".field-error:visible")).to_have_count(1)
    assert check_with_axe(page) == []

    # 400: a URL the page cannot judge, refused by the API.
    fill_form(page, "http://10.0.0.1/intranet", alias="")
    with page.expect_response(is_creation) as answer:
        page.get_by_role("button", name="Shorten", exact=True).click()
    assert answer.value.status == 400
    reason = answer.value.json()["errors"][0]["reason"]
    expect(field_error(page, "Long URL")).to_have_text(f"The URL {reason}.")
    expect(page.get_by_label("Long URL")).to_be_focused()
    expect(alert(page)).to_have_text("")
    expect(page.locator(".field-error:visible")).to_have_count(1)
    assert check_with_axe(page) == []


def test_a_refusal_pressed_from_the_field_is_still_read_out(ui: PageUnderTest) -> None:
    # Enter in the field that is at fault: focus leaves and comes back, so the field's
    # message is read again (focusing the focused field would say nothing).
    page = ui.open()
    field = page.get_by_label("Long URL")
    field.fill("http://10.0.0.1/again")
    page.evaluate(
        """() => {
          window.__focusEvents = 0;
          document.getElementById('url').addEventListener('focus', () => window.__focusEvents++);
        }"""
    )
    with page.expect_response(is_creation):
        field.press("Enter")

    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    assert page.evaluate("window.__focusEvents") == 1


def test_the_change_box_tells_a_refusal_once(ui: PageUnderTest) -> None:
    page = ui.open()
    created = shorten(page, "https://example.com/stays")
    item = my_link(page, created["shortId"])
    item.get_by_role("button", name=f"Change destination of {created['shortId']}").click()

    item.get_by_label("New destination for").fill("http://10.0.0.1/intranet")
    with page.expect_response(lambda r: r.request.method == "PATCH") as answer:
        item.get_by_role("button", name="Save").click()

    assert answer.value.status == 400
    field = item.get_by_label("New destination for")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    expect(alert(page)).to_have_text("")


def test_no_such_link_is_told_next_to_the_lookup_and_report_fields(ui: PageUnderTest) -> None:
    page = ui.open("/#/links")
    page.get_by_label("Short link or id").fill("no-such-link")
    page.get_by_role("button", name="Look up").click()

    expect(field_error(page, "Short link or id")).to_have_text(
        "The short link “no-such-link” was not found (404)."
    )
    expect(page.get_by_label("Short link or id")).to_be_focused()
    expect(alert(page)).to_have_text("")

    page.goto(f"{ui.stack.base_url}/#report=no-such-link")
    assert send_report(page, "spam").status == 404
    expect(field_error(page, "Link to report")).to_have_text(
        "No short link has this id (404). Check the id."
    )
    expect(alert(page)).to_have_text("")
    assert check_with_axe(page) == []


def test_failures_that_belong_to_no_field_are_told_in_the_alert(ui: PageUnderTest) -> None:
    page = ui.open()

    def too_many(route: Route) -> None:
        route.fulfill(
            status=429,
            headers={"Retry-After": "120"},
            content_type="application/json",
            body=json.dumps({"message": "Too many links created from this address"}),
        )

    page.route("**/shorten", too_many)
    fill_form(page, "https://example.com/busy")
    page.get_by_role("button", name="Shorten", exact=True).click()
    expect(alert(page).locator("p")).to_have_text(
        "Too many links created from this address. Try again in 2 minutes."
    )
    expect(page.locator(".field-error:visible")).to_have_count(0)

    page.unroute("**/shorten")
    page.route("**/shorten", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Shorten", exact=True).click()
    expect(alert(page)).to_contain_text("Can't reach the shortener")
    expect(page.locator(".field-error:visible")).to_have_count(0)

    page.goto(f"{ui.stack.base_url}/#report=abcde")
    page.route("**/reports", lambda route: route.abort("internetdisconnected"))
    report_form(page).get_by_label("Reason").select_option("spam")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/reports")):
        report_form(page).get_by_role("button", name="Send report").click()
    expect(alert(page)).to_contain_text("Can't reach the shortener")
    expect(page.locator(".field-error:visible")).to_have_count(0)
