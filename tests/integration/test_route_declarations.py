"""The routes declared for the OpenAPI document answer as the functions themselves do.

The shortener and the redirect answer without Powertools' resolver; their routes are
declared on routers (handlers/shorten_routes.py, redirect_routes.py) so the document can
describe them. Those declarations answer through the functions' own code: a resolver
built from them, as devserver/openapi.py builds one, must answer every request exactly
as the Lambda handler does, or the document would describe something else.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from handlers import redirect, redirect_routes, shorten, shorten_routes
from handlers.observability import metrics
from handlers.request_body import parse_json_body
from handlers.responses import register_error_handlers
from tests.conftest import load_event

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/142.0 Safari/537.36"


def by_declaration(event: dict[str, Any], context: Any) -> dict[str, Any]:
    api = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=parse_json_body)
    api.include_router(shorten_routes.router)
    api.include_router(redirect_routes.router)
    register_error_handlers(api)
    try:
        return api.resolve(event, context)
    finally:
        # No handler's decorator flushes what this recorded: leave nothing behind.
        metrics.clear_metrics()


def creation(body: str) -> dict[str, Any]:
    event = load_event("shorten.json")
    event["body"] = body
    return event


def visit(name: str, short_id: str) -> dict[str, Any]:
    event = load_event(name)
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/{short_id}"
    event["pathParameters"] = {"shortId": short_id}
    event["headers"]["user-agent"] = BROWSER
    return event


def comparable(response: dict[str, Any]) -> dict[str, Any]:
    """A response without what differs between two creations (the id, the token)."""
    headers = {name.lower(): value for name, value in response["headers"].items()}
    body = response.get("body") or ""
    if response["statusCode"] == 201:
        headers.pop("location")
        body = sorted(json.loads(body))
    return {"status": response["statusCode"], "headers": headers, "body": body}


@pytest.mark.parametrize(
    "body",
    [
        '{"url": "https://example.com/declared"}',
        "null",
        "[]",
        "{not json",
        "{}",
        '{"url": "ftp://example.com/"}',
        '{"url": "https://example.com/", "alias": "x"}',
    ],
    ids=["created", "null", "array", "not-json", "no-url", "ftp", "short-alias"],
)
def test_the_declared_shorten_route_answers_as_the_function(body, dynamodb_calls, lambda_context):
    by_function = shorten.handler(creation(body), lambda_context)
    declared = by_declaration(creation(body), lambda_context)

    assert comparable(declared) == comparable(by_function)


@pytest.mark.parametrize(
    ("event_name", "known"),
    [("redirect.json", True), ("redirect-head.json", True), ("redirect.json", False),
     ("redirect-head.json", False)],
    ids=["get", "head", "get-unknown", "head-unknown"],
)  # fmt: skip
def test_the_declared_redirect_routes_answer_as_the_function(
    event_name, known, dynamodb_calls, lambda_context
):
    created = shorten.handler(creation('{"url": "https://example.com/to"}'), lambda_context)
    short_id = json.loads(created["body"])["shortId"] if known else "unknown1"

    by_function = redirect.handler(visit(event_name, short_id), lambda_context)
    declared = by_declaration(visit(event_name, short_id), lambda_context)

    assert comparable(declared) == comparable(by_function)
