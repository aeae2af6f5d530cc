"""ClickStatsFunction: the table's stream -> each link's clicks per day.

Lambda's event source mapping hands it the stream records of link items, and of hot
links' click shards, that carry a click (template.yaml: the filter, batches, a tumbling
window of ClickStatsWindowSeconds). Within a window each invocation adds its records'
clicks to the window's `state` and returns it; the window's final invocation writes
them, one item per link and day (repository/dynamodb_click_stats.py). Writing once a
window is what keeps analytics cheap: a link clicked a thousand times in a window costs
one write.

Exact under every retry Lambda makes: a failed write raises, Lambda runs the final
invocation again with the same state, and the clicks already written change nothing
(domain/click_stats.py). Exact too when another invocation writes the same link's day
at the same time (a click shard's records may come through another stream shard): each
write is conditional on the day being as it was read. No record is ever reported as
failed or skipped for being malformed: one that carries no click is passed over, counted
in a metric, and never blocks the shard. Docs: docs/architecture.md, "Click analytics".

Its other job, on a daily schedule: deleting the visitor keys of past days.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from domain.click_stats import classified_click
from domain.click_windows import PendingClicks
from domain.user_agents import classify
from handlers import wiring
from handlers.observability import log_metrics, record_aggregation, record_forgotten_keys
from repository.click_stream import streamed_click

logger = Logger()

WRITE_EARLY_AT_BYTES = 900_000
"""Write before the window ends once the state is this large, as Lambda's Python runtime
serialises it (json.dumps, with spaces): Lambda ends a window whose state passes 1 MB
(per shard), and the state must always fit. Checked after each batch, on the state
returned, so no batch can push it over."""
WRITERS = 8  # concurrent day writes: a window's final invocation may have thousands


@logger.inject_lambda_context
@log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("detail-type") == "Scheduled Event":
        return forget_past_visitor_keys(event)
    return aggregate(event)


def forget_past_visitor_keys(event: dict[str, Any]) -> dict[str, Any]:
    """The daily run (template: a schedule just after 00:00 UTC): no key of a past day
    survives it (repository/visitor_keys.py)."""
    today = datetime.fromisoformat(event["time"]).astimezone(UTC).date()
    forgotten = wiring.visitor_keys().forget_before(today)
    record_forgotten_keys(forgotten)
    logger.info("Past visitor keys deleted", extra={"keys": forgotten, "today": str(today)})
    return {"forgotten": forgotten}


def aggregate(event: dict[str, Any]) -> dict[str, Any]:
    """One invocation of the stream's event source mapping."""
    pending = PendingClicks.from_state(event.get("state"))
    records = event.get("Records") or []
    skipped = written = 0
    for record in records:
        click = streamed_click(record)
        if click is None:
            skipped += 1
            continue
        if pending.is_full():
            written += write(pending)
            pending = PendingClicks()
        pending.add(
            click.short_id,
            classified_click(click.number, click.at, click.facts, classify, click.counter),
        )
    state = _state_to_carry(event, pending)
    if state is None:
        written += write(pending)
        state = {}
    record_aggregation(records=len(records), skipped=skipped, days_written=written)
    return {"state": state, "batchItemFailures": []}


def _state_to_carry(event: dict[str, Any], pending: PendingClicks) -> dict[str, Any] | None:
    """The state for the window's next invocation, or None if the clicks must be written
    now: outside a window, at its end, or when the state has grown too large to carry."""
    if "window" not in event or event.get("isFinalInvokeForWindow"):
        return None
    state = pending.to_state()
    return state if len(json.dumps(state)) <= WRITE_EARLY_AT_BYTES else None


def write(pending: PendingClicks) -> int:
    """Write every link's days; raise the first failure once every write has ended (so a
    retry has less left to do). Returns how many link days were written."""
    store = wiring.click_stats()
    with ThreadPoolExecutor(max_workers=WRITERS) as writers:
        writes = [
            writers.submit(store.add_clicks, short_id, day, clicks)
            for short_id, day, clicks in pending.by_link_and_day()
        ]
    for finished in writes:
        finished.result()
    return len(writes)
