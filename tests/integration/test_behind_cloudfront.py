"""Behind CloudFront: the viewer's address and host count only when CloudFront vouches.

CloudFront sends a secret X-Origin-Verify header (template.yaml: OriginVerifySecret),
the viewer's address (CloudFront-Viewer-Address) and host (X-Forwarded-Host, from a
CloudFront Function). Anyone can send those headers straight to API Gateway, so
without the secret they must change nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from handlers import shorten, wiring
from tests.conftest import load_event

SECRET = "origin-verify-secret-for-tests-0123456789abcdef"


@pytest.fixture
def behind_cloudfront(dynamodb_calls: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORIGIN_VERIFY_SECRET", SECRET)
    monkeypatch.setenv("CREATION_RATE_LIMIT", "1")
    wiring.reset()


def via_cloudfront(
    context: Any,
    verify: str | None,
    address: str,
    url: str,
    header: str = "cloudfront-viewer-address",
) -> dict[str, Any]:
    event = load_event("shorten.json")
    event["body"] = json.dumps({"url": url})
    event["requestContext"]["http"]["sourceIp"] = "130.176.1.10"  # a CloudFront edge
    event["headers"].update({header: address, "x-forwarded-host": "sho.rt"})
    if verify is not None:
        event["headers"]["x-origin-verify"] = verify
    return shorten.handler(event, context)


def test_with_the_secret_links_live_on_the_viewers_host(behind_cloudfront, lambda_context):
    response = via_cloudfront(lambda_context, SECRET, "203.0.113.7:51234", "https://e.com/")

    created = json.loads(response["body"])
    assert created["shortUrl"] == f"https://sho.rt/{created['shortId']}"


def test_with_the_secret_each_viewer_has_its_own_rate_limit(behind_cloudfront, lambda_context):
    first = via_cloudfront(lambda_context, SECRET, "203.0.113.7:51234", "https://e.com/1")
    other = via_cloudfront(lambda_context, SECRET, "[2001:db8::7]:443", "https://e.com/2")
    again = via_cloudfront(lambda_context, SECRET, "203.0.113.7:60000", "https://e.com/3")

    assert [first["statusCode"], other["statusCode"], again["statusCode"]] == [201, 201, 429]


def test_with_the_secret_a_link_to_the_viewers_host_is_a_loop(behind_cloudfront, lambda_context):
    response = via_cloudfront(lambda_context, SECRET, "203.0.113.7:1", "https://SHO.RT/x")

    assert response["statusCode"] == 400


@pytest.mark.parametrize("verify", [None, "", "wrong-secret"])
def test_without_the_secret_the_forwarded_headers_change_nothing(
    behind_cloudfront, lambda_context, verify
):
    first = via_cloudfront(lambda_context, verify, "203.0.113.7:1", "https://e.com/1")
    # A forged viewer address must not buy a fresh rate limit.
    second = via_cloudfront(lambda_context, verify, "198.51.100.9:1", "https://e.com/2")

    created = json.loads(first["body"])
    assert created["shortUrl"].startswith("https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/")
    assert second["statusCode"] == 429


def test_the_address_our_cloudfront_function_passes_is_used_first(
    behind_cloudfront, lambda_context
):
    first = via_cloudfront(
        lambda_context, SECRET, "203.0.113.7", "https://e.com/1", "x-viewer-address"
    )
    other = via_cloudfront(
        lambda_context, SECRET, "203.0.113.8", "https://e.com/2", "x-viewer-address"
    )
    again = via_cloudfront(
        lambda_context, SECRET, "203.0.113.7", "https://e.com/3", "x-viewer-address"
    )

    assert [first["statusCode"], other["statusCode"], again["statusCode"]] == [201, 201, 429]
