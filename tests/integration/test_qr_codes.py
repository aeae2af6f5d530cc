"""GET /links/{shortId}/qr through the real handler and an AWS-shaped event, against moto.

No QR decoder is installed, so the image is checked by reading the dark modules its
SVG path draws back into a grid and comparing them with segno's own QR matrix for the
link's shortUrl: the picture is the code for exactly that text, with its quiet zone.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

import pytest
import segno

from handlers import links, shorten
from handlers.qr_codes import ERROR_CORRECTION, QUIET_ZONE, SCALE
from tests.conftest import load_event

SVG = "{http://www.w3.org/2000/svg}"


def created(context: Any, **body: Any) -> Any:
    event = load_event("shorten.json")
    event["body"] = json.dumps({"url": "https://example.com/landing", **body})
    response = shorten.handler(event, context)
    assert response["statusCode"] == 201, response["body"]
    return json.loads(response["body"])


def qr_code(context: Any, short_id: str, **headers: str) -> dict[str, Any]:
    # AWS's GET /links/{shortId} sample, pointed at the QR route the template deploys.
    event = load_event("link-info.json")
    event["routeKey"] = event["requestContext"]["routeKey"] = "GET /links/{shortId}/qr"
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/links/{short_id}/qr"
    event["pathParameters"] = {"shortId": short_id}
    event["headers"].update(headers)
    return links.handler(event, context)


def delete(context: Any, link: Any) -> None:
    event = load_event("link-delete.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/links/{link['shortId']}"
    event["pathParameters"] = {"shortId": link["shortId"]}
    event["headers"]["authorization"] = f"Bearer {link['managementToken']}"
    assert links.handler(event, context)["statusCode"] == 204


def parse_svg(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 (our own handler's output, not untrusted XML)


def drawn_modules(svg: ET.Element) -> set[tuple[int, int]]:
    """(row, column) of every dark module the SVG draws, quiet zone included.

    segno draws each row's dark runs as horizontal strokes one module thick, centred
    half a module down: `M x y hN` absolute, then `m dx dy hN` relative to the end of
    the previous run, the whole scaled by the `scale(...)` transform.
    """
    paths = [path for path in svg.iter(f"{SVG}path") if path.get("stroke")]
    assert len(paths) == 1
    cells: set[tuple[int, int]] = set()
    x = y = 0.0
    for move, dx, dy, length in re.findall(
        r"([Mm])(-?[\d.]+) (-?[\d.]+)h(\d+)", paths[0].get("d", "")
    ):
        x, y = (float(dx), float(dy)) if move == "M" else (x + float(dx), y + float(dy))
        assert y % 1 == 0.5
        cells.update((int(y), int(x) + i) for i in range(int(length)))
        x += int(length)
    return cells


def segno_modules(text: str) -> tuple[set[tuple[int, int]], int]:
    """segno's dark modules for `text`, shifted by the quiet zone, and the symbol size."""
    code = segno.make_qr(text, error=ERROR_CORRECTION)
    cells = {
        (row + QUIET_ZONE, column + QUIET_ZONE)
        for row, line in enumerate(code.matrix)
        for column, dark in enumerate(line)
        if dark
    }
    return cells, len(code.matrix)


# --- the image -------------------------------------------------------------------------


def test_a_link_has_a_cacheable_svg_qr_code_of_its_short_url(dynamodb_calls, lambda_context):
    link = created(lambda_context, alias="launch-2026")

    response = qr_code(lambda_context, "launch-2026")

    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "image/svg+xml"
    assert response["headers"]["Cache-Control"] == "public, max-age=86400"
    assert "Vary" not in response["headers"]
    assert not response.get("isBase64Encoded")
    body = response["body"]
    assert body.startswith("<svg "), "a standalone image, no XML declaration needed"
    svg = parse_svg(body)  # well-formed XML in the SVG namespace (standalone)
    assert svg.tag == f"{SVG}svg"
    assert svg.findtext(f"{SVG}title") == f"QR code for {link['shortUrl']}"
    assert link["shortUrl"] == (
        "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/launch-2026"
    )


def test_the_image_draws_the_qr_code_of_the_short_url_with_its_quiet_zone(
    dynamodb_calls, lambda_context
):
    link = created(lambda_context)

    svg = parse_svg(qr_code(lambda_context, link["shortId"])["body"])

    expected, size = segno_modules(link["shortUrl"])
    assert size >= 21, "a full QR code (Micro QR has at most 17 modules a side)"
    assert drawn_modules(svg) == expected
    side = (size + 2 * QUIET_ZONE) * SCALE
    assert (svg.get("width"), svg.get("height")) == (f"{side}px", f"{side}px")
    assert svg.get("viewBox") == f"0 0 {side} {side}"
    # An opaque white background under the whole symbol, quiet zone included, so the
    # code reads on a dark page too.
    background = next(p for p in svg.iter(f"{SVG}path") if p.get("fill"))
    assert background.get("fill") == "#fff"
    modules = size + 2 * QUIET_ZONE
    assert background.get("d") == f"M0 0h{modules}v{modules}h-{modules}z"


def test_the_same_link_always_gets_the_same_image(dynamodb_calls, lambda_context):
    link = created(lambda_context)

    first = qr_code(lambda_context, link["shortId"])["body"]
    second = qr_code(lambda_context, link["shortId"], accept="text/html")["body"]

    assert first == second


def test_the_image_costs_exactly_one_get_item(dynamodb_calls, lambda_context):
    link = created(lambda_context)
    dynamodb_calls.operations.clear()

    qr_code(lambda_context, link["shortId"])

    assert dynamodb_calls.operations == ["GetItem"]


def test_an_expired_link_still_has_its_code(dynamodb_calls, lambda_context):
    # Its owner can revive it with PATCH, and the code holds only the short URL.
    link = created(lambda_context, expiresIn=1)
    expires = datetime.fromisoformat(link["expiresAt"])
    time.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()) + 0.01)

    response = qr_code(lambda_context, link["shortId"])

    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "image/svg+xml"


# --- refusals --------------------------------------------------------------------------


@pytest.mark.parametrize("short_id", ["Zz9Zz9Z", "wp-login.php"], ids=["unknown", "impossible"])
def test_an_unknown_link_is_404_and_never_cached(dynamodb_calls, lambda_context, short_id):
    response = qr_code(lambda_context, short_id)

    assert response["statusCode"] == 404
    assert response["headers"]["Cache-Control"] == "no-store"
    assert response["headers"]["Content-Type"] == "application/json"
    # A plausible id is named; a path no link can have is not shown back.
    message = json.loads(response["body"])["message"]
    assert (short_id in message) is (short_id == "Zz9Zz9Z"), message


def test_a_deleted_link_is_410_as_json_or_a_page(dynamodb_calls, lambda_context):
    link = created(lambda_context)
    delete(lambda_context, link)

    as_json = qr_code(lambda_context, link["shortId"])
    as_page = qr_code(lambda_context, link["shortId"], accept="text/html")

    assert as_json["statusCode"] == as_page["statusCode"] == 410
    assert "deleted" in json.loads(as_json["body"])["message"]
    assert as_page["headers"]["Content-Type"].startswith("text/html")
    assert as_json["headers"]["Cache-Control"] == as_page["headers"]["Cache-Control"] == "no-store"
