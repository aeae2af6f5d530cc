"""Destinations as a browser's address bar shows them (web/assets/readable-url.js): Unicode
hosts unless a label could pass for another name, decoded paths where nothing is hidden,
and the exact stored address always at hand."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import PageUnderTest
from tests.browser.shortener_page import alert, fill_form, is_creation, my_link, shorten
from tests.browser.test_accessibility import check_with_axe
from tests.browser.test_phone import horizontal_overflow

IDN_TYPED = "https://münchen.de/bücher?q=café crème"
IDN_HREF = "https://xn--mnchen-3ya.de/b%C3%BCcher?q=caf%C3%A9%20cr%C3%A8me"
# Written as escapes: the look-alikes are the point, and the eye cannot tell them apart.
# "apple" with a Cyrillic a (U+0430): two scripts in one label.
MIXED_APPLE = "\u0430pple"
# "apple" in Cyrillic letters only (a, er, er, palochka, ie), each one that looks Latin.
CYRILLIC_APPLE = "\u0430\u0440\u0440\u04cf\u0435"
MIXED_SCRIPT_HREF = "https://xn--pple-43d.com/login"
# The Cyrillic "apple" under a Latin TLD: a whole-script confusable.
WHOLE_SCRIPT_HREF = "https://xn--80ak6aa92e.com/"
LOOKALIKE_WARNING = "This address uses look-alike characters"

# href -> (text, flagged): what the page shows for a stored address.
READABLE = {
    # Unicode host, decoded path and query, %20 as the space it is.
    IDN_HREF: ("https://münchen.de/bücher?q=café crème", False),
    "https://example.com/caf%c3%a9": ("https://example.com/café", False),
    "http://example.com:8080/x": ("http://example.com:8080/x", False),
    # One script other than Latin, with its own TLD or a Latin one.
    "https://xn--e1afmkfd.xn--p1ai/": ("https://пример.рф/", False),
    "https://xn--fsqu00a.xn--0zwm56d/": ("https://例子.测试/", False),
    "https://xn--wgv71a119e.jp/": ("https://日本語.jp/", False),
    # Latin with Han is one of the CJK mixes Chromium allows.
    "https://xn--hello-9n1hm04c.com/": ("https://hello中国.com/", False),
    # A whole-script confusable is ordinary under a TLD of its script or country.
    "https://xn--80ak6aa92e.ru/": (f"https://{CYRILLIC_APPLE}.ru/", False),
    "https://xn--80ak6aa92e.xn--p1ai/": (f"https://{CYRILLIC_APPLE}.рф/", False),
    # Mixed scripts: Latin with Cyrillic, Latin with Greek.
    MIXED_SCRIPT_HREF: (MIXED_SCRIPT_HREF, True),
    "https://xn--eby-7cd.com/": ("https://xn--eby-7cd.com/", True),
    "https://xn--paypa-ube.com/": ("https://xn--paypa-ube.com/", True),
    # Whole-script confusables under a TLD that is not theirs.
    WHOLE_SCRIPT_HREF: (WHOLE_SCRIPT_HREF, True),
    "https://xn--vxaj.com/": ("https://xn--vxaj.com/", True),
    # Only digits and digit look-alikes ("зз" reads 33); a symbol; a Katakana "slash".
    "https://xn--g1aa.com/": ("https://xn--g1aa.com/", True),
    "https://xn--i-7iq.ws/": ("https://xn--i-7iq.ws/", True),
    "https://xn--abcdef-kx4e.com/": ("https://xn--abcdef-kx4e.com/", True),
    # Per label: a safe label is shown in Unicode beside a flagged one.
    "https://xn--mnchen-3ya.xn--pple-43d.com/": ("https://münchen.xn--pple-43d.com/", True),
    # Reserved delimiters and % stay encoded: decoded, they would change the address.
    "https://example.com/a%2Fb%3Fc%23d%26e%3Df%2Bg%25h%3Ai%40j": (
        "https://example.com/a%2Fb%3Fc%23d%26e%3Df%2Bg%25h%3Ai%40j",
        False,
    ),
    # Bidi controls, zero-width and no-break spaces, controls: hidden once decoded.
    "https://example.com/%E2%80%AEexe.txt": ("https://example.com/%E2%80%AEexe.txt", False),
    "https://example.com/a%E2%80%8Bb%C2%A0c%00d%0A": (
        "https://example.com/a%E2%80%8Bb%C2%A0c%00d%0A",
        False,
    ),
    # A padlock in a path could pose as the browser's own.
    "https://example.com/%F0%9F%94%92secure": ("https://example.com/%F0%9F%94%92secure", False),
    # Invalid UTF-8 stays as it is; valid neighbours are still decoded.
    "https://example.com/%C3%28%C3%BC%FF": ("https://example.com/%C3%28ü%FF", False),
    # A space that ends the address would vanish: it stays %20.
    "https://example.com/a%20b%20": ("https://example.com/a b%20", False),
    # Not an http(s) URL: given back as it is.
    "not a url": ("not a url", False),
}


def readable(page: Page, href: str) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(
        "async (href) => (await import('/assets/readable-url.js')).readableUrl(href)", href
    )
    return result


def test_readable_url_shows_what_an_address_bar_shows(ui: PageUnderTest) -> None:
    page = ui.open()

    shown = {href: readable(page, href) for href in READABLE}

    assert {href: (r["text"], r["flagged"]) for href, r in shown.items()} == READABLE
    assert all(r["exact"] == href for href, r in shown.items())


def test_every_readable_href_parses_to_the_same_url(ui: PageUnderTest) -> None:
    # The table's hrefs are what a browser's URL parser makes of them (what the API stores).
    page = ui.open()
    hrefs = [href for href in READABLE if href.startswith("http")]

    parsed = page.evaluate("(hrefs) => hrefs.map((href) => new URL(href).href)", hrefs)

    assert parsed == hrefs


def destination_url(container: Locator) -> Locator:
    return container.locator(".destination__url")


def exact_address(container: Locator) -> Locator:
    return container.locator("details.exact-url")


def expect_exact_address_at_hand(container: Locator, href: str) -> None:
    """The exact address is in the title and, for touch and screen readers, one tap away."""
    expect(destination_url(container)).to_have_attribute("title", href)
    disclosure = exact_address(container)
    disclosure.get_by_text("Exact address").click()
    expect(disclosure.locator(".exact-url__text")).to_have_text(href)
    expect(disclosure.locator(".exact-url__text")).to_be_visible()


def test_an_idn_destination_reads_as_typed_with_the_exact_address_at_hand(
    each_look: PageUnderTest,
) -> None:
    page = each_look.open()

    created = shorten(page, IDN_TYPED)

    assert created["url"] == IDN_HREF
    result = page.locator("#result-destination")
    expect(destination_url(result)).to_have_text("https://münchen.de/bücher?q=café crème")
    expect(result.locator(".lookalike-warning")).to_have_count(0)
    expect_exact_address_at_hand(result, IDN_HREF)
    item = my_link(page, created["shortId"])
    expect(destination_url(item)).to_have_text("https://münchen.de/bücher?q=café crème")
    expect_exact_address_at_hand(item, IDN_HREF)
    assert horizontal_overflow(page) <= 0
    assert check_with_axe(page) == []

    page.goto(f"{each_look.stack.base_url}/#/links/{created['shortId']}")
    details = page.locator("#details-url")
    expect(destination_url(details)).to_have_text("https://münchen.de/bücher?q=café crème")
    expect_exact_address_at_hand(details, IDN_HREF)
    assert horizontal_overflow(page) <= 0
    assert check_with_axe(page) == []


def test_a_lookalike_host_stays_encoded_and_is_flagged(each_look: PageUnderTest) -> None:
    # Mixed scripts: "apple.com" with a Cyrillic a, as the link's details show it.
    mixed = each_look.stack.shorten({"url": f"https://{MIXED_APPLE}.com/login"}).json()
    assert mixed["url"] == MIXED_SCRIPT_HREF
    page = each_look.open(f"/#/links/{mixed['shortId']}")

    details = page.locator("#details-url")
    expect(destination_url(details)).to_have_text(MIXED_SCRIPT_HREF)
    expect(details.locator(".lookalike-warning")).to_contain_text(LOOKALIKE_WARNING)
    assert check_with_axe(page) == []

    # A whole-script confusable (the all-Cyrillic "apple.com"): flagged before it is sent,
    # in the result and in My links.
    page.goto(f"{each_look.stack.base_url}/#/")
    fill_form(page, f"https://{CYRILLIC_APPLE}.com/")
    preview = page.locator("#url-preview")
    expect(destination_url(preview)).to_have_text(WHOLE_SCRIPT_HREF)
    expect(preview.locator(".lookalike-warning")).to_contain_text(LOOKALIKE_WARNING)
    with page.expect_response(is_creation) as answer:
        page.get_by_role("button", name="Shorten", exact=True).click()
    created = answer.value.json()
    assert created["url"] == WHOLE_SCRIPT_HREF
    result = page.locator("#result-destination")
    expect(destination_url(result)).to_have_text(WHOLE_SCRIPT_HREF)
    expect(result.locator(".lookalike-warning")).to_contain_text(LOOKALIKE_WARNING)
    expect(my_link(page, created["shortId"]).locator(".lookalike-warning")).to_be_visible()
    assert horizontal_overflow(page) <= 0
    assert check_with_axe(page) == []


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("https://пример.рф/", "https://пример.рф/"), ("https://例子.测试/", "https://例子.测试/")],
)
def test_a_host_in_one_non_latin_script_reads_in_unicode(
    ui: PageUnderTest, typed: str, shown: str
) -> None:
    created = ui.stack.shorten({"url": typed}).json()
    page = ui.open(f"/#/links/{created['shortId']}")

    details = page.locator("#details-url")
    expect(destination_url(details)).to_have_text(shown)
    expect(details.locator(".lookalike-warning")).to_have_count(0)
    expect(destination_url(details)).to_have_attribute("title", created["url"])


def test_reserved_characters_and_bidi_controls_stay_encoded(ui: PageUnderTest) -> None:
    href = "https://example.com/files%2Fpublic%3Fall/caf%C3%A9/%E2%80%AEfdp.exe"
    created = ui.stack.shorten({"url": href}).json()
    assert created["url"] == href
    page = ui.open(f"/#/links/{created['shortId']}")

    expect(destination_url(page.locator("#details-url"))).to_have_text(
        "https://example.com/files%2Fpublic%3Fall/café/%E2%80%AEfdp.exe"
    )


def test_the_change_box_starts_readable_and_sends_the_same_url_unchanged(
    ui: PageUnderTest,
) -> None:
    page = ui.open()
    created = shorten(page, IDN_TYPED)
    item = my_link(page, created["shortId"])

    item.get_by_role("button", name=f"Change destination of {created['shortId']}").click()
    field = item.get_by_label("New destination for")
    expect(field).to_have_value("https://münchen.de/bücher?q=café crème")
    with page.expect_request(lambda r: r.method == "PATCH") as request:
        item.get_by_role("button", name="Save").click()

    assert json.loads(request.value.post_data or "") == {"url": IDN_HREF}
    expect(item.get_by_role("status")).to_have_text(
        "Destination changed to https://münchen.de/bücher?q=café crème."
    )
    expect(alert(page)).to_have_text("")


def test_the_change_box_keeps_an_address_its_readable_form_would_change(
    ui: PageUnderTest,
) -> None:
    # Lower-case escapes read as "é", which the parser would send back as %C3%A9: the
    # exact form is the start that changes nothing.
    href = "https://example.com/caf%c3%a9"
    created = ui.stack.shorten({"url": href}).json()
    page = ui.open()
    page.evaluate(
        """(link) => localStorage.setItem('shortener.myLinks.v1', JSON.stringify([link]))""",
        {**created, "state": "active", "clicks": 0},
    )
    page.reload()
    item = my_link(page, created["shortId"])

    item.get_by_role("button", name=f"Change destination of {created['shortId']}").click()

    expect(item.get_by_label("New destination for")).to_have_value(href)
