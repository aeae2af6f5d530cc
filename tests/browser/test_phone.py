"""The page on a 360 px wide phone: the whole flow fits, and every control is big enough."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.conftest import new_page_under_test
from tests.browser.shortener_page import my_link, shorten
from tests.e2e.conftest import LocalStack

PHONE: ViewportSize = {"width": 360, "height": 740}
MIN_TOUCH_TARGET = 44


def horizontal_overflow(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_the_main_flow_fits_a_phone_without_horizontal_scrolling(
    browser: Browser, stack: LocalStack
) -> None:
    ui = new_page_under_test(browser, stack, viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = ui.open()
        assert horizontal_overflow(page) <= 0

        long_url = "https://example.com/" + "a-very-long-path-segment-without-spaces" * 5 + "?q=1"
        created = shorten(page, long_url, alias=f"phone-{'x' * 50}"[:64], expires="In 30 days")
        item = my_link(page, created["shortId"])
        item.get_by_role("button", name=f"Change destination of {created['shortId']}").click()
        expect(item.get_by_label("New destination for")).to_be_visible()

        assert horizontal_overflow(page) <= 0
        expect(page.get_by_role("img", name=f"QR code for {created['shortUrl']}")).to_be_visible()

        too_small = page.evaluate(
            """min => [...document.querySelectorAll('button, input, select, .button, nav a')]
                .filter(el => el.offsetParent !== null)
                .map(el => [el.id || el.textContent.trim(), el.getBoundingClientRect()])
                .filter(([, box]) => box.height < min || box.width < min)
                .map(([name, box]) => `${name}: ${box.width}x${box.height}`)""",
            MIN_TOUCH_TARGET,
        )
        assert too_small == []

        page.goto(f"{stack.base_url}/#/links/{created['shortId']}")
        expect(page.locator("#details-url")).to_have_text(long_url)
        assert horizontal_overflow(page) <= 0
        assert ui.csp_violations() == []
    finally:
        ui.context.close()
