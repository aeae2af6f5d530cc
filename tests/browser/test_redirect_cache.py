"""What a browser keeps of a redirect, in Chromium's own HTTP cache.

The redirect answers `Cache-Control: no-store` (src/handlers/responses.py), so a browser
that followed a link before follows its new destination, or learns it is gone, on the very
next click. These tests use contexts without request routing: Playwright turns the HTTP
cache off in a context that routes requests, and the cache is what is under test.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.browser.conftest import TIMEOUT_MS, TargetSite
from tests.e2e.conftest import BROWSER, LocalStack

FOLLOWS = 5


@pytest.fixture
def cached_context(browser: Browser) -> Iterator[BrowserContext]:
    """A context with the browser's HTTP cache on, as people have it."""
    context = browser.new_context(user_agent=BROWSER)
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


def test_a_browser_that_followed_a_link_follows_its_change_and_its_delete_at_once(
    cached_context: BrowserContext, stack: LocalStack, target_site: TargetSite
) -> None:
    created = stack.shorten({"url": target_site.url("/landing")}).json()
    token = {"Authorization": f"Bearer {created['managementToken']}"}
    page = cached_context.new_page()

    page.goto(created["shortUrl"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Landed on landing")

    changed = stack.request(
        "PATCH",
        f"/links/{created['shortId']}",
        json.dumps({"url": target_site.url("/elsewhere")}),
        {**token, "Content-Type": "application/json"},
    )
    assert changed.status == 200, changed.body
    page.goto(created["shortUrl"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Landed on elsewhere")

    assert stack.request("DELETE", f"/links/{created['shortId']}", headers=token).status == 204
    gone = page.goto(created["shortUrl"])
    assert gone is not None
    assert gone.status == 410


class _Redirects(BaseHTTPRequestHandler):
    """/<cache-control> redirects to the target site with that Cache-Control, counting."""

    hits: Counter[str]
    location: str

    def do_GET(self) -> None:
        policy = self.path.strip("/").replace("_", " ").replace("~", ",")
        self.hits[policy] += 1
        self.send_response(302)
        self.send_header("Location", self.location)
        self.send_header("Cache-Control", policy)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_minutes_browser_cache_would_save_only_a_repeat_follow_by_the_same_browser(
    cached_context: BrowserContext, target_site: TargetSite
) -> None:
    """The measurement behind choosing no-store (docs/api.md, "GET /{shortId}"): side by
    side in one run, one browser following a redirect FOLLOWS times within a minute."""
    hits: Counter[str] = Counter()
    handler = type(
        "Redirects", (_Redirects,), {"hits": hits, "location": target_site.url("/landing")}
    )
    # Served as target.test (a name Chromium alone resolves), as short links are served
    # on their own name, not as 127.0.0.1.
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = TargetSite(server.server_address[1]).url
    try:
        page = cached_context.new_page()
        for policy in ("private~_max-age=60", "no-store"):
            for _ in range(FOLLOWS):
                page.goto(base(f"/{policy}"))
                expect(page.get_by_role("heading", level=1)).to_have_text("Landed on landing")
    finally:
        server.shutdown()
        server.server_close()

    # The minute's cache answered every follow after the first; no-store sent each one.
    assert hits == {"private, max-age=60": 1, "no-store": FOLLOWS}
