"""The page in a real browser: Debian's Chromium, driven by Playwright, against the local stack.

Each xdist worker starts its own local stack (moto, no rate limit in the way), its own
little target site, and one Chromium; every test gets a fresh browser context, so its
"My links" (localStorage) starts empty. The page is served with the CSP the deployment
sends, and any violation fails the test.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Route,
    expect,
    sync_playwright,
)

from tests.e2e.conftest import BROWSER, UNLIMITED, LocalStack, start_local_stack, stop

# The shortener refuses loopback addresses and `localhost` as targets, so the target
# site gets a name that Chromium alone resolves to 127.0.0.1.
TARGET_HOST = "target.test"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    f"--host-resolver-rules=MAP {TARGET_HOST} 127.0.0.1",
]
# Roughly what the deployment's response-headers policy sends with the page.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Collects CSP violations where the test can read them (init scripts run before the
# page's own and are not subject to its CSP).
_RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""
TIMEOUT_MS = 10_000
# expect() waits as long as the page's own actions do (its default is 5 s): on a loaded
# 2-core machine a page may take longer than that to answer, and still be right.
expect.set_options(timeout=TIMEOUT_MS)


def chromium_executable() -> str:
    """Debian's Chromium (Playwright cannot download its own here); skip or fail without it."""
    found = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if found:
        return found
    reason = "no Chromium found (apt-get install chromium, or set CHROMIUM=/path/to/chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {reason}")
    pytest.skip(reason)


@dataclass
class TargetSite:
    """Pages on loopback for short links to land on, under a name the shortener accepts."""

    port: int

    def url(self, path: str) -> str:
        return f"http://{TARGET_HOST}:{self.port}{path}"


class _TargetPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        name = self.path.strip("/").split("?")[0] or "home"
        body = (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>Target {name}</title></head><body><h1>Landed on {name}</h1></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output clean


@pytest.fixture(scope="session")
def target_site() -> Iterator[TargetSite]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TargetPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield TargetSite(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The local stack for most tests: moto, and no creation or report limit in the way."""
    process, local = start_local_stack(
        "moto",
        tmp_path_factory.mktemp("browser-data"),
        {**UNLIMITED, "REPORT_RATE_LIMIT": "1000000"},
    )
    yield local
    stop(process)


@pytest.fixture(scope="session")
def rate_limited_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """A stack that allows one link and one report per client per hour: the second gets
    a 429 (the window rolls: no edge lets a second one through)."""
    process, local = start_local_stack(
        "moto",
        tmp_path_factory.mktemp("browser-data-limited"),
        {
            "CREATION_RATE_LIMIT": "1",
            "REPORT_RATE_LIMIT": "1",
            "CREATION_RATE_WINDOW_SECONDS": "3600",
        },
    )
    yield local
    stop(process)


@pytest.fixture(scope="session")
def closed_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """A stack deployed with PublicCreation=false: POST /shorten without a key is 401."""
    process, local = start_local_stack(
        "moto",
        tmp_path_factory.mktemp("browser-data-closed"),
        {**UNLIMITED, "PUBLIC_CREATION": "false"},
    )
    yield local
    stop(process)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@dataclass
class PageUnderTest:
    """A fresh page on one stack, with what the tests need next to it."""

    page: Page
    context: BrowserContext
    stack: LocalStack

    def open(self, path: str = "/") -> Page:
        self.page.goto(self.stack.base_url + path)
        # app.js marks the page ready once every handler is attached.
        self.page.wait_for_selector("html[data-ready]", state="attached")
        return self.page

    def csp_violations(self) -> list[str]:
        if self.page.is_closed() or not self.page.url.startswith(self.stack.base_url):
            return []
        violations: list[str] = self.page.evaluate("window.__cspViolations || []")
        return violations


def new_page_under_test(browser: Browser, stack: LocalStack, **options: Any) -> PageUnderTest:
    context = browser.new_context(
        base_url=stack.base_url,
        # Clicks count only for real browsers; headless Chromium says "HeadlessChrome".
        user_agent=BROWSER,
        **options,
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(_RECORD_CSP_VIOLATIONS)

    def with_csp(route: Route) -> None:
        response = route.fetch()
        route.fulfill(
            response=response,
            headers={**response.headers, "content-security-policy": PAGE_CSP},
        )

    context.route(f"{stack.base_url}/", with_csp)
    return PageUnderTest(context.new_page(), context, stack)


def page_for_a_test(browser: Browser, stack: LocalStack, **options: Any) -> Iterator[PageUnderTest]:
    """A fresh page for one test (fixtures `yield from` it); once the test is done, its
    context is closed and a CSP violation fails the test."""
    page_under_test = new_page_under_test(browser, stack, **options)
    yield page_under_test
    violations = page_under_test.csp_violations()
    page_under_test.context.close()
    assert violations == [], f"the page broke its CSP: {violations}"


@pytest.fixture
def ui(browser: Browser, stack: LocalStack) -> Iterator[PageUnderTest]:
    yield from page_for_a_test(browser, stack)


# The ways people see the page: the system's light and dark colour schemes, on a desktop
# and on a 360 px phone (the narrowest common width). A test that takes `each_look`
# runs once in each.
LOOKS: dict[str, dict[str, Any]] = {
    "light-desktop": {"color_scheme": "light", "viewport": {"width": 1280, "height": 900}},
    "dark-desktop": {"color_scheme": "dark", "viewport": {"width": 1280, "height": 900}},
    "light-phone": {
        "color_scheme": "light",
        "viewport": {"width": 360, "height": 740},
        "is_mobile": True,
        "has_touch": True,
    },
    "dark-phone": {
        "color_scheme": "dark",
        "viewport": {"width": 360, "height": 740},
        "is_mobile": True,
        "has_touch": True,
    },
}


@pytest.fixture(params=list(LOOKS))
def each_look(
    request: pytest.FixtureRequest, browser: Browser, stack: LocalStack
) -> Iterator[PageUnderTest]:
    """Like `ui`, once per look: both colour schemes, desktop and 360 px."""
    yield from page_for_a_test(browser, stack, **LOOKS[request.param])
