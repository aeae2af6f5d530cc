"""`make screenshot`: the page as a person sees it, for the README (docs/screenshot.png).

Starts the local stack on moto (nothing kept), shortens two links through the page the
way a person would, clicks one a few times, and photographs the result and "My links"
in Debian's Chromium. The stack and browser setup are the browser tests' own, so the
picture shows what the tests check.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from playwright.sync_api import ViewportSize, sync_playwright  # noqa: E402  # after the path is set

from tests.browser.conftest import CHROMIUM_ARGS  # noqa: E402
from tests.browser.shortener_page import shorten  # noqa: E402
from tests.e2e.conftest import UNLIMITED, start_local_stack, stop  # noqa: E402

DEFAULT_OUTPUT = REPO_ROOT / "docs" / "screenshot.png"
VIEWPORT: ViewportSize = {"width": 960, "height": 900}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not chromium:
        print("screenshot: no Chromium found (apt-get install chromium)", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory() as data_dir:
        process, stack = start_local_stack("moto", Path(data_dir), UNLIMITED)
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
                page.goto(stack.base_url + "/")
                page.wait_for_selector("html[data-ready]", state="attached")

                older = shorten(page, "https://example.com/docs/getting-started?ref=readme")
                for _ in range(3):  # a few real visits, so "My links" shows counted clicks
                    stack.request("GET", f"/{older['shortId']}")
                shorten(
                    page,
                    "https://example.com/blog/2026/11/a-serverless-url-shortener?utm_source=newsletter",
                    alias="launch-2026",
                    expires="In 30 days",
                )
                page.get_by_role("button", name="Refresh").click()
                page.get_by_text("3 clicks").wait_for()
                # Focus rings and the "Updated at" note are for people, not the picture.
                page.evaluate("document.activeElement.blur()")
                page.locator("#my-links-status").evaluate("el => { el.textContent = '' }")

                args.output.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.output), full_page=True)
                browser.close()
        finally:
            stop(process)
    print(f"screenshot: wrote {args.output.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
