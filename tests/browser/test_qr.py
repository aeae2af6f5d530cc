"""A link's QR code: enlarged in a dialog, and saved as SVG or PNG named after the link's id."""

from __future__ import annotations

import base64
import re
import struct
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import PageUnderTest
from tests.browser.shortener_page import shorten
from tests.browser.test_accessibility import check_with_axe

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_MIN_SIDE = 1024


def qr_figure(page: Page, view: str) -> Locator:
    """The QR code's figure in the result card (view "#result") or the link details."""
    return page.locator(f"{view} figure")


def wait_for_qr_image(figure: Locator) -> None:
    expect(figure.get_by_role("img")).to_be_visible()
    figure.get_by_role("img").evaluate("image => image.decode()")


def test_enlarge_opens_a_labelled_dialog_that_escape_closes(each_look: PageUnderTest) -> None:
    page = each_look.open()
    created = shorten(page, "https://example.com/enlarge-me")
    enlarge = qr_figure(page, "#result").get_by_role("button", name="Enlarge")

    enlarge.click()

    dialog = page.get_by_role("dialog", name=f"QR code for {created['shortId']}")
    expect(dialog).to_be_visible()
    image = dialog.get_by_role("img", name=f"QR code for {created['shortUrl']}")
    expect(image).to_be_visible()
    assert image.evaluate("image => image.decode().then(() => image.naturalWidth)") > 0
    # Larger than in the card, on a phone too, and within the screen.
    box = image.bounding_box()
    viewport = page.viewport_size
    assert box is not None
    assert viewport is not None
    assert box["width"] >= 1.5 * 128
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= viewport["width"]
    expect(dialog).to_contain_text(created["shortUrl"])
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    # Modal: the page behind is inert while it is open.
    assert dialog.evaluate("dialog => dialog.matches(':modal')") is True
    assert check_with_axe(page) == []

    page.keyboard.press("Escape")

    expect(dialog).to_be_hidden()
    expect(enlarge).to_be_focused()


def test_the_dialogs_close_button_returns_focus_in_the_link_details(ui: PageUnderTest) -> None:
    created = ui.stack.shorten({"url": "https://example.com/details-qr"}).json()
    page = ui.open(f"/#/links/{created['shortId']}")
    enlarge = qr_figure(page, "#link-details").get_by_role("button", name="Enlarge")

    enlarge.click()
    dialog = page.get_by_role("dialog", name=f"QR code for {created['shortId']}")
    expect(dialog.get_by_role("img", name=f"QR code for {created['shortUrl']}")).to_be_visible()
    dialog.get_by_role("button", name="Close").click()

    expect(dialog).to_be_hidden()
    expect(enlarge).to_be_focused()


def test_download_svg_saves_the_apis_svg_named_after_the_id(ui: PageUnderTest) -> None:
    page = ui.open()
    created = shorten(page, "https://example.com/save-svg")
    figure = qr_figure(page, "#result")

    with page.expect_download() as download:
        figure.get_by_role("button", name="Download SVG").click()

    assert download.value.suggested_filename == f"{created['shortId']}-qr.svg"
    saved = Path(download.value.path()).read_bytes()
    from_the_api = ui.stack.request("GET", f"/links/{created['shortId']}/qr")
    assert from_the_api.status == 200
    assert saved == from_the_api.body
    assert saved.startswith(b"<svg")
    expect(figure.get_by_role("status")).to_have_text(f"Downloaded {created['shortId']}-qr.svg")


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which the PNG format puts first."""
    assert png[:8] == PNG_SIGNATURE, f"not a PNG: {png[:8]!r}"
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


# Draws the API's SVG at its natural size (a whole number of pixels per module) and the
# saved PNG, and compares each SVG pixel with the PNG pixel at the middle of the area it
# became: the same dark and light modules, or the PNG is not the same QR code.
_COMPARE_WITH_THE_SVG = """
async ([svgUrl, pngBase64]) => {
  const dark = (data, i) => data[i] + data[i + 1] + data[i + 2] < 3 * 128;
  const svg = new Image();
  svg.src = svgUrl;
  await svg.decode();
  const side = svg.naturalWidth;
  const svgCanvas = new OffscreenCanvas(side, side);
  const svgContext = svgCanvas.getContext("2d");
  svgContext.drawImage(svg, 0, 0);
  const svgPixels = svgContext.getImageData(0, 0, side, side).data;

  const bytes = Uint8Array.from(atob(pngBase64), (c) => c.charCodeAt(0));
  const png = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
  const pngCanvas = new OffscreenCanvas(png.width, png.height);
  const pngContext = pngCanvas.getContext("2d");
  pngContext.drawImage(png, 0, 0);
  const pngPixels = pngContext.getImageData(0, 0, png.width, png.height).data;

  const scale = png.width / side;
  let darkPixels = 0;
  let lightPixels = 0;
  let different = 0;
  for (let y = 0; y < side; y += 1) {
    for (let x = 0; x < side; x += 1) {
      const inSvg = dark(svgPixels, (y * side + x) * 4);
      const px = Math.floor((x + 0.5) * scale);
      const py = Math.floor((y + 0.5) * scale);
      const inPng = dark(pngPixels, (py * png.width + px) * 4);
      if (inSvg !== inPng) different += 1;
      if (inPng) darkPixels += 1;
      else lightPixels += 1;
    }
  }
  return { svgSide: side, darkPixels, lightPixels, different };
}
"""


def test_download_png_saves_a_large_sharp_copy_of_the_same_qr_code(ui: PageUnderTest) -> None:
    created = ui.stack.shorten({"url": "https://example.com/save-png"}).json()
    page = ui.open(f"/#/links/{created['shortId']}")
    figure = qr_figure(page, "#link-details")
    wait_for_qr_image(figure)

    with page.expect_download() as download:
        figure.get_by_role("button", name="Download PNG").click()

    assert download.value.suggested_filename == f"{created['shortId']}-qr.png"
    png = Path(download.value.path()).read_bytes()
    width, height = png_size(png)
    svg = ui.stack.request("GET", f"/links/{created['shortId']}/qr").body.decode()
    svg_width = int(re.search(r'width="(\d+)(?:px)?"', svg)[1])  # type: ignore[index]
    # The smallest whole multiple of the SVG's size that is at least 1024 px.
    assert width == height == svg_width * -(-PNG_MIN_SIDE // svg_width)
    assert width >= PNG_MIN_SIDE

    compared: dict[str, Any] = page.evaluate(
        _COMPARE_WITH_THE_SVG,
        [f"/links/{created['shortId']}/qr", base64.b64encode(png).decode()],
    )
    assert compared["svgSide"] == svg_width
    assert compared["darkPixels"] > 0.2 * svg_width**2
    assert compared["lightPixels"] > 0.4 * svg_width**2  # the quiet zone alone is ~40 %
    assert compared["different"] == 0
    expect(figure.get_by_role("status")).to_have_text(f"Downloaded {created['shortId']}-qr.png")


def test_the_buttons_go_with_an_image_that_cannot_load(ui: PageUnderTest) -> None:
    ui.context.route("**/links/*/qr", lambda route: route.fulfill(status=503, body="busy"))
    page = ui.open()
    shorten(page, "https://example.com/no-qr-today")
    figure = qr_figure(page, "#result")

    expect(figure).to_contain_text("QR code unavailable right now.")
    expect(figure.get_by_role("button")).to_have_count(0)


def test_a_failed_download_is_told_in_the_alert(ui: PageUnderTest) -> None:
    page = ui.open()
    shorten(page, "https://example.com/busy-qr")
    figure = qr_figure(page, "#result")
    wait_for_qr_image(figure)
    ui.context.route(
        "**/links/*/qr",
        lambda route: route.fulfill(status=503, headers={"Retry-After": "30"}, body="{}"),
    )

    figure.get_by_role("button", name="Download SVG").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "The shortener is busy. Try again in 30 seconds."
    )
    expect(figure.get_by_role("status")).to_have_text("")
