"""The two 429s: a client past its own limit, and the whole service past its ceiling.

Operators alarm on the second (metric Refusals, dimensions service, Status=429,
Reason=creation_ceiling), so it must never be counted as the first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from domain.errors import CreationCeilingReached, RateLimited
from handlers.observability import REFUSALS, metrics
from handlers.responses import refusal


@pytest.fixture(autouse=True)
def fresh_metrics() -> Iterator[None]:
    metrics.clear_metrics()
    yield
    metrics.clear_metrics()


def answer(error: RateLimited | CreationCeilingReached) -> dict[str, Any]:
    event = {
        "routeKey": "POST /shorten",
        "requestContext": {"http": {"method": "POST"}},
        "headers": {"accept": "application/json"},
    }
    response: dict[str, Any] = refusal(error, event)
    return response


def test_a_client_past_its_limit_is_told_it_is_its_addresss_doing():
    response = answer(RateLimited(retry_after_seconds=42))

    assert response["statusCode"] == 429
    assert response["headers"]["Retry-After"] == "42"
    assert "from this address" in json.loads(response["body"])["message"]
    assert REFUSALS in metrics.metric_set
    assert metrics.dimension_set == {"Status": "429", "Reason": "rate_limited"}


def test_the_ceiling_is_the_services_own_429_with_its_own_reason():
    response = answer(CreationCeilingReached(retry_after_seconds=7))

    assert response["statusCode"] == 429
    assert response["headers"]["Retry-After"] == "7"
    message = json.loads(response["body"])["message"]
    assert "The service is creating too many links" in message
    assert "not just you" in message
    assert "try again in 7 s" in message
    assert REFUSALS in metrics.metric_set
    assert metrics.dimension_set == {"Status": "429", "Reason": "creation_ceiling"}
