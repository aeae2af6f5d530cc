""" "My links" to a file and back: an export carries the links with their keys, an import
in another browser (or after clearing data) restores them, and a file that is not an
export is refused with one message, changing nothing."""

from __future__ import annotations

import base64
import json
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, FilePayload, Locator, Page, expect

from tests.browser.conftest import PageUnderTest, TargetSite, new_page_under_test
from tests.browser.shortener_page import alert, my_link, shorten
from tests.browser.test_accessibility import check_with_axe
from tests.e2e.conftest import LocalStack

STORAGE_KEY = "shortener.myLinks.v1"
FORMAT = "url-shortener.my-links"


def stored_links(page: Page) -> list[dict[str, Any]]:
    links: list[dict[str, Any]] = page.evaluate(
        f"JSON.parse(localStorage.getItem('{STORAGE_KEY}') || '[]')"
    )
    return links


def store_links(page: Page, links: list[dict[str, Any]]) -> None:
    """What an earlier visit left in this browser; the page reads it on the next load."""
    page.evaluate(
        "([key, links]) => localStorage.setItem(key, JSON.stringify(links))", [STORAGE_KEY, links]
    )
    page.reload()
    page.wait_for_selector("html[data-ready]", state="attached")


def new_token() -> str:
    """A management key's shape (src/domain/management_tokens.py), valid for no link."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def export_document(entries: list[Any], **changes: Any) -> bytes:
    """An export's bytes holding `entries`; `changes` replace its other fields (or links)."""
    document = {
        "format": FORMAT,
        "version": 1,
        "exportedAt": "2026-01-02T03:04:05.000Z",
        "origin": "http://127.0.0.1",
        "links": entries,
        **changes,
    }
    return json.dumps(document).encode()


def import_control(page: Page) -> Locator:
    return page.get_by_label("Import…")


def import_file(page: Page, content: bytes, name: str = "my-links.json") -> None:
    payload: FilePayload = {"name": name, "mimeType": "application/json", "buffer": content}
    import_control(page).set_input_files(files=[payload])


def file_status(page: Page) -> Locator:
    return page.locator("#my-links-file-status")


def export(page: Page) -> tuple[str, dict[str, Any]]:
    """Clicks Export…; the downloaded file's name and its document."""
    with page.expect_download() as download:
        page.get_by_role("button", name="Export…").click()
    path = download.value.path()
    return download.value.suggested_filename, json.loads(Path(path).read_text(encoding="utf-8"))


def link_entry(created: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A file's entry for a link made through the API (its answer to POST /shorten)."""
    return {
        key: created[key] for key in ("shortId", "shortUrl", "url", "createdAt", "managementToken")
    } | {"state": "active", **changes}


def test_export_downloads_the_stored_links_with_their_keys(ui: PageUnderTest) -> None:
    page = ui.open()
    expect(page.get_by_role("button", name="Export…")).to_be_hidden()  # nothing to export
    first = shorten(page, "https://example.com/exported-1")
    second = shorten(page, "https://example.com/exported-2")

    name, document = export(page)

    host = urlsplit(ui.stack.base_url).netloc.replace(":", "-")
    assert re.fullmatch(rf"my-links-{re.escape(host)}-\d{{4}}-\d{{2}}-\d{{2}}\.json", name), name
    assert document["format"] == FORMAT
    assert document["version"] == 1
    assert document["origin"] == ui.stack.base_url.rstrip("/")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", document["exportedAt"])
    assert document["links"] == stored_links(page)
    assert [(link["shortId"], link["managementToken"]) for link in document["links"]] == [
        (second["shortId"], second["managementToken"]),
        (first["shortId"], first["managementToken"]),
    ]
    expect(file_status(page)).to_have_text(
        f"Exported 2 links to {name}. Keep the file safe: it holds their keys."
    )


def test_an_import_in_a_fresh_browser_restores_the_list_and_its_keys_work(
    ui: PageUnderTest, browser: Browser, stack: LocalStack, target_site: TargetSite
) -> None:
    page = ui.open()
    created = shorten(page, target_site.url("/before"))
    _, document = export(page)

    elsewhere = new_page_under_test(browser, stack)
    try:
        fresh = elsewhere.open()
        expect(fresh.locator("#my-links-empty")).to_be_visible()
        with fresh.expect_response(
            lambda r: r.request.method == "GET" and r.url.endswith(f"/links/{created['shortId']}")
        ) as refreshed:
            import_file(fresh, json.dumps(document).encode())
        assert refreshed.value.status == 200
        expect(file_status(fresh)).to_have_text("Imported 1 link.")
        item = my_link(fresh, created["shortId"])
        expect(item).to_contain_text(target_site.url("/before"))
        assert stored_links(fresh)[0]["managementToken"] == created["managementToken"]

        # The imported key really manages the link: the API accepts the change.
        item.get_by_role("button", name=f"Change destination of {created['shortId']}").click()
        item.get_by_label("New destination for").fill(target_site.url("/after"))
        with fresh.expect_response(lambda r: r.request.method == "PATCH") as changed:
            item.get_by_role("button", name="Save").click()
        assert changed.value.status == 200
        expect(item.get_by_role("status").last).to_contain_text("Destination changed")
        assert ui.stack.request("GET", f"/links/{created['shortId']}").json()["url"] == (
            target_site.url("/after")
        )
        assert elsewhere.csp_violations() == []
    finally:
        elsewhere.context.close()


def test_a_file_that_is_not_an_export_is_refused_with_one_message_and_changes_nothing(
    ui: PageUnderTest,
) -> None:
    page = ui.open()
    kept = shorten(page, "https://example.com/kept")
    good = link_entry(kept) | {"shortId": "other-link", "managementToken": new_token()}
    before = stored_links(page)
    here = page.evaluate("location.origin")
    refusals = {
        b"{not json": "it is not JSON",
        b"[]": "it holds no export document",
        export_document([good], format="something.else"): f'its "format" is not "{FORMAT}"',
        export_document([good], version=2): (
            "it is version 2, made by a newer page than this one (which reads version 1)"
        ),
        export_document([good], version="1"): 'its "version" is not 1',
        export_document([good], links={}): 'its "links" is not a list',
        export_document([good, "a link"]): "link 2 is not a link",
        export_document([good | {"shortId": "no/slash"}]): 'link 1 has no valid "shortId"',
        export_document([good | {"managementToken": "short"}]): (
            'link 1 (other-link) has no valid management key ("managementToken")'
        ),
        export_document([{k: v for k, v in good.items() if k != "managementToken"}]): (
            'link 1 (other-link) has no valid management key ("managementToken")'
        ),
        export_document([good | {"shortUrl": "javascript:alert(1)"}]): (
            'link 1 (other-link) has a "shortUrl" that is not an http or https address'
        ),
        export_document([good | {"url": 42}]): 'link 1 (other-link) has no "url"',
        export_document([good | {"clicks": -1}]): 'link 1 (other-link) has an invalid "clicks"',
        export_document([good, good]): "link 2 (other-link) is listed twice",
        export_document([good], origin="https://elsewhere.example"): (
            "its links belong to another shortener (https://elsewhere.example),"
            f" not this one ({here})"
        ),
    }

    for content, reason in refusals.items():
        import_file(page, content)
        message = f"This file is not a My links export: {reason}."
        error = page.locator("#import-file-error")
        expect(error).to_have_text(message)
        expect(page.get_by_text(message, exact=True)).to_have_count(1)
        expect(import_control(page)).to_have_attribute("aria-invalid", "true")
        expect(import_control(page)).to_be_focused()
        expect(file_status(page)).to_have_text("")
        expect(alert(page)).to_have_text("")
        assert stored_links(page) == before, reason
        expect(page.locator("#my-links-list > li")).to_have_count(1)

    # A good file afterwards clears the message.
    import_file(page, export_document([], origin=page.evaluate("location.origin")))
    expect(file_status(page)).to_have_text("The file holds no links: nothing was imported.")
    expect(page.locator("#import-file-error")).to_be_hidden()
    expect(import_control(page)).not_to_have_attribute("aria-invalid", "true")


def test_the_import_controls_and_a_refusal_fit_every_look_and_pass_axe(
    each_look: PageUnderTest,
) -> None:
    page = each_look.open()
    control = import_control(page)
    # Reachable by keyboard: Tab goes from the list's last control (the empty list has
    # only Refresh) to the import control.
    page.locator("#refresh-links").focus()
    page.keyboard.press("Tab")
    expect(control).to_be_focused()
    label_box = page.locator("label[for=import-file]").bounding_box()
    assert label_box is not None
    assert label_box["height"] >= 44
    assert check_with_axe(page) == []

    import_file(page, b"{}")
    expect(page.locator("#import-file-error")).to_be_visible()
    assert int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth")) <= 0
    assert check_with_axe(page) == []


def test_an_import_merges_with_the_list_already_here_and_loses_no_key(ui: PageUnderTest) -> None:
    page = ui.open()
    here = ui.stack.shorten({"url": "https://example.com/here"}).json()
    keyless = ui.stack.shorten({"url": "https://example.com/keyless"}).json()
    arriving = ui.stack.shorten({"url": "https://example.com/arriving"}).json()
    deleted = ui.stack.shorten({"url": "https://example.com/deleted"}).json()
    deletion = ui.stack.request(
        "DELETE",
        f"/links/{deleted['shortId']}",
        headers={"Authorization": f"Bearer {deleted['managementToken']}"},
    )
    assert deletion.status == 204
    store_links(
        page,
        [
            link_entry(here, checkedAt="2026-01-01T00:00:00.000Z"),
            # A copy of a link that lost its key here (an older page's store, say).
            link_entry(keyless, managementToken=""),
            link_entry(deleted, state="gone", checkedAt="2026-01-01T00:00:00.000Z"),
        ],
    )
    other_key = new_token()

    with page.expect_response(lambda r: r.url.endswith(f"/links/{arriving['shortId']}")):
        import_file(
            page,
            export_document(
                [
                    link_entry(here, managementToken=other_key, url="https://example.com/stale"),
                    link_entry(keyless),
                    link_entry(arriving),
                    # Fresher, but from before the deletion: a deletion is final.
                    link_entry(deleted, checkedAt="2030-01-01T00:00:00.000Z"),
                ],
                origin=page.evaluate("location.origin"),
            ),
        )

    expect(file_status(page)).to_have_text(
        f"Imported 1 link, 3 already here. The file has a different key for {here['shortId']}:"
        " this browser's key was kept."
    )
    tokens = {link["shortId"]: link["managementToken"] for link in stored_links(page)}
    assert tokens == {
        here["shortId"]: here["managementToken"],
        keyless["shortId"]: keyless["managementToken"],
        arriving["shortId"]: arriving["managementToken"],
        deleted["shortId"]: deleted["managementToken"],
    }
    expect(my_link(page, deleted["shortId"])).to_contain_text("Deleted (410 Gone)")
    # The refresh that follows an import shows what the API says, not the file.
    expect(my_link(page, here["shortId"])).to_contain_text("https://example.com/here")
    expect(my_link(page, arriving["shortId"])).to_contain_text("https://example.com/arriving")
    expect(page.locator("#my-links-list > li")).to_have_count(4)

    # Importing the same file again adds nothing and says so.
    import_file(
        page, export_document([link_entry(arriving)], origin=page.evaluate("location.origin"))
    )
    expect(file_status(page)).to_have_text("Nothing new, 1 already here.")
    expect(page.locator("#my-links-list > li")).to_have_count(4)
