"""Injects DynamoDB's failures into a real botocore client, one call site at a time.

Faults go in at botocore's `before-send` event, the last step before the HTTP request
leaves: everything above it runs for real (serialising, signing, botocore's retry
handler with its backoff and quota, parsing the error). botocore's Stubber answers at
`before-call` instead, above the retry handler, so it could not show that retries are
bounded; that is why this module exists.

A call site is an operation on a kind of item, told apart by the key's prefix:
("PutItem", "LINK#") is creating a link, ("UpdateItem", "RATE#") counting a creation,
("PutItem", "IDEMPOTENCY#") Powertools' in-progress record, ("Query", "STATS#") reading
a link's days, and so on.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HTTPHeaders
from botocore.exceptions import (
    BotoCoreError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.httpsession import URLLib3Session
from botocore.retries import standard

CallSite = tuple[str, str]  # (operation, key prefix)


class _RawBody(io.BytesIO):
    """What AWSResponse reads a body from."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


def _error_response(status: int, error_type: str) -> Callable[[AWSPreparedRequest], AWSResponse]:
    def respond(request: AWSPreparedRequest) -> AWSResponse:
        body = json.dumps(
            {"__type": f"com.amazonaws.dynamodb.v20120810#{error_type}", "message": "injected"}
        ).encode()
        headers = HTTPHeaders()
        headers["Content-Type"] = "application/x-amz-json-1.0"
        headers["x-amzn-RequestId"] = "injected"
        return AWSResponse(request.url, status, headers, _RawBody(body))

    return respond


def _raise(error_class: type[BotoCoreError]) -> Callable[[AWSPreparedRequest], AWSResponse]:
    def fail(request: AWSPreparedRequest) -> AWSResponse:
        raise error_class(endpoint_url=request.url, error="injected")

    return fail


def _lose_the_answer(request: AWSPreparedRequest) -> AWSResponse:
    """DynamoDB does the work, and the answer never arrives: the nastiest timeout."""
    URLLib3Session().send(request)
    raise ReadTimeoutError(endpoint_url=request.url, error="injected after the write")


# What can go wrong between a Lambda function and DynamoDB. Each is a failure that may
# pass, which botocore retries and our API answers with a 503 if it does not pass.
FAULTS: dict[str, Callable[[AWSPreparedRequest], AWSResponse]] = {
    "throttled": _error_response(400, "ProvisionedThroughputExceededException"),
    "throttled-by-the-account": _error_response(400, "ThrottlingException"),
    "internal-server-error": _error_response(500, "InternalServerError"),
    "service-unavailable": _error_response(503, "ServiceUnavailable"),
    "read-timeout": _raise(ReadTimeoutError),
    "connect-timeout": _raise(ConnectTimeoutError),
    "connection-refused": _raise(EndpointConnectionError),
    "connection-dropped": _raise(ConnectionClosedError),
}
LOST_ANSWER = _lose_the_answer


@dataclass
class FaultInjector:
    """Registered on one client: fails the next `times` attempts at `call_site`, counts all."""

    call_site: CallSite | None = None
    fault: Callable[[AWSPreparedRequest], AWSResponse] | None = None
    times: int = 0
    attempts: list[CallSite] = field(default_factory=list)
    backoffs: list[float] = field(default_factory=list)

    def fail(
        self,
        call_site: CallSite,
        fault: Callable[[AWSPreparedRequest], AWSResponse],
        times: int = 1_000,
    ) -> None:
        """Arm the fault; attempts are counted from here on."""
        self.call_site, self.fault, self.times = call_site, fault, times
        self.attempts.clear()

    def attempts_at(self, call_site: CallSite) -> int:
        return self.attempts.count(call_site)

    def install(self, client: Any) -> Any:
        client.meta.events.register_first("before-send.dynamodb", self._before_send)
        return client

    def _before_send(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        site = call_site_of(request)
        self.attempts.append(site)
        if site != self.call_site or self.times <= 0 or self.fault is None:
            return None
        self.times -= 1
        return self.fault(request)


def call_site_of(request: AWSPreparedRequest) -> CallSite:
    target = request.headers["X-Amz-Target"]
    operation = (target.decode() if isinstance(target, bytes) else target).rpartition(".")[2]
    body = json.loads(request.body if isinstance(request.body, str | bytes) else b"{}")
    key = body.get("Item") or body.get("Key") or _queried_key(body)
    partition = key.get("PK", {}).get("S", "")
    return operation, partition.split("#", 1)[0] + "#" if "#" in partition else partition


def _queried_key(body: dict[str, Any]) -> dict[str, Any]:
    """A Query's partition key, as its key condition names it (`PK = :pk AND ...`)."""
    named = re.search(r"\bPK = (:\w+)", body.get("KeyConditionExpression", ""))
    return {"PK": body["ExpressionAttributeValues"][named.group(1)]} if named else {}


def record_backoffs_without_sleeping(injector: FaultInjector, monkeypatch: Any) -> None:
    """Keep botocore's real backoff computation, note each delay, and skip the sleep:
    the tests check the delays are bounded without spending them."""
    compute = standard.ExponentialBackoff.delay_amount

    def noted(self: standard.ExponentialBackoff, context: Any) -> float:
        injector.backoffs.append(compute(self, context))
        return 0.0

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", noted)
