"""DynamoDB requests per operation, counted while the real handlers serve AWS-shaped events.

botocore hooks on the handlers' own client (handlers/wiring.py; Powertools' idempotency
store is handed the same client) record each API call by name (`before-call`) and
each HTTP request sent (`before-send`, so a retry would count again). The count is of
round trips, which is what DynamoDB bills and what a request waits for.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench import events, functions
from bench.report import Comparison, Metric, Section, Target, markdown_table

ONE_REQUEST = Target(Comparison.EQUAL, 1)
# An execution environment's first counted click of a UTC day fetches the day's visitor
# key first (repository/visitor_keys.py); every later click that day is one request.
FIRST_CLICK_OF_A_DAY = Target(Comparison.EQUAL, 2, "2 (the day's visitor key, then the click)")
# One conditional PutItem for the link, after an UpdateItem per rate scope: an IPv4
# client's address and the stack-wide ceiling (an IPv6 client's /64, /56 and /48: 5).
CREATION_REQUESTS = Target(Comparison.EQUAL, 3, "3 (1 + the address's and the ceiling's counters)")
IDEMPOTENCY_KEY = "bench-idempotency-key-0001"


@dataclass
class RequestCounter:
    api_calls: list[str] = field(default_factory=list)
    http_requests: int = 0

    def on_call(self, model: Any, **_: Any) -> None:
        self.api_calls.append(model.name)

    def on_send(self, **_: Any) -> None:
        # Returns None: a before-send hook that returned a value would be the response.
        self.http_requests += 1


@contextmanager
def counting(client: Any) -> Iterator[RequestCounter]:
    counter = RequestCounter()
    client.meta.events.register("before-call.dynamodb", counter.on_call)
    client.meta.events.register("before-send.dynamodb", counter.on_send)
    try:
        yield counter
    finally:
        client.meta.events.unregister("before-call.dynamodb", counter.on_call)
        client.meta.events.unregister("before-send.dynamodb", counter.on_send)


@dataclass(frozen=True)
class Counted:
    operation: str
    status: int
    expected_status: int
    api_calls: list[str]
    http_requests: int
    target: Target | None = None


@dataclass(frozen=True)
class RoundTripResult:
    counted: list[Counted]
    short_id: str  # the link created on the way, for the warm part


def handler_of(logical_id: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    module = importlib.import_module(functions.handler_module(logical_id))
    handler: Callable[[dict[str, Any], Any], dict[str, Any]] = module.handler
    return handler


def measure() -> RoundTripResult:
    """Create a link and follow it, counting each operation's requests."""
    from handlers import wiring  # after the environment is set (local_dynamodb)

    shorten, redirect = handler_of(functions.SHORTEN), handler_of(functions.REDIRECT)
    links = handler_of(functions.LINKS)
    client = wiring.dynamodb_client()
    counted: list[Counted] = []

    def count(
        operation: str,
        logical_id: str,
        handler: Callable[[dict[str, Any], Any], dict[str, Any]],
        event: dict[str, Any],
        expected_status: int,
        target: Target | None = None,
    ) -> dict[str, Any]:
        context = functions.lambda_context(logical_id)
        with counting(client) as counter:
            response = handler(event, context)
        counted.append(
            Counted(
                operation,
                response["statusCode"],
                expected_status,
                counter.api_calls,
                counter.http_requests,
                target,
            )
        )
        return response

    created = count(
        "create a link (POST /shorten)",
        functions.SHORTEN,
        shorten,
        events.shorten(),
        201,
        CREATION_REQUESTS,
    )
    if created["statusCode"] != 201:
        raise RuntimeError(f"creating a link failed: {created}")
    short_id = json.loads(created["body"])["shortId"]
    count(
        "create a link with an Idempotency-Key",
        functions.SHORTEN,
        shorten,
        events.shorten(IDEMPOTENCY_KEY),
        201,
    )
    # A new environment, or a new UTC day, as far as the visitor key goes.
    wiring.visitor_keys.cache_clear()
    count(
        "redirect: an environment's first click of a UTC day",
        functions.REDIRECT,
        redirect,
        events.redirect_get(short_id),
        302,
        FIRST_CLICK_OF_A_DAY,
    )
    count(
        "redirect: GET from a browser (a click)",
        functions.REDIRECT,
        redirect,
        events.redirect_get(short_id),
        302,
        ONE_REQUEST,
    )
    count(
        "redirect: HEAD (not a click)",
        functions.REDIRECT,
        redirect,
        events.redirect_head(short_id),
        302,
        ONE_REQUEST,
    )
    count("redirect: unknown id", functions.REDIRECT, redirect, events.redirect_get("zzzzzzz"), 404)
    count("GET /links/{shortId}", functions.LINKS, links, events.link_info(short_id), 200)
    return RoundTripResult(counted, short_id)


def metrics(result: RoundTripResult) -> list[Metric]:
    return [
        Metric(
            f"DynamoDB requests: {c.operation}",
            c.http_requests,
            f"{c.http_requests} ({', '.join(c.api_calls) or 'none'})",
            c.target,
        )
        for c in result.counted
        if c.target is not None
    ]


def section(result: RoundTripResult) -> Section:
    rows = [
        [
            c.operation,
            str(c.status)
            + ("" if c.status == c.expected_status else f" (expected {c.expected_status})"),
            str(c.http_requests),
            ", ".join(c.api_calls) or "none",
            str(c.target) if c.target else "-",
        ]
        for c in result.counted
    ]
    table = markdown_table(
        ["operation", "status", "HTTP requests", "API calls", "target"], rows, right_aligned=(2,)
    )
    return Section(
        "DynamoDB round trips",
        f"""
Counted on the handlers' own client while they served events/ samples against DynamoDB
Local (before-call hooks name each call; before-send hooks count HTTP requests, retries
included). A creation with an Idempotency-Key adds Powertools' idempotency record
(written before, completed after), which has no target here. An execution environment's
first counted click of a UTC day first fetches the day's visitor key (an UpdateItem that
makes it if no environment has yet); each later click of the day in that environment is
the one UpdateItem. The click rows come in that order, the first after the environment
forgot its key, as a new one or one at midnight would have none.

{table}
""",
    )
