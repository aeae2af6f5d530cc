"""GET /links/{shortId}/qr over real HTTP against the local stack."""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from typing import Any

from tests.e2e.conftest import LocalStack


def new_link(stack: LocalStack, **body: Any) -> Any:
    answer = stack.shorten({"url": "https://example.com/landing", **body})
    assert answer.status == 201, answer.body
    return answer.json()


def test_a_link_has_a_cacheable_svg_qr_code_of_its_short_url(local_stack):
    alias = f"qr-{uuid.uuid4().hex[:10]}"
    link = new_link(local_stack, alias=alias)

    answer = local_stack.request("GET", f"/links/{alias}/qr", headers={"Accept": "image/*"})

    assert answer.status == 200
    assert answer.headers["Content-Type"] == "image/svg+xml"
    assert answer.headers["Cache-Control"] == "public, max-age=86400"
    assert answer.body.startswith(b"<svg ")
    svg = ET.fromstring(answer.body)  # noqa: S314 (the local stack's own output)
    title = svg.findtext("{http://www.w3.org/2000/svg}title")
    assert (
        title == f"QR code for {local_stack.base_url}/{alias}" == f"QR code for {link['shortUrl']}"
    )


def test_an_unknown_link_has_no_code(local_stack):
    answer = local_stack.request("GET", "/links/Zz9Zz9Z/qr")

    assert answer.status == 404
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_deleted_link_has_no_code(local_stack):
    link = new_link(local_stack)
    deleted = local_stack.request(
        "DELETE",
        f"/links/{link['shortId']}",
        headers={"Authorization": f"Bearer {link['managementToken']}"},
    )
    assert deleted.status == 204

    answer = local_stack.request("GET", f"/links/{link['shortId']}/qr")

    assert answer.status == 410
    assert answer.headers["Cache-Control"] == "no-store"
    assert "deleted" in json.loads(answer.body)["message"]
