"""Requests to the moderation routes, as API Gateway sends them, and the keys to send.

Built from AWS's own HTTP API events in events/ (a GET and a POST), with the route,
path, query and body of each admin route filled in.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from domain.api_keys import issue_api_key
from repository.client import create_dynamodb_client
from repository.dynamodb_api_keys import DynamoDBApiKeys
from tests.conftest import load_event
from tests.integration.conftest import TABLE_NAME


def stored_key(*scopes: str, name: str = "on-call", owner: str = "ops") -> str:
    """A new API key with `scopes`, stored as make admin-key stores one; the key itself."""
    issued = issue_api_key(name=name, owner=owner, scopes=scopes, now=datetime.now(UTC))
    DynamoDBApiKeys(create_dynamodb_client(), TABLE_NAME).add(issued.record)
    return issued.key


def request(
    method: str,
    route: str,
    path: str,
    *,
    key: str | None = None,
    body: Any = None,
    query: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
    **headers: str,
) -> dict[str, Any]:
    event = load_event("shorten.json" if method in ("POST", "PUT", "PATCH") else "link-info.json")
    event["routeKey"] = event["requestContext"]["routeKey"] = f"{method} {route}"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["pathParameters"] = path_parameters or {}
    if not event["pathParameters"]:
        del event["pathParameters"]
    event["rawQueryString"] = urlencode(query or {})
    if query:
        event["queryStringParameters"] = dict(query)
    else:
        event.pop("queryStringParameters", None)
    if body is None:
        event.pop("body", None)
        event["headers"].pop("content-type", None)
    else:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
        event["headers"].pop("content-length", None)
        event["headers"]["content-type"] = "application/json"
    if key is not None:
        event["headers"]["authorization"] = f"Bearer {key}"
    else:
        event["headers"].pop("authorization", None)
    event["headers"].update(headers)
    return event


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"]) if response.get("body") else None
