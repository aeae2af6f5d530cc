"""Dark mode: the page follows the system's colour scheme, with the same contrast as light.

axe runs on every view in both schemes in test_accessibility.py; here the colours
themselves are computed and checked against WCAG 2.2's ratios, pair by pair, so a
future change of one colour cannot quietly break the text or the borders drawn on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PageUnderTest, new_page_under_test
from tests.browser.shortener_page import shorten
from tests.browser.test_accessibility import COLOUR_SCHEMES, page_in_scheme
from tests.conftest import REPO_ROOT
from tests.e2e.conftest import LocalStack

STYLE_CSS = REPO_ROOT / "web" / "assets" / "style.css"
TEXT = 4.5  # WCAG 1.4.3, normal-size text
NON_TEXT = 3.0  # WCAG 1.4.11, field borders and focus rings

# Foreground, background, the ratio it needs: the custom properties the stylesheet uses
# together (style.css says which roles they play).
PAIRS = [
    ("--text", "--page", TEXT),
    ("--text", "--card", TEXT),
    ("--text", "--primary-tint", TEXT),  # the notice
    ("--muted", "--card", TEXT),
    ("--muted", "--page", TEXT),  # the footer, hints in My links' panels
    ("--primary", "--card", TEXT),  # links, outlined buttons, the focus ring
    ("--primary", "--page", TEXT),
    ("--primary", "--primary-tint", TEXT),
    ("--primary-dark", "--card", TEXT),  # hovered links
    ("--primary-dark", "--page", TEXT),
    ("--primary-dark", "--primary-tint", TEXT),  # hovered outlined buttons
    ("--on-primary", "--primary", TEXT),  # text on a primary button
    ("--on-primary", "--primary-dark", TEXT),  # the same, hovered
    ("--danger", "--card", TEXT),  # field errors, the invalid field's border
    ("--danger", "--page", TEXT),
    ("--danger", "--danger-tint", TEXT),
    ("--danger-dark", "--danger-tint", TEXT),  # the alert, the "gone" badge
    ("--success", "--card", TEXT),  # status messages
    ("--success", "--page", TEXT),
    ("--warning-text", "--warning-tint", TEXT),  # badges and warnings
    ("--field-border", "--card", NON_TEXT),
    ("--field-border", "--page", NON_TEXT),
]

# Every colour the pairs name, resolved by the browser: a probe's computed colour is
# "rgb(r, g, b)" whatever the notation in the stylesheet.
_RESOLVE_COLOURS = """
names => {
  const probe = document.createElement("span");
  document.body.append(probe);
  const colours = {};
  for (const name of names) {
    probe.style.color = `var(${name})`;
    colours[name] = getComputedStyle(probe).color;
  }
  probe.remove();
  return colours;
}
"""


def rgb(css_colour: str) -> tuple[int, int, int]:
    match = re.fullmatch(r"rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)", css_colour)
    assert match, f"not an opaque rgb() colour: {css_colour!r}"
    assert match[4] in (None, "1"), f"a translucent colour has no fixed contrast: {css_colour}"
    return int(match[1]), int(match[2]), int(match[3])


def relative_luminance(colour: tuple[int, int, int]) -> float:
    """WCAG 2.2's relative luminance of an sRGB colour."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    lighter, darker = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def computed(page: Page, selector: str, prop: str) -> tuple[int, int, int]:
    value: str = page.locator(selector).first.evaluate(
        "(element, prop) => getComputedStyle(element)[prop]", prop
    )
    return rgb(value)


@pytest.fixture(params=COLOUR_SCHEMES)
def each_scheme(
    request: pytest.FixtureRequest, browser: Browser, stack: LocalStack
) -> Iterator[PageUnderTest]:
    yield from page_in_scheme(browser, stack, request.param)


@pytest.fixture
def dark(browser: Browser, stack: LocalStack) -> Iterator[PageUnderTest]:
    yield from page_in_scheme(browser, stack, "dark")


def test_every_colour_pair_meets_wcag_contrast(each_scheme: PageUnderTest) -> None:
    page = each_scheme.open()
    names = sorted({name for fg, bg, _ in PAIRS for name in (fg, bg)})
    colours = {name: rgb(value) for name, value in page.evaluate(_RESOLVE_COLOURS, names).items()}

    too_low = [
        f"{fg} on {bg}: {contrast(colours[fg], colours[bg]):.2f} < {needed}"
        for fg, bg, needed in PAIRS
        if contrast(colours[fg], colours[bg]) < needed
    ]

    assert too_low == []


def test_the_schemes_differ_and_form_controls_follow_them(
    browser: Browser, stack: LocalStack
) -> None:
    """Guards the test above: it must really have seen two schemes."""
    backgrounds = {}
    for scheme in COLOUR_SCHEMES:
        ui = new_page_under_test(browser, stack, color_scheme=scheme)
        try:
            page = ui.open()
            assert (
                page.evaluate("getComputedStyle(document.documentElement).colorScheme")
                == "light dark"
            )
            backgrounds[scheme] = relative_luminance(computed(page, "body", "backgroundColor"))
        finally:
            ui.context.close()
    assert backgrounds["light"] > 0.8
    assert backgrounds["dark"] < 0.02


def assert_dark(page: Page, *selectors: str) -> None:
    """The page and these elements have dark backgrounds and light text."""
    assert relative_luminance(computed(page, "body", "backgroundColor")) < 0.02
    assert relative_luminance(computed(page, "body", "color")) > 0.6
    for selector in selectors:
        background = relative_luminance(computed(page, selector, "backgroundColor"))
        assert background < 0.05, f"{selector} is light in dark mode ({background:.2f})"


# The top left pixel of a QR code as drawn on the page: inside its quiet zone, so it is
# the ground the scanner sees (the image is the page's own, so the canvas can read it).
_QR_GROUND = """
image => {
  const canvas = document.createElement("canvas");
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  return Array.from(context.getImageData(1, 1, 1, 1).data);
}
"""


def assert_qr_is_dark_on_light(page: Page, selector: str) -> None:
    image = page.locator(selector)
    expect(image).to_be_visible()
    image.evaluate("image => image.decode()")
    assert computed(page, selector, "backgroundColor") == (255, 255, 255)
    assert image.evaluate(_QR_GROUND) == [255, 255, 255, 255]


def test_every_view_is_dark_in_dark_mode_and_the_qr_code_stays_light(dark: PageUnderTest) -> None:
    page = dark.open()
    created = shorten(page, "https://example.com/in-the-dark")
    assert_dark(page, ".site-header", "#result", "#url", "#expires-in")
    assert_qr_is_dark_on_light(page, "#result-qr")

    page.locator("#result").get_by_role("button", name="Enlarge").click()
    assert_dark(page, "#qr-dialog")
    assert_qr_is_dark_on_light(page, "#qr-dialog-image")
    page.keyboard.press("Escape")

    page.goto(f"{dark.stack.base_url}/#/links/{created['shortId']}")
    expect(page.locator("#link-details")).to_be_visible()
    assert_dark(page, "#link-details", "#lookup")
    assert_qr_is_dark_on_light(page, "#details-qr")

    page.goto(f"{dark.stack.base_url}/#report")
    expect(page.get_by_label("Reason")).to_be_visible()
    assert_dark(page, "#report-view .card", "#report-reason", "#report-details")


# Colours written as such in a rule: #hex, rgb(), hsl() or a few common names.
_COLOUR = re.compile(
    r"#[0-9a-f]{3,8}\b|\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\(|:\s*(?:white|black)\b",
    re.IGNORECASE,
)


def test_colours_are_named_only_in_the_custom_properties() -> None:
    """A colour written into a rule stays the same in both schemes: wrong in one of them."""
    css = re.sub(r"/\*.*?\*/", "", STYLE_CSS.read_text(encoding="utf-8"), flags=re.DOTALL)
    outside_root = re.sub(r":root\s*\{[^}]*\}", "", css)
    assert len(outside_root) < len(css), "no :root block found"

    assert _COLOUR.findall(outside_root) == []
