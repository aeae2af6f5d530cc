"""A link's life on the page: followed, counted, redirected elsewhere, deleted."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import PageUnderTest, TargetSite
from tests.browser.shortener_page import alert, field_error, my_link, result_link, shorten


def test_following_the_link_lands_on_the_target_and_counts_the_click(
    ui: PageUnderTest, target_site: TargetSite
) -> None:
    page = ui.open()
    created = shorten(page, target_site.url("/landing"))

    result_link(page).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Landed on landing")
    assert page.url == target_site.url("/landing")

    page.go_back()
    item = my_link(page, created["shortId"])
    expect(item).to_contain_text("1 click ")
    expect(item).to_contain_text("last ")

    item.get_by_role("link", name=f"Details of {created['shortId']}").click()
    expect(page).to_have_url(f"{ui.stack.base_url}/#/links/{created['shortId']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Link details")
    expect(page.locator("#details-clicks")).to_have_text("1 click")
    expect(page.locator("#details-url")).to_have_text(target_site.url("/landing"))
    expect(page.locator("#details-last-clicked")).not_to_have_text("Never")


def test_changing_the_destination_sends_the_next_visit_to_the_new_target(
    ui: PageUnderTest, target_site: TargetSite
) -> None:
    page = ui.open()
    created = shorten(page, target_site.url("/landing"))
    item = my_link(page, created["shortId"])

    item.get_by_role("button", name=f"Change destination of {created['shortId']}").click()
    new_target = item.get_by_label("New destination for")
    expect(new_target).to_be_focused()
    expect(new_target).to_have_value(target_site.url("/landing"))
    new_target.fill(target_site.url("/elsewhere"))
    item.get_by_role("button", name="Save").click()

    expect(item.get_by_role("status")).to_contain_text("Destination changed")
    expect(item).to_contain_text(target_site.url("/elsewhere"))
    expect(item.get_by_label("New destination for")).to_have_count(0)

    # The browser that follows it now gets the new target: redirects are never cached.
    page.goto(created["shortUrl"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Landed on elsewhere")


def test_a_refused_destination_keeps_the_form_open_with_the_apis_reason(ui: PageUnderTest) -> None:
    page = ui.open()
    created = shorten(page, "https://example.com/stays")
    item = my_link(page, created["shortId"])
    item.get_by_role("button", name=f"Change destination of {created['shortId']}").click()

    item.get_by_label("New destination for").fill("http://10.0.0.1/intranet")
    with page.expect_response(lambda r: r.request.method == "PATCH") as answer:
        item.get_by_role("button", name="Save").click()

    assert answer.value.status == 400
    reason = answer.value.json()["errors"][0]["reason"]
    field = item.get_by_label("New destination for")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#change-url-{created['shortId']}-error")).to_contain_text(reason)
    expect(item).to_contain_text("https://example.com/stays")


def test_deleting_asks_first_then_the_link_answers_410(ui: PageUnderTest) -> None:
    page = ui.open()
    created = shorten(page, "https://example.com/short-lived")
    short_id = created["shortId"]
    item = my_link(page, short_id)

    delete = item.get_by_role("button", name=f"Delete {short_id}")
    delete.click()
    expect(item).to_contain_text("for good?")
    expect(delete).to_have_attribute("aria-expanded", "true")
    item.get_by_role("button", name="Cancel").click()
    expect(item.get_by_role("button", name="Delete for good")).to_have_count(0)
    delete.click()
    page.keyboard.press("Escape")  # closes the question too, and focus goes back
    expect(item.get_by_role("button", name="Delete for good")).to_have_count(0)
    expect(delete).to_be_focused()
    assert ui.stack.request("GET", f"/links/{short_id}").status == 200

    delete.click()
    with page.expect_response(lambda r: r.request.method == "DELETE") as answer:
        item.get_by_role("button", name="Delete for good").click()

    assert answer.value.status == 204
    expect(item.locator(".badge")).to_have_text("Deleted (410 Gone)")
    expect(item.get_by_role("status")).to_contain_text("410")
    expect(delete).to_be_hidden()
    expect(item.get_by_role("button", name=f"Remove from list ({short_id})")).to_be_focused()

    response = page.goto(created["shortUrl"])
    assert response is not None
    assert response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("Link no longer available")

    ui.open(f"/#/links/{short_id}")
    expect(field_error(page, "Short link or id")).to_contain_text("is gone")
    expect(page.locator("#link-details")).to_be_hidden()

    ui.open("/")
    expect(my_link(page, short_id).locator(".badge")).to_have_text("Deleted (410 Gone)")
    my_link(page, short_id).get_by_role("button", name=f"Remove from list ({short_id})").click()
    expect(my_link(page, short_id)).to_have_count(0)
    expect(page.get_by_role("heading", name="My links")).to_be_focused()


def test_my_links_shows_links_deleted_elsewhere_and_unknown_ones(ui: PageUnderTest) -> None:
    page = ui.open()
    kept = shorten(page, "https://example.com/kept")
    deleted = shorten(page, "https://example.com/deleted-elsewhere")
    answer = ui.stack.request(
        "DELETE",
        f"/links/{deleted['shortId']}",
        headers={"Authorization": f"Bearer {deleted['managementToken']}"},
    )
    assert answer.status == 204
    # A link this browser remembers but the table no longer has (say, a reset local stack).
    page.evaluate(
        """() => {
          const links = JSON.parse(localStorage.getItem('shortener.myLinks.v1'));
          const shortUrl = location.origin + '/forgotten-link';
          links.push({...links[0], shortId: 'forgotten-link', shortUrl});
          localStorage.setItem('shortener.myLinks.v1', JSON.stringify(links));
        }"""
    )

    page.reload()

    expect(my_link(page, deleted["shortId"]).locator(".badge")).to_have_text("Deleted (410 Gone)")
    expect(my_link(page, "forgotten-link").locator(".badge")).to_have_text("Not found (404)")
    expect(my_link(page, kept["shortId"]).locator(".badge")).to_be_hidden()
    expect(
        my_link(page, kept["shortId"]).get_by_role("button", name=f"Delete {kept['shortId']}")
    ).to_be_visible()
    expect(alert(page)).to_have_text("")


def test_link_info_looks_up_a_pasted_short_link(ui: PageUnderTest) -> None:
    created = ui.stack.shorten({"url": "https://example.com/looked-up", "expiresIn": 86400}).json()
    page = ui.open()
    page.get_by_role("link", name="Look up a link").click()
    expect(page.get_by_role("heading", level=1)).to_be_focused()

    page.get_by_label("Short link or id").fill(created["shortUrl"])
    page.get_by_role("button", name="Look up").click()

    expect(page).to_have_url(f"{ui.stack.base_url}/#/links/{created['shortId']}")
    expect(page.locator("#details-url")).to_have_text("https://example.com/looked-up")
    expect(page.locator("#details-clicks")).to_have_text("0 clicks")
    expect(page.locator("#details-expires")).not_to_have_text("Never")
    expect(page.get_by_role("img", name=f"QR code for {created['shortUrl']}")).to_be_attached()

    page.get_by_label("Short link or id").fill("no-such-link")
    page.get_by_role("button", name="Look up").click()
    expect(field_error(page, "Short link or id")).to_have_text(
        "The short link “no-such-link” was not found (404)."
    )
    expect(page.locator("#link-details")).to_be_hidden()
