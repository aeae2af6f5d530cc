"""What the functions measure and log, and what they deliberately leave out.

Metrics: CloudWatch embedded metric format (EMF) through Powertools `Metrics`, one JSON
blob printed per invocation by `@log_metrics` below (namespace from
POWERTOOLS_METRICS_NAMESPACE, `service` dimension from POWERTOOLS_SERVICE_NAME).
CloudWatch turns the blobs into metrics: no PutMetricData call, no client, no latency.
Every metric keeps one fixed set of dimensions, all of low cardinality; a short id, an
alias, a URL, a host or an address is never a dimension.

  LinksCreated      201s of POST /shorten (an idempotent replay counts again)
  Clicks            the redirects that counted as a click (a GET from a person,
                    not a HEAD, prefetch or bot). Redirects answered are not
                    counted again here: AWS/Lambda Invocations of the redirect
                    function has them, less Misses, Gone and Errors; so a HEAD,
                    a prefetch or a bot's redirect prints no metrics line at all
                    (each line is billed log bytes, on the hottest path)
  LinksChanged      PATCH /links/{shortId} that changed a link
  LinksDeleted      DELETE /links/{shortId} that deleted one
  LinkLookups       GET /links/{shortId} and its /qr that answered 200
  Misses   [Route]  404: no such link ("GET /{shortId}", "GET /links/{shortId}", ...)
  Gone     [Route]  410: expired, deleted or on a blocked host
  Refusals [Status, Reason]
                    every other 4xx/5xx the code chooses to send, e.g. 400
                    invalid_url, 409 alias_taken, 401 unauthenticated, 403
                    unauthorized, 429 rate_limited, 503 short_ids_exhausted, 413
                    body_too_large; Reason is a fixed word chosen here, never
                    message text
  ColdStart [function_name]  Powertools' own, in a blob of its own

Logs: structured JSON (Powertools Logger) with the API request id as correlation id.
The event is never logged (log_event stays off), and no code logs headers or bodies:
management tokens, Authorization headers and Idempotency-Keys never reach a log.
Target URLs are not logged; a created link logs its target's host only, at INFO.
Client addresses are not logged by the functions: the API's access log (kept for
LogRetentionInDays) is the one place they appear, which is what rate-limit abuse needs.

Tracing: no X-Ray `Tracer`. Importing it loads aws_xray_sdk, ~355 ms on every cold
start even with tracing disabled, for a service whose every request is one DynamoDB
call; the request id in logs, the access log and these metrics answer what a trace
would. The redirect function must never load aws_xray_sdk
(tests/unit/test_cold_start_imports.py). `Metrics` itself costs a few ms at import.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]

# The template sets both variables. Powertools reads them once, when `Metrics` is built
# at import; code imported before its environment is set (tests) gets
# the template's own values instead of a flush that fails for want of a namespace.
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "UrlShortener"
SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME") or "url-shortener"

# Shared by every handler in a container (Powertools keeps one metric set per process)
# and flushed by `@metrics.log_metrics` at the end of each invocation.
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

LINKS_CREATED = "LinksCreated"
CLICKS = "Clicks"
LINKS_CHANGED = "LinksChanged"
LINKS_DELETED = "LinksDeleted"
LINK_LOOKUPS = "LinkLookups"
MISSES = "Misses"
GONE = "Gone"
REFUSALS = "Refusals"

# Refusals made before the body is read (handlers/request_body.py), or for an
# Idempotency-Key (refusals.py answers those without a reason): their reason, by status.
_REASON_BY_STATUS = {
    400: "unreadable_body",
    409: "request_in_progress",
    413: "body_too_large",
    415: "not_json",
    422: "idempotency_key_reused",
}


def log_metrics(handler: LambdaHandler) -> LambdaHandler:
    """Flush this invocation's metrics when `handler` returns or raises (one EMF blob),
    plus Powertools' ColdStart metric on a container's first invocation.

    Goes *inside* `logger.inject_lambda_context`, the order of Powertools' own examples:
    the flush runs in a `finally` right around the handler, so it happens even when the
    handler raises, while the invocation's log keys are still set. EMF is printed
    directly, never through Logger, so the order does not change the blob itself.
    """
    decorated: LambdaHandler = metrics.log_metrics(handler, capture_cold_start_metric=True)
    return decorated


def count(name: str) -> None:
    """One more of `name`, a metric without dimensions of its own."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)


def record_redirect(*, counted: bool) -> None:
    if counted:
        count(CLICKS)


def record_unavailable(status: int, route: str) -> None:
    """A 404 (Misses) or 410 (Gone) on `route`, the API's route key (a template route)."""
    metrics.add_dimension(name="Route", value=route or "unknown")
    count(MISSES if status == 404 else GONE)


def record_refusal(status: int, reason: str) -> None:
    """A refused request: `reason` is a fixed snake_case word, never text from the request."""
    metrics.add_dimension(name="Status", value=str(status))
    metrics.add_dimension(name="Reason", value=reason)
    count(REFUSALS)


def record_unlabelled_refusal(response: dict[str, Any]) -> None:
    """A refusal no error handler recorded (body refused before routing, idempotency errors)."""
    status = int(response.get("statusCode") or 0)
    if status < 400 or status in (404, 410) or REFUSALS in metrics.metric_set:
        return
    record_refusal(status, _REASON_BY_STATUS.get(status, "other"))
