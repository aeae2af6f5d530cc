"""The management key is not a trap: each link's key can be seen and copied, on the result
card and in "My links", and the page says plainly where the keys live and what losing
them costs."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import PageUnderTest
from tests.browser.shortener_page import my_link, shorten
from tests.browser.test_accessibility import check_with_axe

EXPLANATION = "Whoever has this key can change or delete the link. Keep it like a password."
WARNING = (
    "These links' keys are kept only in this browser. Clearing browser data (or using a"
    " private window) without an export loses control of them: they keep working, but"
    " nobody can change or delete them."
)
# Every write to localStorage throws, as where storage is blocked.
BLOCK_STORAGE = """
Storage.prototype.setItem = function () {
  throw new DOMException("The operation is insecure.", "SecurityError");
};
"""


def clipboard_text(page: Page) -> str:
    text: str = page.evaluate("navigator.clipboard.readText()")
    return text


def horizontal_overflow(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def allow_clipboard(ui: PageUnderTest) -> None:
    ui.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=ui.stack.base_url)


def key_toggle(scope: Locator, name: str = "Show key") -> Locator:
    """The toggle found by its name, then held by what it controls: its name turns to
    "Hide key" once it is open."""
    found = scope.get_by_role("button", name=name)
    return scope.locator(f'button[aria-controls="{found.get_attribute("aria-controls")}"]')


def key_panel(scope: Locator, toggle: Locator) -> Locator:
    return scope.locator(f"#{toggle.get_attribute('aria-controls')}")


def test_the_result_card_shows_and_copies_the_new_links_key(each_look: PageUnderTest) -> None:
    allow_clipboard(each_look)
    page = each_look.open()
    created = shorten(page, "https://example.com/result-key")
    result = page.locator("#result")
    expect(result).to_contain_text("Saved under “My links” in this browser")

    toggle = key_toggle(result)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    panel = key_panel(result, toggle)
    expect(panel).to_be_hidden()

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_text("Hide key")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(EXPLANATION)
    expect(panel.locator("code")).to_have_text(created["managementToken"])
    assert horizontal_overflow(page) <= 0

    panel.get_by_role("button", name="Copy key").click()
    expect(panel.get_by_role("status")).to_have_text("Key copied.")
    assert clipboard_text(page) == created["managementToken"]
    assert check_with_axe(page) == []

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_text("Show key")
    expect(panel).to_be_hidden()


def test_each_of_my_links_shows_and_copies_its_own_key_under_a_plain_warning(
    each_look: PageUnderTest,
) -> None:
    allow_clipboard(each_look)
    page = each_look.open()
    expect(page.get_by_text(WARNING)).to_be_hidden()  # no links, no keys to lose
    first = shorten(page, "https://example.com/first-key")
    second = shorten(page, "https://example.com/second-key")
    expect(page.locator("#my-links").get_by_text(WARNING)).to_be_visible()

    item = my_link(page, first["shortId"])
    toggle = key_toggle(item, f"Show key of {first['shortId']}")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    panel = key_panel(item, toggle)
    expect(panel.locator("code")).to_have_text(first["managementToken"])
    expect(panel).to_contain_text(EXPLANATION)
    # Only the link asked about shows its key.
    expect(my_link(page, second["shortId"]).locator("code")).to_be_hidden()
    assert horizontal_overflow(page) <= 0

    panel.get_by_role("button", name=f"Copy key of {first['shortId']}").click()
    expect(panel.get_by_role("status")).to_have_text("Key copied.")
    assert clipboard_text(page) == first["managementToken"]
    assert check_with_axe(page) == []

    # The key is selectable as one piece, to copy by hand where the clipboard is refused.
    assert panel.locator("code").evaluate("e => getComputedStyle(e).userSelect") == "all"

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(panel).to_be_hidden()


def test_the_key_panel_survives_a_refresh_of_the_list(ui: PageUnderTest) -> None:
    page = ui.open()
    created = shorten(page, "https://example.com/kept-open")
    item = my_link(page, created["shortId"])
    toggle = key_toggle(item, f"Show key of {created['shortId']}")
    toggle.click()

    with page.expect_response(lambda r: r.url.endswith(f"/links/{created['shortId']}")):
        page.locator("#refresh-links").click()

    expect(page.locator("#my-links-status")).to_contain_text("Updated")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(item.locator("code")).to_have_text(created["managementToken"])


def test_where_storage_is_blocked_the_result_card_says_so_once_and_shows_the_key(
    ui: PageUnderTest,
) -> None:
    ui.context.add_init_script(BLOCK_STORAGE)
    page = ui.open()
    blocked = "Right now this browser is not keeping them at all: its storage is blocked."
    expect(page.get_by_text(blocked)).to_be_visible()
    expect(page.get_by_text(WARNING)).to_be_visible()

    created = shorten(page, "https://example.com/not-kept")

    result = page.locator("#result")
    not_saved = page.get_by_text("This browser could not save the link or its key")
    expect(not_saved).to_have_count(1)
    expect(not_saved).to_be_visible()
    expect(result.locator("code")).to_have_text(created["managementToken"])
    expect(key_toggle(result, "Hide key")).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("alert")).to_have_text("")
    expect(my_link(page, created["shortId"])).to_have_count(0)
    assert check_with_axe(page) == []

    # A second link is said about once too: the message replaces the first one's.
    shorten(page, "https://example.com/not-kept-either")
    expect(not_saved).to_have_count(1)
