"""Counted clicks, read from the records of the table's stream.

The stream carries each changed item whole (StreamViewType NEW_IMAGE). A click is
counted on a link's item (LINK#<shortId>, counter 0) or, while the link is hot, on one
of its click shards (SHARD#<shortId>#<k>, counter k), both with SK META and the same
attributes: `clicks`, this click's number on that counter, `lastClickedAt`, its moment,
and `click`, what it brought for the analytics (repository/link_items.py). Any other
change to an item that already has a `click` (a PATCH, a delete) carries the latest
click again: its number is already counted, so it changes nothing (domain/click_stats.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.click_facts import ClickFacts
from repository.keys import LINK_PREFIX, LINK_SORT_KEY, SHARD_PREFIX
from repository.link_items import CLICK_ATTRIBUTE


@dataclass(frozen=True, slots=True)
class StreamedClick:
    short_id: str
    counter: int  # 0: the link's item; k >= 1: its click shard k
    number: int  # on that counter
    at: datetime
    facts: ClickFacts
    sequence_number: str  # the record's, for reporting a failure to Lambda


def streamed_click(record: Mapping[str, Any]) -> StreamedClick | None:
    """The click a stream record carries, or None for a record that carries none."""
    change = record.get("dynamodb") or {}
    image = change.get("NewImage") or {}
    try:
        counted_by = _counter(image["PK"]["S"]) if image["SK"]["S"] == LINK_SORT_KEY else None
        if counted_by is None:
            return None
        short_id, counter = counted_by
        facts = image[CLICK_ATTRIBUTE]["M"]
        return StreamedClick(
            short_id=short_id,
            counter=counter,
            number=int(image["clicks"]["N"]),
            at=datetime.fromisoformat(image["lastClickedAt"]["S"]),
            facts=ClickFacts(
                referrer=facts["r"]["S"],
                country=facts["c"]["S"] if "c" in facts else None,
                user_agent=facts["u"]["S"],
                visitor=int(facts["v"]["N"]) if "v" in facts else None,
            ),
            sequence_number=str(change.get("SequenceNumber", "")),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _counter(key: str) -> tuple[str, int] | None:
    """(short id, counter) for a link item's or a click shard's partition key, else None."""
    if key.startswith(LINK_PREFIX):
        short_id, counter = key.removeprefix(LINK_PREFIX), 0
    elif key.startswith(SHARD_PREFIX):
        short_id, _, shard = key.removeprefix(SHARD_PREFIX).rpartition("#")
        counter = int(shard) if shard.isdigit() else 0
        if counter < 1:
            return None
    else:
        return None
    return (short_id, counter) if short_id and "#" not in short_id else None
