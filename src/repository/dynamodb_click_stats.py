"""DynamoDBClickStats: the domain's ClickStatsStore, one item per link and UTC day.

    PK = STATS#<shortId>   SK = DAY#<YYYY-MM-DD>
    clicks                            number
    appliedThrough                    map of counter -> its highest click number counted,
                                      {"0": n, "3": m} (domain/click_stats.py: the
                                      watermarks); a plain number in days written before
                                      click shards, read as counter 0's
    referrers, countries, devices,    maps of value -> clicks
    browsers, os
    visitorSketch                     binary (domain/visitors.py)
    ttl                               the day's end plus the retention, epoch seconds

Each write reads the day, adds the clicks it has not counted, and puts it back on the
condition that nobody wrote it in between: its `clicks` unchanged (every write adds at
least one click, so `clicks` only grows and tells any write apart), or the item still
absent. The condition fails when a write whose answer was lost did land, or when another
aggregator wrote the day meanwhile: a hot link's click shards may sit in other stream
shards than its item, each handled by its own invocation, so up to one writer per
counter (the link item and its CLICK_SHARDS click shards) may meet at a window's end.
Each failed attempt means another write succeeded, so the next attempt reads that and
adds only what is left, and the last of those writers gets through by its attempt
number 1 + CLICK_SHARDS.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from domain.click_stats import Click, DayStats
from domain.errors import StorageUnavailable
from domain.hot_links import CLICK_SHARDS
from domain.visitors import VisitorSketch
from repository.keys import STATS_PREFIX, TTL_ATTRIBUTE, stats_key, stats_sort_key
from repository.store_failures import raises_storage_unavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

_BREAKDOWNS = ("referrers", "countries", "devices", "browsers", "os")
_ATTEMPTS = 2 * (1 + CLICK_SHARDS)
"""Reads and puts of one day before giving up (StorageUnavailable: Lambda retries the
window's final invocation): twice what the last of a day's writers needs, for lost
answers and luck; each attempt is two requests, so even all of them take well under a
second."""


class DynamoDBClickStats:
    def __init__(self, client: DynamoDBClient, table_name: str, retention_days: int) -> None:
        self._client = client
        self._table = table_name
        self._retention = timedelta(days=retention_days)

    @raises_storage_unavailable("counting clicks by day")
    def add_clicks(self, short_id: str, day: date, clicks: Iterable[Click]) -> None:
        clicks = list(clicks)
        for _ in range(_ATTEMPTS):
            stored = self._client.get_item(
                TableName=self._table, Key=stats_key(short_id, day), ConsistentRead=True
            ).get("Item")
            current = day_from_item(stored) if stored else DayStats(short_id=short_id, day=day)
            updated = current.with_clicks(clicks)
            if updated is None:
                return  # every one of them is counted already
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item=self._item(updated),
                    **_unchanged_since(stored),
                )
                return
            except self._client.exceptions.ConditionalCheckFailedException:
                continue  # written meanwhile (our lost answer, another writer): read again
        raise StorageUnavailable("counting clicks by day (the day kept changing)")

    @raises_storage_unavailable("reading clicks by day")
    def days(self, short_id: str, first: date, last: date) -> list[DayStats]:
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="PK = :pk AND SK BETWEEN :first AND :last",
            ExpressionAttributeValues={
                ":pk": {"S": f"{STATS_PREFIX}{short_id}"},
                ":first": {"S": stats_sort_key(first)},
                ":last": {"S": stats_sort_key(last)},
            },
        )
        return [day_from_item(item) for page in pages for item in page.get("Items", [])]

    def _item(self, stats: DayStats) -> dict[str, AttributeValueTypeDef]:
        expires = datetime.combine(stats.day + timedelta(days=1), time(), tzinfo=UTC)
        item = day_to_item(stats)
        item[TTL_ATTRIBUTE] = {"N": str(int((expires + self._retention).timestamp()))}
        return item


def _unchanged_since(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    if not stored:
        return {"ConditionExpression": "attribute_not_exists(PK)"}
    return {
        "ConditionExpression": "clicks = :seen",
        "ExpressionAttributeValues": {":seen": stored["clicks"]},
    }


def day_to_item(stats: DayStats) -> dict[str, AttributeValueTypeDef]:
    item: dict[str, AttributeValueTypeDef] = {
        **stats_key(stats.short_id, stats.day),
        "clicks": {"N": str(stats.clicks)},
        "appliedThrough": {
            "M": {str(counter): {"N": str(n)} for counter, n in stats.applied_through.items()}
        },
    }
    for name in _BREAKDOWNS:
        counts: Mapping[str, int] = getattr(stats, name)
        item[name] = {"M": {value: {"N": str(n)} for value, n in counts.items()}}
    sketch = stats.visitors.to_bytes()
    if sketch:
        item["visitorSketch"] = {"B": sketch}
    return item


def day_from_item(item: Mapping[str, Any]) -> DayStats:
    breakdowns = {
        name: {value: int(n["N"]) for value, n in item.get(name, {}).get("M", {}).items()}
        for name in _BREAKDOWNS
    }
    return DayStats(
        short_id=item["PK"]["S"].removeprefix(STATS_PREFIX),
        day=date.fromisoformat(item["SK"]["S"].rpartition("#")[2]),
        clicks=int(item["clicks"]["N"]),
        applied_through=_watermarks(item["appliedThrough"]),
        visitors=VisitorSketch.from_bytes(bytes(item["visitorSketch"]["B"]))
        if "visitorSketch" in item
        else VisitorSketch(),
        **breakdowns,
    )


def _watermarks(attribute: Mapping[str, Any]) -> dict[int, int]:
    if "N" in attribute:  # a day written before click shards: the link item's alone
        return {0: int(attribute["N"])}
    return {int(counter): int(n["N"]) for counter, n in attribute["M"].items()}
