"""What the functions measure: CloudWatch metrics in the embedded metric format (EMF),
printed as one JSON line per invocation by `log_metrics`, so no API call and no latency.

The metrics, their dimensions and what is deliberately never logged or traced:
docs/architecture.md, "Observability".
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
CLICK_REPORTS = "ClickReports"
LINK_LISTINGS = "LinkListings"
MISSES = "Misses"
GONE = "Gone"
REFUSALS = "Refusals"
STREAM_RECORDS = "StreamRecords"
STREAM_RECORDS_SKIPPED = "StreamRecordsSkipped"
CLICK_DAYS_WRITTEN = "ClickDaysWritten"
VISITOR_KEYS_FORGOTTEN = "VisitorKeysForgotten"


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


def record_unavailable(status: int, route: str | None) -> None:
    """A 404 (Misses) or 410 (Gone) on `route`, the API's route key (a template route)."""
    metrics.add_dimension(name="Route", value=route or "unknown")
    count(MISSES if status == 404 else GONE)


def record_refusal(status: int, reason: str) -> None:
    """A refused request: `reason` is a fixed snake_case word, never text from the request."""
    metrics.add_dimension(name="Status", value=str(status))
    metrics.add_dimension(name="Reason", value=reason)
    count(REFUSALS)


def record_aggregation(*, records: int, skipped: int, days_written: int) -> None:
    """One aggregator invocation: stream records read, those that carried no click, and
    link days written (one write each)."""
    metrics.add_metric(name=STREAM_RECORDS, unit=MetricUnit.Count, value=records)
    metrics.add_metric(name=STREAM_RECORDS_SKIPPED, unit=MetricUnit.Count, value=skipped)
    metrics.add_metric(name=CLICK_DAYS_WRITTEN, unit=MetricUnit.Count, value=days_written)


def record_forgotten_keys(keys: int) -> None:
    """The daily run: past days' visitor keys deleted (1 on a day after clicks, else 0)."""
    metrics.add_metric(name=VISITOR_KEYS_FORGOTTEN, unit=MetricUnit.Count, value=keys)
