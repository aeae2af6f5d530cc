"""Shortening a link on the page: the result, copying, the QR code, validation, the keyboard."""

from __future__ import annotations

import json
import uuid

from playwright.sync_api import Request, expect

from tests.browser.conftest import PageUnderTest, TargetSite
from tests.browser.shortener_page import (
    alert,
    field_error,
    fill_form,
    is_creation,
    my_link,
    result_link,
    shorten,
)


def test_shortening_shows_the_short_link_and_keeps_it_in_my_links(
    ui: PageUnderTest, target_site: TargetSite
) -> None:
    page = ui.open()
    target = target_site.url("/landing?from=shorten")

    created = shorten(page, target)

    assert created["shortUrl"] == f"{ui.stack.base_url}/{created['shortId']}"
    expect(result_link(page)).to_have_attribute("href", created["shortUrl"])
    expect(page.locator("#result")).to_contain_text(target)
    expect(my_link(page, created["shortId"])).to_contain_text(created["shortUrl"])
    expect(my_link(page, created["shortId"])).to_contain_text("0 clicks")
    # The management token stays in this browser, with the link, across a reload.
    page.reload()
    expect(my_link(page, created["shortId"])).to_contain_text(target)
    stored = page.evaluate("localStorage.getItem('shortener.myLinks.v1')")
    assert created["managementToken"] in stored


def test_each_submission_sends_its_own_idempotency_key(ui: PageUnderTest) -> None:
    page = ui.open()
    keys: list[str | None] = []
    page.on(
        "request",
        lambda r: keys.append(r.headers.get("idempotency-key")) if is_creation_request(r) else None,
    )

    first = shorten(page, "https://example.com/one")
    second = shorten(page, "https://example.com/two")

    assert first["shortId"] != second["shortId"]
    assert len(keys) == 2
    assert all(key is not None and uuid.UUID(key) for key in keys)
    assert keys[0] != keys[1]


def is_creation_request(request: Request) -> bool:
    return request.method == "POST" and request.url.endswith("/shorten")


def test_copy_button_puts_the_short_link_on_the_clipboard(ui: PageUnderTest) -> None:
    ui.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=ui.stack.base_url)
    page = ui.open()
    created = shorten(page, "https://example.com/copy-me")

    page.get_by_role("button", name="Copy link").click()

    expect(page.locator("#copy-status")).to_have_text("Copied")
    expect(page.locator("#copy-status")).to_have_attribute("role", "status")
    assert page.evaluate("navigator.clipboard.readText()") == created["shortUrl"]


def test_result_shows_the_links_qr_code(ui: PageUnderTest) -> None:
    page = ui.open()
    with page.expect_response(lambda r: r.url.endswith("/qr")) as qr_answer:
        created = shorten(page, "https://example.com/scan-me")
    image = page.get_by_role("img", name=f"QR code for {created['shortUrl']}")
    expect(image).to_have_attribute("src", f"/links/{created['shortId']}/qr")
    assert qr_answer.value.status == 200

    assert qr_answer.value.headers["content-type"].startswith("image/svg+xml")
    expect(image).to_be_visible()
    page.wait_for_function("img => img.complete", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") > 0


def test_a_url_that_is_not_http_is_refused_before_sending(ui: PageUnderTest) -> None:
    page = ui.open()
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if is_creation_request(r) else None)

    fill_form(page, "mailto:someone@example.com")
    page.get_by_role("button", name="Shorten", exact=True).click()

    message = field_error(page, "Long URL")
    expect(message).to_contain_text("must be an absolute http or https URL")
    expect(page.get_by_label("Long URL")).to_be_focused()

    fill_form(page, "javascript:alert(1)")
    page.get_by_role("button", name="Shorten", exact=True).click()
    expect(field_error(page, "Long URL")).to_contain_text("must be an absolute http or https URL")

    fill_form(page, "https://example.com/", alias="no spaces!")
    page.get_by_role("button", name="Shorten", exact=True).click()
    expect(field_error(page, "Custom alias")).to_contain_text("3 to 64 characters")
    assert sent == []


def test_the_apis_reason_is_shown_next_to_the_field_it_names(ui: PageUnderTest) -> None:
    page = ui.open()
    fill_form(page, "http://127.0.0.1/admin")
    with page.expect_response(is_creation) as answer:
        page.get_by_role("button", name="Shorten", exact=True).click()

    assert answer.value.status == 400
    [error] = json.loads(answer.value.text())["errors"]
    assert error["field"] == "url"
    expect(field_error(page, "Long URL")).to_contain_text(error["reason"])
    expect(alert(page)).to_have_text("")  # told once, next to the field
    expect(page.get_by_label("Long URL")).to_be_focused()
    expect(page.locator("#result")).to_be_hidden()

    # Editing the URL and sending again clears the message once the API accepts it.
    shorten(page, "https://example.com/fixed")
    expect(page.get_by_label("Long URL")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#url-error")).to_be_hidden()
    expect(alert(page)).to_have_text("")


def test_a_taken_alias_is_reported_on_the_alias_field(ui: PageUnderTest) -> None:
    alias = f"taken-{uuid.uuid4().hex[:8]}"
    assert ui.stack.shorten({"url": "https://example.com/first", "alias": alias}).status == 201
    page = ui.open()

    fill_form(page, "https://example.com/second", alias=alias)
    with page.expect_response(is_creation) as answer:
        page.get_by_role("button", name="Shorten", exact=True).click()

    assert answer.value.status == 409
    expect(field_error(page, "Custom alias")).to_have_text("This alias is taken.")
    expect(alert(page)).to_have_text("")  # told once, next to the field


def test_shortening_with_the_keyboard_alone(ui: PageUnderTest) -> None:
    ui.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=ui.stack.base_url)
    page = ui.open()
    alias = f"keys-{uuid.uuid4().hex[:8]}"

    # Tab order: the brand, the two navigation links, then the form's fields in order.
    focused = []
    for _ in range(4):
        page.keyboard.press("Tab")
        focused.append(
            page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")
        )
    assert focused == ["Shortener", "Shorten", "Look up a link", "url"]
    page.keyboard.type("https://example.com/typed")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Custom alias")).to_be_focused()
    page.keyboard.type(alias)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Expires")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Expires")).to_have_value("3600")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Shorten", exact=True)).to_be_focused()
    with page.expect_response(is_creation) as answer:
        page.keyboard.press("Enter")

    created = answer.value.json()
    assert created["shortId"] == alias
    assert created["expiresAt"] is not None
    # Focus moves to the result; the link and the copy button follow it.
    expect(page.get_by_role("heading", name="Your short link")).to_be_focused()
    page.keyboard.press("Tab")
    expect(result_link(page)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Copy link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#copy-status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == created["shortUrl"]
