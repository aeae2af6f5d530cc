"""The API Gateway HTTP API (payload 2.0) events the bench sends, from AWS's samples in events/."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from bench import functions
from sam_template.document import REPO_ROOT

EVENTS_DIR = REPO_ROOT / "events"


@cache
def _sample(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS_DIR / name).read_text(encoding="utf-8"))
    return loaded


def sample(name: str) -> dict[str, Any]:
    """A fresh copy (Lambda hands every invocation an event of its own), as API Gateway
    gets it from the distribution: with the origin secret (handlers/api_requests.py)."""
    event = copy.deepcopy(_sample(name))
    event["headers"]["x-origin-verify"] = functions.origin_verify_secret()
    return event


def browser_user_agent() -> str:
    """The sample redirect's User-Agent: a current desktop Chrome, so its GET is a click."""
    user_agent: str = _sample("redirect.json")["headers"]["user-agent"]
    return user_agent


def with_short_id(event: dict[str, Any], short_id: str, prefix: str = "/") -> dict[str, Any]:
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"{prefix}{short_id}"
    event["pathParameters"] = {"shortId": short_id}
    return event


def redirect_get(short_id: str) -> dict[str, Any]:
    return with_short_id(sample("redirect.json"), short_id)


def redirect_head(short_id: str) -> dict[str, Any]:
    return with_short_id(sample("redirect-head.json"), short_id)


def link_info(short_id: str) -> dict[str, Any]:
    return with_short_id(sample("link-info.json"), short_id, prefix="/links/")


def shorten(idempotency_key: str | None = None) -> dict[str, Any]:
    event = sample("shorten.json")
    if idempotency_key is not None:
        event["headers"]["idempotency-key"] = idempotency_key
    return event
