"""`make screenshot`: the page as people see it, for the README's pictures (docs/*.png).

Starts the local stack on moto (nothing kept) with a one-second click stats window,
shortens links through the page the way a person would, follows them from the browser
(real clicks, from a few sites, phones and desktops, so the stats have something to
show), and photographs in Debian's Chromium:

- docs/screenshot.png: the form with its result, and "My links";
- docs/screenshot-stats.png: a link's stats view, its chart drawn from those clicks;
- docs/screenshot-phone-dark.png: the result on a 360 px phone in the dark scheme.

The stack and browser setup are the browser tests' own, so the pictures show what the
tests check.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright  # noqa: E402
from playwright.sync_api import Error as PlaywrightError  # noqa: E402

from tests.browser.conftest import CHROMIUM_ARGS, LOOKS  # noqa: E402
from tests.browser.shortener_page import shorten  # noqa: E402
from tests.e2e.conftest import BROWSER, UNLIMITED, LocalStack, start_local_stack, stop  # noqa: E402

DEFAULT_OUTPUT_DIR = REPO_ROOT / "docs"
DESKTOP: ViewportSize = {"width": 960, "height": 900}
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/142.0.0.0 Mobile Safari/537.36"
)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
# Who follows the campaign link: (User-Agent, Referer, how many times).
VISITS = [
    (ANDROID, "https://news.ycombinator.com/item?id=1", 6),
    (BROWSER, "https://www.linkedin.com/feed/", 4),
    (FIREFOX, None, 3),
    (ANDROID, "https://mail.example.org/", 2),
]
STATS_WITHIN_SECONDS = 60


def follow(browser: Browser, short_url: str, user_agent: str, referer: str | None) -> None:
    """One real click: a fresh browser (so its own User-Agent) follows the short link. The
    click counts at the redirect; the made-up destination then fails to resolve, as it may."""
    context = browser.new_context(user_agent=user_agent)
    try:
        context.new_page().goto(short_url, referer=referer or "")
    except PlaywrightError as error:
        if "ERR_NAME_NOT_RESOLVED" not in error.message:
            raise
    finally:
        context.close()


def wait_for_stats(stack: LocalStack, created: dict[str, Any], clicks: int) -> None:
    """Until the link's stats count `clicks` (they arrive a window at a time)."""
    deadline = time.monotonic() + STATS_WITHIN_SECONDS
    token = {"Authorization": f"Bearer {created['managementToken']}"}
    while (
        stack.request("GET", f"/links/{created['shortId']}/stats", headers=token).json()["clicks"]
        < clicks
    ):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the stats did not reach {clicks} clicks")
        time.sleep(0.25)


def tidy(page: Page) -> None:
    """Focus rings and "Updated at" notes are for people, not the picture."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.locator("#my-links-status").evaluate("el => { el.textContent = '' }")


def photograph(browser: Browser, stack: LocalStack, output_dir: Path) -> list[Path]:
    page = browser.new_page(viewport=DESKTOP, device_scale_factor=1, user_agent=BROWSER)
    page.goto(stack.base_url + "/")
    page.wait_for_selector("html[data-ready]", state="attached")

    older = shorten(page, "https://example.com/docs/getting-started?ref=readme")
    campaign = shorten(
        page,
        "https://münchen.example/blog/2026/11/ein-url-kürzer?utm_source=newsletter",
        alias="launch-2026",
        expires="In 30 days",
    )
    for user_agent, referer, times in VISITS:
        for _ in range(times):
            follow(browser, campaign["shortUrl"], user_agent, referer)
    follow(browser, older["shortUrl"], BROWSER, None)
    clicks = sum(times for _, _, times in VISITS)
    wait_for_stats(stack, campaign, clicks)

    page.get_by_role("button", name="Refresh").click()
    page.get_by_text(f"{clicks} clicks").first.wait_for()
    tidy(page)
    main = output_dir / "screenshot.png"
    page.screenshot(path=str(main), full_page=True)

    page.goto(f"{stack.base_url}/#/links/{campaign['shortId']}/stats")
    page.locator("#stats-view svg rect").first.wait_for()
    # A week: the day's bar stands among its neighbours rather than at the end of 30.
    with page.expect_response(lambda response: "/stats?" in response.url):
        page.get_by_label("Last 7 days").check()
    page.get_by_text("news.ycombinator.com").first.wait_for()
    tidy(page)
    stats = output_dir / "screenshot-stats.png"
    page.locator("main").screenshot(path=str(stats))
    page.close()

    phone = browser.new_context(**LOOKS["dark-phone"], user_agent=ANDROID).new_page()
    phone.goto(stack.base_url + "/")
    phone.wait_for_selector("html[data-ready]", state="attached")
    shorten(phone, "https://example.com/a/very/long/path/for-a-phone?utm_source=chat")
    tidy(phone)
    phone.locator("#result").evaluate("card => card.scrollIntoView()")
    dark = output_dir / "screenshot-phone-dark.png"
    phone.screenshot(path=str(dark))
    phone.context.close()
    return [main, stats, dark]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output-dir", type=Path, default=DEFAULT_OUTPUT_DIR)
    args = parser.parse_args()
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not chromium:
        print("screenshot: no Chromium found (apt-get install chromium)", file=sys.stderr)
        return 1

    args.output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data_dir:
        process, stack = start_local_stack(
            "moto",
            Path(data_dir),
            UNLIMITED,
            arguments=("--parameter-overrides", "ClickStatsWindowSeconds=1"),
        )
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                written = photograph(browser, stack, args.output_dir)
                browser.close()
        finally:
            stop(process)
    for path in written:
        print(f"screenshot: wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
