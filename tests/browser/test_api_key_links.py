"""My links with an API key: the key owner's links from GET /links, the same on every
device, searched, filtered by tag, paged, and managed with the key instead of tokens."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Browser, Locator, Page, Request, Response, expect

from tests.browser.conftest import PageUnderTest, TargetSite, new_page_under_test
from tests.browser.shortener_page import alert, field_error, my_link, shorten
from tests.browser.test_accessibility import check_with_axe
from tests.browser.test_readable_urls import (
    IDN_HREF,
    MIXED_APPLE,
    MIXED_SCRIPT_HREF,
    destination_url,
    expect_exact_address_at_hand,
)
from tests.e2e.conftest import Answer, LocalStack
from tests.e2e.test_http_api_keys import admin_key, bearer, issue

STORAGE_KEY = "shortener.apiKey.v1"
UNKNOWN_KEY = "usk_" + "0" * 16 + "_" + "A" * 43
READ_WRITE = ("links:read", "links:write")


def new_key(stack: LocalStack, *scopes: str) -> str:
    """A key of an owner of its own, so each test sees only its own links."""
    # issue() retries once after a 503; on a machine this busy the storage's first try
    # may also have landed after its deadline, so that the retry finds the key's id
    # taken (a 500). Another key, with a new id, is as good for a test.
    owner = f"page-{uuid.uuid4().hex[:12]}"
    for _ in range(2):
        try:
            return issue(stack, owner, *(scopes or READ_WRITE))
        except AssertionError:
            pass
    return issue(stack, owner, *(scopes or READ_WRITE))


def patiently(send: Callable[[], Answer]) -> Answer:
    """send()'s answer, sent again after a 503 as clients are told to (and after a 409
    saying that the same Idempotency-Key is still running, which it may seem to do until
    the function's timeout when the first try failed): this machine is often busy."""
    deadline = time.monotonic() + 30
    answer = send()
    while answer.status in (409, 503) and time.monotonic() < deadline:
        time.sleep(float(answer.headers.get("Retry-After") or 1))
        answer = send()
    return answer


def create(stack: LocalStack, key: str, url: str, **fields: Any) -> str:
    """Creates an owned link over HTTP; returns its short id. Under one Idempotency-Key,
    so that a retry answers with the same link."""
    headers = bearer(key, **{"Idempotency-Key": str(uuid.uuid4())})
    made = patiently(lambda: stack.shorten({"url": url, **fields}, **headers))
    assert made.status == 201, made.body
    short_id: str = made.json()["shortId"]
    return short_id


def listed_by_api(stack: LocalStack, key: str) -> list[dict[str, Any]]:
    answer = patiently(lambda: stack.request("GET", "/links?limit=100", headers=bearer(key)))
    assert answer.status == 200, answer.body
    links: list[dict[str, Any]] = answer.json()["links"]
    return links


def is_listing(response: Response | Request) -> bool:
    request = response if isinstance(response, Request) else response.request
    return request.method == "GET" and urlsplit(request.url).path == "/links"


def key_form(page: Page) -> Locator:
    return page.locator("#api-key")


def key_field(page: Page) -> Locator:
    return page.get_by_label("API key", exact=True)


def enter_key(page: Page, key: str) -> Response:
    """Opens "Have an API key?" if need be, saves the key; returns the API's answer to
    the page's check of it."""
    if not key_field(page).is_visible():
        key_form(page).get_by_text("Have an API key?").click()
    key_field(page).fill(key)
    with page.expect_response(is_listing) as answer:
        key_form(page).get_by_role("button", name="Save key").click()
    return answer.value


def stored_key(page: Page) -> str | None:
    stored: str | None = page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')")
    return stored


def owned_section(page: Page) -> Locator:
    return page.locator("#owned-links")


def owned_item(page: Page, short_id: str) -> Locator:
    return page.locator(f'#owned-links-list li[data-short-id="{short_id}"]')


def expect_listed(page: Page, short_ids: list[str]) -> None:
    """The owned list shows exactly these links, in this order."""
    items = page.locator("#owned-links-list > li")
    expect(items).to_have_count(len(short_ids))
    for index, short_id in enumerate(short_ids):
        expect(items.nth(index)).to_have_attribute("data-short-id", short_id)


def expect_fits_the_screen(page: Page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


def test_a_malformed_key_is_refused_once_next_to_the_field(each_look: PageUnderTest) -> None:
    page = each_look.open()
    listings: list[str] = []
    page.on(
        "request", lambda request: listings.append(request.url) if is_listing(request) else None
    )
    expect(owned_section(page)).to_be_hidden()
    # Tucked away: most people have no key.
    expect(key_field(page)).to_be_hidden()
    assert check_with_axe(page) == []

    key_form(page).get_by_text("Have an API key?").click()
    key_field(page).fill("usk_not-a-key")
    save = key_form(page).get_by_role("button", name="Save key")
    save.click()
    save.click()

    error = field_error(page, "API key")
    expect(error).to_contain_text("That is not an API key")
    expect(page.get_by_text("That is not an API key")).to_have_count(1)
    expect(key_field(page)).to_be_focused()
    expect(alert(page)).to_have_text("")
    assert listings == []
    assert stored_key(page) is None

    expect(key_field(page)).to_have_attribute("type", "password")
    show = key_form(page).get_by_role("button", name="Show key")
    show.click()
    expect(key_field(page)).to_have_attribute("type", "text")
    expect(show).to_have_attribute("aria-pressed", "true")
    expect(key_form(page)).to_contain_text("kept in this browser and sent only to this shortener")
    assert check_with_axe(page) == []
    expect_fits_the_screen(page)


def test_an_unknown_key_and_one_without_links_read_are_explained_next_to_the_field(
    ui: PageUnderTest,
) -> None:
    write_only = new_key(ui.stack, "links:write")
    page = ui.open()

    assert enter_key(page, UNKNOWN_KEY).status == 401
    expect(field_error(page, "API key")).to_contain_text("This API key is unknown or revoked")
    expect(page.get_by_text("This API key is unknown or revoked")).to_have_count(1)
    assert stored_key(page) is None
    expect(owned_section(page)).to_be_hidden()
    expect(page.locator("#my-links")).to_be_visible()

    assert enter_key(page, write_only).status == 403
    expect(field_error(page, "API key")).to_contain_text("lacks the scope links:read")
    expect(page.get_by_text("This API key is unknown or revoked")).to_have_count(0)
    assert stored_key(page) is None


def test_a_key_lists_its_owners_links_and_those_shortened_here(each_look: PageUnderTest) -> None:
    stack = each_look.stack
    key = new_key(stack)
    spring = create(
        stack, key, "https://shop.example/spring", title="Spring sale", tags=["sale", "launch"]
    )
    plain = create(stack, key, "https://example.com/plain")
    create(stack, new_key(stack), "https://example.com/someone-elses")
    page = each_look.open()

    assert enter_key(page, key).status == 200

    expect(page.get_by_role("heading", name="My links")).to_be_focused()
    expect_listed(page, [plain, spring])
    item = owned_item(page, spring)
    expect(item).to_contain_text("Spring sale")
    expect(item).to_contain_text("https://shop.example/spring")
    expect(item).to_contain_text("0 clicks")
    expect(item).to_contain_text("Never expires")
    expect(item.get_by_role("button", name="Show only links tagged launch")).to_be_visible()
    expect(item.get_by_role("link", name=f"Details of {spring}")).to_have_attribute(
        "href", f"#/links/{spring}"
    )
    expect(item.get_by_role("link", name=f"Stats of {spring}")).to_have_attribute(
        "href", f"#/links/{spring}/stats"
    )
    expect(owned_item(page, plain).get_by_role("list", name=f"Tags of {plain}")).to_be_hidden()
    expect(page.locator("#my-links")).to_be_hidden()
    expect(page.locator("#api-key-id")).to_have_text("_".join(key.split("_")[:2]) + "_…")
    assert stored_key(page) == key
    assert check_with_axe(page) == []
    expect_fits_the_screen(page)

    made = shorten(page, "https://example.com/made-here")

    expect_listed(page, [made["shortId"], plain, spring])
    assert made["shortId"] in [link["shortId"] for link in listed_by_api(stack, key)]


def test_another_browser_with_the_same_key_sees_the_same_links(
    ui: PageUnderTest, browser: Browser
) -> None:
    key = new_key(ui.stack)
    page = ui.open()
    enter_key(page, key)
    made = shorten(page, "https://example.com/on-every-device")
    expect(owned_item(page, made["shortId"])).to_be_visible()

    elsewhere = new_page_under_test(browser, ui.stack)
    try:
        other = elsewhere.open()
        expect(other.locator("#my-links-list > li")).to_have_count(0)
        enter_key(other, key)
        expect_listed(other, [made["shortId"]])
        assert elsewhere.csp_violations() == []
    finally:
        elsewhere.context.close()


def test_searching_by_alias_or_by_the_targets_host(ui: PageUnderTest) -> None:
    stack = ui.stack
    key = new_key(stack)
    suffix = uuid.uuid4().hex[:8]
    shop = create(stack, key, "https://shop.example/a", alias=f"spring-{suffix}")
    news = create(stack, key, "https://blog.example/post", alias=f"news-{suffix}")
    page = ui.open()
    enter_key(page, key)
    expect_listed(page, [news, shop])
    search = page.get_by_label("Search by alias or site")
    status = page.locator("#owned-links-status")

    search.fill("shop")  # typing alone searches, after a pause
    expect_listed(page, [shop])
    expect(status).to_have_text("Showing 1 link matching “shop”.")

    search.fill(f"NEWS-{suffix}")
    search.press("Enter")
    expect_listed(page, [news])

    search.fill("nothing-like-it")
    page.get_by_role("button", name="Search", exact=True).click()
    expect_listed(page, [])
    expect(page.locator("#owned-links-empty")).to_have_text("No links match “nothing-like-it”.")

    search.fill("")
    search.press("Enter")
    expect_listed(page, [news, shop])
    expect(page.locator("#owned-links-empty")).to_be_hidden()


def test_a_tag_chip_filters_the_list_until_cleared(ui: PageUnderTest) -> None:
    stack = ui.stack
    key = new_key(stack)
    first_sale = create(stack, key, "https://example.com/sale-1", tags=["sale"])
    untagged = create(stack, key, "https://example.com/untagged")
    second_sale = create(stack, key, "https://example.com/sale-2", tags=["web", "sale"])
    page = ui.open()
    enter_key(page, key)
    expect_listed(page, [second_sale, untagged, first_sale])

    owned_item(page, first_sale).get_by_role("button", name="Show only links tagged sale").click()

    expect_listed(page, [second_sale, first_sale])
    expect(page.locator("#owned-links-filter")).to_contain_text("Only links tagged sale")
    expect(page.locator("#owned-links-status")).to_have_text("Showing 2 links tagged “sale”.")

    page.get_by_role("button", name="Show all tags").click()
    expect_listed(page, [second_sale, untagged, first_sale])
    expect(page.locator("#owned-links-filter")).to_be_hidden()
    expect(page.get_by_role("heading", name="My links")).to_be_focused()


def test_load_more_shows_the_next_page(ui: PageUnderTest) -> None:
    stack = ui.stack
    key = new_key(stack)
    for n in range(25):
        create(stack, key, f"https://example.com/page/{n}")
    # As the API has them: a creation whose 503 came after it was stored is one more.
    newest_first = [link["shortId"] for link in listed_by_api(stack, key)]
    page = ui.open()
    limits: list[list[str]] = []
    page.on(
        "request",
        lambda r: (
            limits.append(parse_qs(urlsplit(r.url).query).get("limit", []))
            if is_listing(r)
            else None
        ),
    )
    enter_key(page, key)
    expect_listed(page, newest_first[:20])
    more = page.get_by_role("button", name="Load more")

    more.click()

    expect_listed(page, newest_first)
    expect(more).to_be_hidden()
    # Keyboard users go on from the first link that was added.
    expect(owned_item(page, newest_first[20]).get_by_role("link").first).to_be_focused()
    expect(page.locator("#owned-links-status")).to_have_text(f"Showing {len(newest_first)} links.")
    assert ["20"] in limits


def test_changing_the_destination_and_deleting_use_the_key(
    ui: PageUnderTest, target_site: TargetSite
) -> None:
    stack = ui.stack
    key = new_key(stack)
    # Made over HTTP: this browser never saw its management token.
    short_id = create(stack, key, target_site.url("/landing"))
    page = ui.open()
    enter_key(page, key)
    item = owned_item(page, short_id)

    item.get_by_role("button", name=f"Change destination of {short_id}").click()
    new_target = item.get_by_label("New destination for")
    expect(new_target).to_be_focused()
    expect(new_target).to_have_value(target_site.url("/landing"))
    new_target.fill(target_site.url("/elsewhere"))
    with page.expect_request(lambda r: r.method == "PATCH") as sent:
        item.get_by_role("button", name="Save").click()

    assert sent.value.headers["authorization"] == f"Bearer {key}"
    expect(item.get_by_role("status")).to_contain_text("Destination changed")
    expect(item).to_contain_text(target_site.url("/elsewhere"))
    page.goto(f"{stack.base_url}/{short_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Landed on elsewhere")

    page = ui.open()
    item = owned_item(page, short_id)
    item.get_by_role("button", name=f"Delete {short_id}").click()
    expect(item).to_contain_text("for good?")
    with page.expect_response(lambda r: r.request.method == "DELETE") as answer:
        item.get_by_role("button", name="Delete for good").click()

    assert answer.value.status == 204
    expect(item).to_have_count(0)
    expect(page.locator("#owned-links-status")).to_contain_text("410 Gone")
    expect(page.get_by_role("heading", name="My links")).to_be_focused()
    assert stack.request("GET", f"/links/{short_id}").status == 410
    assert short_id not in [link["shortId"] for link in listed_by_api(stack, key)]


def test_destinations_read_as_elsewhere_and_the_change_box_forgives(
    each_look: PageUnderTest,
) -> None:
    # As My links without a key does: readable destinations, look-alikes flagged, a
    # change box that starts readable, adds https:// and tells a refusal once.
    stack = each_look.stack
    key = new_key(stack)
    idn_id = create(stack, key, IDN_HREF)
    lookalike_id = create(stack, key, f"https://{MIXED_APPLE}.com/login")
    page = each_look.open()
    enter_key(page, key)

    item = owned_item(page, idn_id)
    expect(destination_url(item)).to_have_text("https://münchen.de/bücher?q=café crème")
    expect(item.locator(".lookalike-warning")).to_have_count(0)
    expect_exact_address_at_hand(item, IDN_HREF)
    lookalike = owned_item(page, lookalike_id)
    expect(destination_url(lookalike)).to_have_text(MIXED_SCRIPT_HREF)
    expect(lookalike.locator(".lookalike-warning")).to_be_visible()
    assert check_with_axe(page) == []
    expect_fits_the_screen(page)

    item.get_by_role("button", name=f"Change destination of {idn_id}").click()
    field = item.get_by_label("New destination for")
    expect(field).to_have_value("https://münchen.de/bücher?q=café crème")

    field.fill("http://10.0.0.1/intranet")
    with page.expect_response(lambda r: r.request.method == "PATCH") as refused:
        item.get_by_role("button", name="Save").click()
    assert refused.value.status == 400
    reason = refused.value.json()["errors"][0]["reason"]
    expect(field_error(page, "New destination for")).to_have_text(f"The URL {reason}.")
    expect(field).to_be_focused()
    expect(alert(page)).to_have_text("")
    expect(page.locator(".field-error:visible")).to_have_count(1)
    assert check_with_axe(page) == []
    expect_fits_the_screen(page)

    field.fill("example.org/after")
    expect(item.locator(".url-preview")).to_have_text("Will save: https://example.org/after")
    with page.expect_request(lambda r: r.method == "PATCH") as sent:
        item.get_by_role("button", name="Save").click()

    assert json.loads(sent.value.post_data or "") == {"url": "https://example.org/after"}
    expect(item.get_by_role("status")).to_have_text(
        "Destination changed to https://example.org/after."
    )
    expect(destination_url(item)).to_have_text("https://example.org/after")
    expect(alert(page)).to_have_text("")
    [link] = [link for link in listed_by_api(stack, key) if link["shortId"] == idn_id]
    assert link["url"] == "https://example.org/after"


def test_editing_title_and_tags_checks_the_tags_first(each_look: PageUnderTest) -> None:
    stack = each_look.stack
    key = new_key(stack)
    short_id = create(stack, key, "https://example.com/labelled", title="Old", tags=["old"])
    page = each_look.open()
    enter_key(page, key)
    item = owned_item(page, short_id)
    patches: list[str] = []
    page.on("request", lambda r: patches.append(r.url) if r.method == "PATCH" else None)

    item.get_by_role("button", name=f"Edit title and tags of {short_id}").click()
    title = item.get_by_role("textbox", name="Title (optional)")
    tags = item.get_by_role("textbox", name="Tags (optional)")
    expect(title).to_be_focused()
    expect(title).to_have_value("Old")
    expect(tags).to_have_value("old")

    tags.fill("sale Bad_Tag")
    save = item.get_by_role("button", name="Save")
    save.click()
    save.click()

    expect(field_error(page, "Tags (optional)")).to_contain_text("“Bad_Tag” cannot be a tag")
    expect(page.get_by_text("cannot be a tag")).to_have_count(1)
    expect(tags).to_be_focused()
    assert patches == []
    assert check_with_axe(page) == []
    expect_fits_the_screen(page)

    tags.fill(" ".join(f"t{n}" for n in range(11)))
    save.click()
    expect(field_error(page, "Tags (optional)")).to_have_text("At most 10 tags: this is 11.")
    assert patches == []

    title.fill("New title")
    tags.fill("sale, launch")
    save.click()

    expect(item.get_by_role("status")).to_have_text("Title and tags saved.")
    expect(item).to_contain_text("New title")
    expect(item.get_by_role("button", name="Show only links tagged launch")).to_be_visible()
    expect(item.get_by_role("button", name="Show only links tagged old")).to_have_count(0)
    [link] = [link for link in listed_by_api(stack, key) if link["shortId"] == short_id]
    assert (link["title"], link["tags"]) == ("New title", ["sale", "launch"])


def test_forgetting_the_key_brings_back_this_browsers_own_list(ui: PageUnderTest) -> None:
    key = new_key(ui.stack)
    page = ui.open()
    made_here = shorten(page, "https://example.com/kept-in-this-browser")
    expect(my_link(page, made_here["shortId"])).to_be_visible()
    enter_key(page, key)
    expect(page.locator("#my-links")).to_be_hidden()
    expect(owned_item(page, made_here["shortId"])).to_have_count(0)  # it has no owner

    key_form(page).get_by_role("button", name="Forget key").click()

    expect(owned_section(page)).to_be_hidden()
    expect(my_link(page, made_here["shortId"])).to_be_visible()
    expect(key_form(page).get_by_role("status")).to_contain_text("Key forgotten")
    expect(key_form(page).get_by_text("Have an API key?")).to_be_focused()
    assert stored_key(page) is None
    page.reload()
    expect(my_link(page, made_here["shortId"])).to_be_visible()
    expect(owned_section(page)).to_be_hidden()


def test_a_revoked_key_is_explained_with_an_offer_to_forget_it(each_look: PageUnderTest) -> None:
    stack = each_look.stack
    key = new_key(stack)
    create(stack, key, "https://example.com/before-revocation")
    # Revoked before this browser uses it again (a key already checked is trusted for up to
    # a minute by each execution environment: docs/api.md).
    revoked = patiently(
        lambda: stack.request(
            "DELETE", f"/admin/keys/{key.split('_')[1]}", headers=bearer(admin_key(stack))
        )
    )
    assert revoked.status == 200, revoked.body
    page = each_look.open()
    page.evaluate("([name, key]) => localStorage.setItem(name, key)", [STORAGE_KEY, key])

    page = each_look.open()

    expect(alert(page)).to_contain_text("This API key is unknown or revoked")
    problem = page.locator("#owned-links-problem")
    expect(problem).to_contain_text("The shortener no longer accepts this API key")
    expect(page.locator("#owned-links-list > li")).to_have_count(0)
    expect(page.get_by_label("Search by alias or site")).to_be_hidden()
    assert check_with_axe(page) == []
    expect_fits_the_screen(page)

    problem.get_by_role("button", name="Forget key").click()

    expect(owned_section(page)).to_be_hidden()
    expect(page.locator("#my-links")).to_be_visible()
    expect(page.locator("#my-links-title")).to_be_focused()
    assert stored_key(page) is None


def test_a_key_typed_before_the_script_runs_never_reaches_an_address(
    browser: Browser, stack: LocalStack
) -> None:
    """Without the page's script (not loaded yet, or blocked), Enter submits the form the
    browser's way: a GET to the page. The key field has no name, so the key is not in it."""
    ui = new_page_under_test(browser, stack, java_script_enabled=False)
    try:
        page = ui.page
        page.goto(stack.base_url + "/")
        key_form(page).get_by_text("Have an API key?", exact=True).click()
        key = "usk_" + "0" * 16 + "_" + "A" * 43
        page.get_by_label("API key", exact=True).fill(key)
        with page.expect_navigation():
            page.get_by_label("API key", exact=True).press("Enter")
        assert "usk_" not in page.url
    finally:
        ui.context.close()
