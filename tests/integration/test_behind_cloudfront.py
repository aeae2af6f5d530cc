"""Behind CloudFront: the API answers only what came through it, and the viewer's
address and host, and the distribution's name, count only when CloudFront vouches.

CloudFront sends a secret X-Origin-Verify header (template.yaml: OriginVerifySecret),
the viewer's address (CloudFront-Viewer-Address) and host (X-Forwarded-Host, from a
CloudFront Function). Anyone can send those headers straight to API Gateway, so
without the secret they must change nothing, and by default such a request is refused.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from handlers import admin, links, redirect, reports, shorten, wiring
from handlers.observability import metrics
from sam_template.application import load_application
from sam_template.document import TEMPLATE_PATH
from tests.conftest import load_event
from tests.integration.moderation_requests import request
from tests.template.test_site import HEADERS_THE_REDIRECT_READS

SECRET = "origin-verify-secret-for-tests-0123456789abcdef"
VIEWER = "x-viewer-address"  # what our CloudFront Function passes: the address alone


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


def test_an_ipv4_mapped_viewer_address_is_its_ipv4_address(behind_cloudfront, lambda_context):
    first = via_cloudfront(lambda_context, SECRET, "203.0.113.7", "https://e.com/1", VIEWER)
    mapped = via_cloudfront(lambda_context, SECRET, "::ffff:203.0.113.7", "https://e.com/2", VIEWER)

    assert [first["statusCode"], mapped["statusCode"]] == [201, 429]


def test_ipv6_viewers_share_the_limits_of_their_56_and_48(
    behind_cloudfront, lambda_context, monkeypatch
):
    # Each /64 may create one link; a /56 two, a /48 three, however many /64s ask.
    monkeypatch.setenv("CREATION_RATE_LIMIT_PER_56", "2")
    monkeypatch.setenv("CREATION_RATE_LIMIT_PER_48", "3")
    wiring.reset()
    viewers = [
        "2001:db8:1:1::7",
        "2001:db8:1:2::7",
        "2001:db8:1:3::7",  # a third /64 of 2001:db8:1::/56
        "2001:db8:1:100::7",  # the next /56, same /48
        "2001:db8:1:200::7",  # a third /56, same /48
        "2001:db8:2::7",  # another /48
    ]

    statuses = [
        via_cloudfront(lambda_context, SECRET, viewer, f"https://e.com/{n}", VIEWER)["statusCode"]
        for n, viewer in enumerate(viewers)
    ]

    assert statuses == [201, 201, 429, 201, 429, 201]


def test_the_ceiling_counts_every_viewer_together(
    behind_cloudfront, lambda_context, monkeypatch, capsys
):
    monkeypatch.setenv("CREATION_CEILING_PER_MINUTE", "2")
    wiring.reset()
    for viewer in ("203.0.113.7", "2001:db8::7"):
        created = via_cloudfront(lambda_context, SECRET, viewer, "https://e.com/", VIEWER)
        assert created["statusCode"] == 201
    metrics.clear_metrics()
    capsys.readouterr()

    refused = via_cloudfront(lambda_context, SECRET, "198.51.100.9", "https://e.com/", VIEWER)

    # A viewer within its own limit: the service, not this viewer, is over its ceiling.
    assert refused["statusCode"] == 429
    assert 1 <= int(refused["headers"]["Retry-After"]) <= 72  # a minute and a sub-window
    assert "The service is creating too many links" in json.loads(refused["body"])["message"]
    # What operators alarm on: Refusals by service, Status=429, Reason=creation_ceiling.
    assert refusal_dimensions(capsys.readouterr().out) == [
        {"service": "url-shortener", "Status": "429", "Reason": "creation_ceiling"}
    ]


def refusal_dimensions(printed: str) -> list[dict[str, str]]:
    """The dimensions of each Refusals metric in the EMF blobs printed."""
    found = []
    for line in printed.splitlines():
        if not line.startswith("{") or '"_aws"' not in line:
            continue
        blob = json.loads(line)
        (directive,) = blob["_aws"]["CloudWatchMetrics"]
        if any(metric["Name"] == "Refusals" for metric in directive["Metrics"]):
            (names,) = directive["Dimensions"]
            found.append({name: blob[name] for name in names})
    return found


# --- the API answers only what came through CloudFront ---------------------------------

ROUTE_EVENTS = {
    "POST /shorten": (shorten, "shorten.json"),
    "GET /{shortId}": (redirect, "redirect.json"),
    "HEAD /{shortId}": (redirect, "redirect-head.json"),
    "GET /links/{shortId}": (links, "link-info.json"),
    "PATCH /links/{shortId}": (links, "link-change.json"),
    "DELETE /links/{shortId}": (links, "link-delete.json"),
    "GET /links/{shortId}/stats": (links, "link-stats.json"),
    **{
        route: (admin, route)
        for route in (
            "GET /admin/links",
            "POST /admin/links/{shortId}/disable",
            "POST /admin/links/{shortId}/enable",
            "GET /admin/blocked-hosts",
            "PUT /admin/blocked-hosts/{host}",
            "DELETE /admin/blocked-hosts/{host}",
            "GET /admin/reports",
            "POST /admin/keys",
            "GET /admin/keys",
            "DELETE /admin/keys/{keyId}",
            "GET /admin/audit",
        )
    },
    "POST /reports": (reports, "POST /reports"),
    "GET /links": (links, "GET /links"),
    "POST /links/import": (shorten, "POST /links/import"),
}
# The moderation routes, GET /links and POST /links/import have no sample event in
# events/: each is the GET or POST one with its route, path and a body
# (tests/integration/moderation_requests.py).
_MODERATION_BODIES = {
    "POST /admin/links/{shortId}/disable": {"reason": "phishing"},
    "PUT /admin/blocked-hosts/{host}": {"reason": "phishing"},
    "POST /admin/keys": {"name": "n", "owner": "o", "scopes": ["admin"]},
    "POST /reports": {"shortId": "7cp2Xhz", "reason": "spam"},
    "POST /links/import": {"links": [{"url": "https://example.com/"}]},
}
_PARAMETERS = {"{shortId}": "7cp2Xhz", "{host}": "evil.example", "{keyId}": "0123456789abcdef"}


def _route_event(route: str) -> dict[str, Any]:
    if route.endswith(".json"):
        return load_event(route)
    method, path = route.split(" ", 1)
    filled, parameters = path, {}
    for placeholder, value in _PARAMETERS.items():
        if placeholder in path:
            filled = filled.replace(placeholder, value)
            parameters[placeholder.strip("{}")] = value
    return request(
        method, path, filled, body=_MODERATION_BODIES.get(route), path_parameters=parameters
    )


@pytest.fixture
def only_through_cloudfront(dynamodb_calls: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The deployed default: AllowDirectApiAccess=false."""
    monkeypatch.setenv("ORIGIN_VERIFY_SECRET", SECRET)
    monkeypatch.setenv("ALLOW_DIRECT_API_ACCESS", "false")
    # ReportsFunction's own variables (template.yaml), which ShortenFunction's lack.
    monkeypatch.setenv("REPORT_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:AlarmTopic")
    monkeypatch.setenv("REPORT_RATE_LIMIT", "10")
    wiring.reset()
    return dynamodb_calls


def sent(route: str, context: Any, **headers: str) -> dict[str, Any]:
    module, name = ROUTE_EVENTS[route]
    event = _route_event(name)
    event["headers"].update(headers)
    response: dict[str, Any] = module.handler(event, context)
    return response


def test_the_routes_here_are_every_route_of_the_template():
    template_routes = {
        route.route_key for route in load_application(TEMPLATE_PATH, "us-east-1").routes.routes
    }
    assert set(ROUTE_EVENTS) | {"GET /links/{shortId}/qr"} == template_routes


@pytest.mark.parametrize("verify", [None, "", "wrong-secret", SECRET[:-1], SECRET + "x"])
@pytest.mark.parametrize("route", sorted(ROUTE_EVENTS))
def test_a_request_that_skipped_cloudfront_is_refused_before_anything_else(
    only_through_cloudfront, lambda_context, capsys, route, verify
):
    headers = {} if verify is None else {"x-origin-verify": verify}

    response = sent(route, lambda_context, **headers)

    assert response["statusCode"] == 403
    assert response["headers"]["Content-Type"] == "application/json"
    assert response["headers"]["Cache-Control"] == "no-store"
    if route.startswith("HEAD"):
        assert response["body"] == ""
    else:
        assert "site" in json.loads(response["body"])["message"]
    assert only_through_cloudfront.operations == []  # not one DynamoDB call
    refusals = [line for line in capsys.readouterr().out.splitlines() if '"Refusals"' in line]
    assert len(refusals) == 1
    assert json.loads(refusals[0])["Reason"] == "not_through_cloudfront"


@pytest.mark.parametrize("route", sorted(ROUTE_EVENTS))
def test_a_request_through_cloudfront_is_answered(only_through_cloudfront, lambda_context, route):
    response = sent(route, lambda_context, **{"x-origin-verify": SECRET})

    # The sample events name a link that does not exist: 404 (or 201 for a creation); a
    # route that needs an API key (the admin routes, GET /links, POST /links/import) sent
    # without one is 401, its first check after CloudFront's.
    needs_a_key = route.split(" ")[1].startswith(("/admin/", "/links/import")) or route == (
        "GET /links"
    )
    expected = (401,) if needs_a_key else (201, 404)
    assert response["statusCode"] in expected, response.get("body")


def test_during_a_rotation_both_secrets_pass_and_after_it_only_the_new_one(
    only_through_cloudfront, lambda_context, monkeypatch
):
    monkeypatch.setenv("ORIGIN_VERIFY_SECRET", "the-new-secret-0123456789abcdef")
    monkeypatch.setenv("ORIGIN_VERIFY_PREVIOUS_SECRET", SECRET)
    wiring.reset()
    old = sent("GET /{shortId}", lambda_context, **{"x-origin-verify": SECRET})
    new = sent(
        "GET /{shortId}", lambda_context, **{"x-origin-verify": "the-new-secret-0123456789abcdef"}
    )
    monkeypatch.delenv("ORIGIN_VERIFY_PREVIOUS_SECRET")
    wiring.reset()
    after = sent("GET /{shortId}", lambda_context, **{"x-origin-verify": SECRET})

    assert [old["statusCode"], new["statusCode"], after["statusCode"]] == [404, 404, 403]


def test_a_stack_that_allows_direct_access_answers_without_the_secret(
    only_through_cloudfront, lambda_context, monkeypatch
):
    monkeypatch.setenv("ALLOW_DIRECT_API_ACCESS", "true")
    wiring.reset()

    assert sent("POST /shorten", lambda_context)["statusCode"] == 201


class RecordedHeaders(dict[str, str]):
    """A request's headers that remember which ones the code read."""

    def __init__(self, headers: dict[str, str]) -> None:
        super().__init__(headers)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return super().__getitem__(key)


@pytest.mark.parametrize("name", ["redirect.json", "redirect-head.json"])
def test_the_redirect_reads_only_what_the_short_links_behaviour_forwards(
    only_through_cloudfront, lambda_context, name
):
    # template.yaml forwards a short link only the headers the redirect reads (its
    # ShortLinkOriginRequestPolicy), plus the origin secret: any other header it read
    # would never reach it behind CloudFront.
    event = load_event(name)
    event["headers"] = RecordedHeaders({**event["headers"], "x-origin-verify": SECRET})

    redirect.handler(event, lambda_context)

    assert event["headers"].read <= HEADERS_THE_REDIRECT_READS | {"x-origin-verify"}
    assert "user-agent" in event["headers"].read or name == "redirect-head.json"


# --- no link loops through the shortener, whatever name the request came in on ------------


@pytest.mark.parametrize(
    ("target", "request_host", "through_cloudfront"),
    [
        # The custom domain, asked on the API's own name (direct access allowed).
        ("https://sho.rt/abc", "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", False),
        # The distribution's own name, asked on the custom domain.
        ("https://d111111abcdef8.cloudfront.net/abc", "sho.rt", True),
        ("https://D111111ABCDEF8.cloudfront.net./abc", "sho.rt", True),
        # The API's own execute-api name, asked on the custom domain.
        ("https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/abc", "sho.rt", True),
    ],
)
def test_a_link_to_any_name_of_the_stack_is_refused(
    dynamodb_calls, lambda_context, monkeypatch, target, request_host, through_cloudfront
):
    monkeypatch.setenv("ORIGIN_VERIFY_SECRET", SECRET)
    monkeypatch.setenv("SITE_DOMAIN_NAME", "sho.rt")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    wiring.reset()
    event = load_event("shorten.json")
    event["body"] = json.dumps({"url": target})
    if through_cloudfront:
        event["headers"].update(
            {
                "x-origin-verify": SECRET,
                "x-forwarded-host": request_host,
                "x-viewer-address": "203.0.113.7",
                "x-distribution-host": "d111111abcdef8.cloudfront.net",
            }
        )
    else:
        event["headers"]["host"] = request_host

    response = shorten.handler(event, lambda_context)

    assert response["statusCode"] == 400, response["body"]
    assert "shortener" in json.loads(response["body"])["errors"][0]["reason"]
    assert dynamodb_calls.operations == []


def test_a_forged_distribution_name_is_not_believed(dynamodb_calls, lambda_context, monkeypatch):
    # Without the secret X-Distribution-Host is anybody's: it changes nothing.
    monkeypatch.setenv("ORIGIN_VERIFY_SECRET", SECRET)
    wiring.reset()
    event = load_event("shorten.json")
    event["body"] = json.dumps({"url": "https://example.org/page"})
    event["headers"]["x-distribution-host"] = "example.org"

    assert shorten.handler(event, lambda_context)["statusCode"] == 201
