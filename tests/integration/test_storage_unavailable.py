"""Every route, with DynamoDB failing at each call site it makes: a 503 the client can act on.

The real handlers run against moto's server over HTTP, with faults injected into the
functions' own client (tests/dynamodb_faults.py) for the whole of its retries. Powertools'
idempotency records are call sites too: they live in the same table.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from domain.links import utc_now
from domain.shortening import shorten_link
from handlers import links, redirect, shorten, wiring
from handlers.responses import STORAGE_RETRY_AFTER_SECONDS
from repository import client as client_module
from repository.client import CLIENT_CONFIG, ONE_CALL_AT_WORST_SECONDS
from sam_template.document import load_template
from tests.conftest import load_event
from tests.dynamodb_faults import FAULTS, CallSite
from tests.integration.stacks import Stack, stack_on

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/142.0 Safari/537.36"
IDEMPOTENCY_KEY = "retry-safe-key-0001"
IPV6_CLIENT = "2001:db8:1:2::7"


@pytest.fixture
def stack(moto_endpoint, sdk_environment, monkeypatch, lambda_context) -> Iterator[Stack]:
    # One instant for the whole test: the rate counters' sub-windows (12 s for the
    # ceiling) cannot turn over between two creations and add a roll-over to a list.
    now = utc_now()
    monkeypatch.setitem(shorten_link.__kwdefaults__, "clock", lambda: now)
    yield from stack_on(moto_endpoint, monkeypatch)


def event(name: str, source_ip: str | None = None, **headers: str | None) -> dict[str, Any]:
    loaded = load_event(name)
    if source_ip is not None:
        loaded["requestContext"]["http"]["sourceIp"] = source_ip
    loaded["headers"].update({"user-agent": BROWSER, **headers})
    for header in [header for header, value in headers.items() if value is None]:
        del loaded["headers"][header]
    return loaded


def on_link(loaded: dict[str, Any], short_id: str) -> dict[str, Any]:
    prefix = "/links/" if loaded["routeKey"].startswith(("GET /links", "PATCH", "DELETE")) else "/"
    loaded["rawPath"] = loaded["requestContext"]["http"]["path"] = f"{prefix}{short_id}"
    loaded["pathParameters"] = {"shortId": short_id}
    return loaded


def create_link(context: Any) -> dict[str, Any]:
    response = shorten.handler(event("shorten.json"), context)
    assert response["statusCode"] == 201, response["body"]
    return dict(json.loads(response["body"]))


@dataclass(frozen=True)
class Route:
    name: str
    function: str  # the template's logical id of the function that serves it
    call_sites: tuple[CallSite, ...]  # every DynamoDB call the route makes, in order
    send: Callable[[Any, dict[str, Any]], dict[str, Any]]  # (context, existing link) -> response


def qr_event(short_id: str) -> dict[str, Any]:
    loaded = on_link(event("link-info.json"), short_id)
    loaded["rawPath"] = loaded["requestContext"]["http"]["path"] = f"/links/{short_id}/qr"
    loaded["routeKey"] = loaded["requestContext"]["routeKey"] = "GET /links/{shortId}/qr"
    return loaded


def managed(name: str, link: dict[str, Any]) -> dict[str, Any]:
    return on_link(event(name, authorization=f"Bearer {link['managementToken']}"), link["shortId"])


def stats_event(link: dict[str, Any]) -> dict[str, Any]:
    loaded = managed("link-stats.json", link)
    path = f"/links/{link['shortId']}/stats"
    loaded["rawPath"] = loaded["requestContext"]["http"]["path"] = path
    return loaded


# Counting a creation: one UpdateItem per rate scope, the client's narrowest first and
# the stack-wide ceiling last (domain/rate_limits.py); a scope's counter rolling over
# to a new sub-window adds a write (repository/dynamodb_rate_counter.py), not here.
COUNT_IPV4 = (("UpdateItem", "RATE#"),) * 2  # the address, the ceiling
COUNT_IPV6 = (("UpdateItem", "RATE#"),) * 4  # the /64, /56 and /48, the ceiling
ROUTES = [
    Route(
        "POST /shorten",
        "ShortenFunction",
        (*COUNT_IPV4, ("PutItem", "LINK#")),
        lambda context, _: shorten.handler(event("shorten.json"), context),
    ),
    Route(
        "POST /shorten with an Idempotency-Key",
        "ShortenFunction",
        (
            ("PutItem", "IDEMPOTENCY#"),
            *COUNT_IPV4,
            ("PutItem", "LINK#"),
            ("UpdateItem", "IDEMPOTENCY#"),
        ),
        lambda context, _: shorten.handler(
            event("shorten.json", **{"idempotency-key": IDEMPOTENCY_KEY}), context
        ),
    ),
    Route(
        "POST /shorten from IPv6",
        "ShortenFunction",
        (*COUNT_IPV6, ("PutItem", "LINK#")),
        lambda context, _: shorten.handler(event("shorten.json", IPV6_CLIENT), context),
    ),
    Route(
        "POST /shorten from IPv6 with an Idempotency-Key",
        "ShortenFunction",
        (
            ("PutItem", "IDEMPOTENCY#"),
            *COUNT_IPV6,
            ("PutItem", "LINK#"),
            ("UpdateItem", "IDEMPOTENCY#"),
        ),
        lambda context, _: shorten.handler(
            event("shorten.json", IPV6_CLIENT, **{"idempotency-key": IDEMPOTENCY_KEY}), context
        ),
    ),
    Route(
        "GET /{shortId}",
        "RedirectFunction",
        # The day's visitor key, on an environment's first click of the day.
        (("UpdateItem", "VISITORKEY"), ("UpdateItem", "LINK#")),
        lambda context, link: redirect.handler(
            on_link(event("redirect.json"), link["shortId"]), context
        ),
    ),
    Route(
        "HEAD /{shortId}",
        "RedirectFunction",
        (("GetItem", "LINK#"),),
        lambda context, link: redirect.handler(
            on_link(event("redirect-head.json"), link["shortId"]), context
        ),
    ),
    Route(
        "GET /links/{shortId}",
        "LinksFunction",
        (("GetItem", "LINK#"),),
        lambda context, link: links.handler(
            on_link(event("link-info.json"), link["shortId"]), context
        ),
    ),
    Route(
        "GET /links/{shortId}/qr",
        "LinksFunction",
        (("GetItem", "LINK#"),),
        lambda context, link: links.handler(qr_event(link["shortId"]), context),
    ),
    Route(
        "GET /links/{shortId}/stats",
        "LinksFunction",
        (("GetItem", "LINK#"), ("Query", "STATS#")),
        lambda context, link: links.handler(stats_event(link), context),
    ),
    Route(
        "PATCH /links/{shortId}",
        "LinksFunction",
        (("GetItem", "LINK#"), ("UpdateItem", "LINK#")),
        lambda context, link: links.handler(managed("link-change.json", link), context),
    ),
    Route(
        "DELETE /links/{shortId}",
        "LinksFunction",
        (("GetItem", "LINK#"), ("UpdateItem", "LINK#")),
        lambda context, link: links.handler(managed("link-delete.json", link), context),
    ),
]
# Completing an idempotency record comes after the link is stored: failing there is
# not a 503 (test_a_link_stored_before_its_idempotency_record_failed_is_still_returned).
RECORD_COMPLETED = ("UpdateItem", "IDEMPOTENCY#")
# Nor is failing to learn the day's visitor key: the click counts without its visitor
# (test_a_redirect_without_the_days_visitor_key_still_counts_the_click).
VISITOR_KEY = ("UpdateItem", "VISITORKEY")
ROUTE_CALL_SITES = [
    (route, site)
    for route in ROUTES
    for site in dict.fromkeys(route.call_sites)  # a fault fails the first call at a site
    if site not in (RECORD_COMPLETED, VISITOR_KEY)
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_each_route_makes_exactly_the_calls_listed_here(route, stack, lambda_context):
    # What makes "every call site" below true: the list is what the code really does.
    link = create_link(lambda_context)
    stack.faults.attempts.clear()  # count from here

    response = route.send(lambda_context, link)

    assert response["statusCode"] < 400, response.get("body")
    assert tuple(stack.faults.attempts) == route.call_sites


# A click DynamoDB throttles on the link's item is not a 503: the link is viral, and the
# click goes to one of its click shards (test_a_throttled_click_goes_to_a_click_shard).
THROTTLED_CLICK = ("GET /{shortId}", ("UpdateItem", "LINK#"), "throttled")


UNAVAILABLE = [
    pytest.param(route, site, fault, id=f"{route.name}:{site[0]} {site[1]}-{fault}")
    for route, site in ROUTE_CALL_SITES
    for fault in ("throttled", "internal-server-error", "read-timeout")
    if (route.name, site, fault) != THROTTLED_CLICK
]


@pytest.mark.parametrize(("route", "call_site", "fault"), UNAVAILABLE)
def test_an_unavailable_dynamodb_is_a_503_with_retry_after(
    route, call_site, fault, stack, lambda_context
):
    link = create_link(lambda_context)
    stack.faults.fail(call_site, FAULTS[fault])

    response = route.send(lambda_context, link)

    assert response["statusCode"] == 503
    assert response["headers"]["Retry-After"] == STORAGE_RETRY_AFTER_SECONDS
    assert response["headers"]["Content-Type"] == "application/json"
    if route.name.startswith("HEAD"):
        assert response["body"] == ""  # a HEAD gets the headers alone
    else:
        assert "try again" in json.loads(response["body"])["message"]
    assert stack.faults.attempts_at(call_site) == 2  # bounded: tried twice, no more


@pytest.mark.parametrize("fault", ["throttled", "throttled-by-the-account"])
def test_a_throttled_click_goes_to_a_click_shard(fault, stack, lambda_context):
    link = create_link(lambda_context)
    (click,) = [route for route in ROUTES if route.name == "GET /{shortId}"]
    stack.faults.fail(("UpdateItem", "LINK#"), FAULTS[fault])
    stack.faults.attempts.clear()

    response = click.send(lambda_context, link)

    assert response["statusCode"] == 302
    assert response["headers"]["Location"] == link["url"]
    # Tried twice on the link's item, then: read it, spread it, count on a shard.
    assert stack.faults.attempts == [
        ("UpdateItem", "VISITORKEY"),
        ("UpdateItem", "LINK#"),
        ("UpdateItem", "LINK#"),
        ("GetItem", "LINK#"),
        ("TransactWriteItems", ""),
        ("UpdateItem", "SHARD#"),
    ]
    items = {item["PK"]["S"]: item for item in stack.items()}
    assert items[f"LINK#{link['shortId']}"]["shards"] == {"N": "20"}
    shard_clicks = [
        int(item["clicks"]["N"]) for key, item in items.items() if key.startswith("SHARD#")
    ]
    assert sorted(shard_clicks) == [0] * 19 + [1]


def test_a_failed_creation_leaves_no_link_and_frees_its_idempotency_key(stack, lambda_context):
    stack.faults.fail(("PutItem", "LINK#"), FAULTS["throttled"])
    first = shorten.handler(
        event("shorten.json", **{"idempotency-key": IDEMPOTENCY_KEY}), lambda_context
    )
    assert first["statusCode"] == 503
    assert not [item for item in stack.items() if item["PK"]["S"].startswith("LINK#")]

    stack.faults.fail(("PutItem", "LINK#"), FAULTS["throttled"], times=0)
    retried = shorten.handler(
        event("shorten.json", **{"idempotency-key": IDEMPOTENCY_KEY}), lambda_context
    )

    # Powertools removed the failed attempt's record, so the retry really creates the link.
    assert retried["statusCode"] == 201
    assert [item["PK"]["S"] for item in stack.items() if item["PK"]["S"].startswith("LINK#")] == [
        f"LINK#{json.loads(retried['body'])['shortId']}"
    ]


def test_a_link_stored_before_its_idempotency_record_failed_is_still_returned(
    stack, lambda_context
):
    stack.faults.fail(RECORD_COMPLETED, FAULTS["throttled"])

    response = shorten.handler(
        event("shorten.json", **{"idempotency-key": IDEMPOTENCY_KEY}), lambda_context
    )

    # The client gets the link that exists, and the token to manage it, not a 503.
    assert response["statusCode"] == 201
    created = json.loads(response["body"])
    assert created["managementToken"]
    links = [item for item in stack.items() if item["PK"]["S"].startswith("LINK#")]
    assert [item["PK"]["S"] for item in links] == [f"LINK#{created['shortId']}"]


def test_a_redirect_without_the_days_visitor_key_still_counts_the_click(stack, lambda_context):
    link = create_link(lambda_context)
    stack.faults.fail(VISITOR_KEY, FAULTS["throttled"])

    response = redirect.handler(on_link(event("redirect.json"), link["shortId"]), lambda_context)

    assert response["statusCode"] == 302
    stored = next(item for item in stack.items() if item["PK"]["S"] == f"LINK#{link['shortId']}")
    assert stored["clicks"] == {"N": "1"}
    assert "u" in stored["click"]["M"]  # the rest of what the analytics needs is there
    assert "v" not in stored["click"]["M"]  # only the visitor is unknown


def test_a_failed_change_leaves_the_link_as_it_was(stack, lambda_context):
    link = create_link(lambda_context)
    before = stack.items()
    stack.faults.fail(("UpdateItem", "LINK#"), FAULTS["service-unavailable"])

    response = links.handler(managed("link-change.json", link), lambda_context)

    assert response["statusCode"] == 503
    assert stack.items() == before


def test_one_call_at_worst_is_what_the_client_allows():
    # Each call ends, at worst, after all its attempts time out (connect, then read)
    # with the longest backoff between them: standard mode waits at most 1 s before a
    # first retry (throttling's base; 25 ms for the rest). DynamoDB sends no
    # x-amz-retry-after header, the one thing that could stretch a backoff.
    config: Any = CLIENT_CONFIG  # botocore's Config sets its attributes dynamically
    attempts = config.retries["total_max_attempts"]
    one_call = attempts * (config.connect_timeout + config.read_timeout) + sum(
        min(2 ** (attempt - 1), 20) for attempt in range(1, attempts)
    )
    assert one_call == ONE_CALL_AT_WORST_SECONDS


def test_every_function_answers_503_before_its_timeout_stops_it():
    template = load_template()
    # Time the function spends on anything but DynamoDB: building the client on a cold
    # start, validation, logging. Measured in tens of ms; a second to spare.
    for function in {route.function for route in ROUTES}:
        calls_in_a_row = max(len(r.call_sites) for r in ROUTES if r.function == function)
        timeout = function_timeout(template, function)
        if function == "ShortenFunction":
            # Up to seven calls in a row (more when counters roll over or random ids
            # clash): each starts only if it can end in time (calls_end_within), so the
            # Timeout needs room for one call and the function's own work.
            assert timeout >= ONE_CALL_AT_WORST_SECONDS + shorten.OWN_WORK_SECONDS
            assert calls_in_a_row * ONE_CALL_AT_WORST_SECONDS > timeout  # why it needs it
        else:
            assert calls_in_a_row * ONE_CALL_AT_WORST_SECONDS + 1 <= timeout, function


class SlowClock:
    """monotonic() for repository.client, 1.5 s later at every reading: as if every
    call took about as long as one may at worst."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        reading = self.now
        self.now += 1.5
        return reading


def test_a_creation_short_of_time_answers_503_before_its_timeout(
    stack, lambda_context, monkeypatch
):
    monkeypatch.setattr(client_module, "monotonic", SlowClock())
    # 6 s left: 5 s for calls. The first starts at 1.5 s (ends by 5.5 at worst: no), ...
    context = dataclasses.replace(lambda_context, remaining_time_in_millis=6000)

    response = shorten.handler(event("shorten.json"), context)

    assert response["statusCode"] == 503
    assert response["headers"]["Retry-After"] == STORAGE_RETRY_AFTER_SECONDS
    assert stack.faults.attempts == []  # no call started that could not end in time
    assert not [item for item in stack.items() if item["PK"]["S"].startswith("LINK#")]


def test_a_creation_with_time_left_makes_its_calls(stack, lambda_context, monkeypatch):
    # This environment read the blocked hosts within the minute (domain/blocked_hosts.py):
    # what is counted below is the creation's own calls.
    wiring.blocked_hosts_cache().denied_hosts()
    stack.faults.attempts.clear()
    monkeypatch.setattr(client_module, "monotonic", SlowClock())
    # Room for the first two calls, not the third (the link).
    context = dataclasses.replace(lambda_context, remaining_time_in_millis=9000)

    response = shorten.handler(event("shorten.json"), context)

    assert response["statusCode"] == 503
    assert stack.faults.attempts == [("UpdateItem", "RATE#"), ("UpdateItem", "RATE#")]


def function_timeout(template: dict[str, Any], logical_id: str) -> float:
    properties = template["Resources"][logical_id]["Properties"]
    return float(properties.get("Timeout", template["Globals"]["Function"]["Timeout"]))
