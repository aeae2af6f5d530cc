"""ShortenFunction: POST /shorten, and POST /links/import (handlers/link_import.py): the
function that creates links, and alone may.

Without Powertools' resolver, as the redirect: docs/architecture.md says why. pydantic
still validates the body, with the same model and refusals as under the resolver;
handlers/shorten_routes.py declares the route for the OpenAPI document.
"""

from __future__ import annotations

import gc

gc.disable()  # until this module is loaded: handlers/__init__.py says why

import base64
import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from domain.api_keys import ApiKeyRequired, Scope, require_scope
from domain.rate_limits import address_class, client_of, key_client
from domain.shortening import Creator
from handlers import wiring
from handlers.api_models import ShortenRequest
from handlers.api_requests import base_url, target_rules, viewer_of
from handlers.boundary import http_boundary
from handlers.callers import api_key_of
from handlers.idempotent_creation import create_link
from handlers.link_import import answer_import
from handlers.observability import log_metrics
from handlers.request_body import check_readable_body, parse_json_body
from handlers.responses import JSON, NO_STORE, invalid_request, proxy_response
from handlers.settings import Settings
from repository.client import calls_end_within

IMPORT_ROUTE = "POST /links/import"
# What the function spends on anything but DynamoDB: validation, logging, the answer.
OWN_WORK_SECONDS = 1.0

logger = Logger()


def answer_creation(event: dict[str, Any], lambda_context: LambdaContext | None) -> dict[str, Any]:
    """The answer to a POST /shorten event, as a proxy response; refusals raise."""
    check_readable_body(event)
    headers: dict[str, str] = event.get("headers") or {}
    try:
        # from_attributes: pydantic then words a non-object body as Powertools does
        # ("a valid dictionary or object"), not by our class's name.
        request = ShortenRequest.model_validate(_json_body(event), from_attributes=True)
    except _InvalidBody as invalid:
        return invalid_request(invalid.details)
    except ValidationError as invalid:
        return invalid_request([dict(detail) for detail in invalid.errors(include_url=False)])
    settings = wiring.settings()
    created = create_link(
        request,
        idempotency_key=headers.get("idempotency-key"),
        creator=creator_of(event, settings),
        rules=target_rules(event, settings),
        base_url=base_url(event, settings),
        lambda_context=lambda_context,
    )
    return proxy_response(
        201,
        created.model_dump_json(by_alias=True),
        {"Content-Type": JSON, "Location": created.short_url, **NO_STORE},
    )


def creator_of(event: dict[str, Any], settings: Settings) -> Creator:
    """Who creates: an API key with links:write (its owner owns the link, and it counts
    against the key's own rate limit), or, where PublicCreation allows, the address."""
    key = api_key_of(event)
    if key is not None:
        require_scope(key, Scope.LINKS_WRITE)
        return Creator(key_client(key.key_id), owner=key.owner, address_class="api-key")
    if not settings.public_creation:
        raise ApiKeyRequired(Scope.LINKS_WRITE)
    address = viewer_of(event, settings).address
    return Creator(client_of(address), address_class=address_class(address))


class _InvalidBody(Exception):
    """No body, or one that is not JSON, reported as pydantic reports problems."""

    def __init__(self, details: list[dict[str, Any]]) -> None:
        super().__init__(details)
        self.details = details


_MISSING = [{"type": "missing", "loc": ("body",), "msg": "Field required"}]


def _json_body(event: dict[str, Any]) -> Any:
    body = event.get("body")
    if not body:
        raise _InvalidBody(_MISSING)
    if event.get("isBase64Encoded"):  # check_readable_body checked it decodes
        body = base64.b64decode(body).decode("utf-8")
    try:
        parsed = parse_json_body(body)
    except json.JSONDecodeError as exc:
        problem = {"type": "json_invalid", "loc": ("body", exc.pos), "ctx": {"error": exc.msg}}
        raise _InvalidBody([problem]) from exc
    if parsed is None:  # `null` says as little as no body at all
        raise _InvalidBody(_MISSING)
    return parsed


@logger.inject_lambda_context
@log_metrics
@http_boundary
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    logger.set_correlation_id(event["requestContext"].get("requestId"))
    # A creation makes up to seven calls in a row (rate counters, the link, an
    # idempotency record): each starts only if it can end before the function's time.
    seconds_left = context.get_remaining_time_in_millis() / 1000 - OWN_WORK_SECONDS
    with calls_end_within(seconds_left):
        if event.get("routeKey") == IMPORT_ROUTE:
            return answer_import(event, context)
        return answer_creation(event, context)


gc.freeze()  # loaded: out of every later collection's way
gc.enable()
