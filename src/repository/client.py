"""The DynamoDB client every function shares, built once per container.

botocore's session is used directly rather than boto3.client(): it is the same SDK
underneath and saves boto3's import on every cold start. Endpoint and region come
from the standard AWS settings, so `AWS_ENDPOINT_URL_DYNAMODB` points it at a local
DynamoDB (as `make dev` does) without any code path of our own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from time import monotonic
from typing import TYPE_CHECKING, Any, cast

import botocore.session
from botocore.config import Config

from repository.store_failures import OutOfTime

if TYPE_CHECKING:  # stubs are a dev dependency; Lambda never imports them
    from mypy_boto3_dynamodb import DynamoDBClient

# A healthy DynamoDB answers in single-digit milliseconds, so these bounds only ever
# cut off a stuck call. The client tries twice (standard mode: the retry waits up to
# 1 s of jittered backoff and draws on a retry quota, so an outage cannot turn into a
# retry storm), then the API answers 503 with Retry-After and the caller, who can
# afford to wait, decides. Worst case per call: 2 x (0.5 + 1) s + 1 s = 4 s, inside
# every function's Timeout (template.yaml), so a failing DynamoDB is our clear 503,
# never a Lambda timeout (tests/integration/test_storage_unavailable.py holds the two
# together). The read timeout bounds each wait for data, which for DynamoDB's small
# answers is the whole answer.
CLIENT_CONFIG = Config(
    connect_timeout=0.5,
    read_timeout=1,
    retries={"mode": "standard", "total_max_attempts": 2},
    tcp_keepalive=True,
)
# The longest one call can take, from CLIENT_CONFIG: every attempt times out connecting
# and then reading, with standard mode's longest backoff (1 s) before the retry.
ONE_CALL_AT_WORST_SECONDS = 4.0

# When the function must have answered by (monotonic()), if the handler says so.
_deadline: ContextVar[float | None] = ContextVar("dynamodb_deadline", default=None)


def create_dynamodb_client() -> DynamoDBClient:
    session = botocore.session.get_session()
    client = session.create_client("dynamodb", config=CLIENT_CONFIG)
    client.meta.events.register("before-call.dynamodb", _refuse_a_call_that_could_outlast)
    return cast("DynamoDBClient", client)


@contextmanager
def calls_end_within(seconds: float) -> Iterator[None]:
    """No DynamoDB call starts in this block unless it ends, even at its worst, within
    `seconds`: a request that makes many calls (a creation: rate counters, the link, an
    idempotency record) answers 503 itself when time runs short, never a Lambda timeout.
    """
    token = _deadline.set(monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def _refuse_a_call_that_could_outlast(**_: Any) -> None:
    deadline = _deadline.get()
    if deadline is not None and monotonic() + ONE_CALL_AT_WORST_SECONDS > deadline:
        raise OutOfTime("a DynamoDB call could outlast the function's time")
