"""Counted clicks, read from the records of the table's stream.

The stream carries each changed link item whole (StreamViewType NEW_IMAGE). A click's
item has `clicks`, the number of this click, `lastClickedAt`, its moment, and `click`,
what it brought for the analytics (repository/link_items.py). Any other change to a link
that already has a `click` (a PATCH, a delete) carries the latest click again: its number
is already counted, so it changes nothing (domain/click_stats.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.click_facts import ClickFacts
from repository.keys import LINK_PREFIX, LINK_SORT_KEY
from repository.link_items import CLICK_ATTRIBUTE


@dataclass(frozen=True, slots=True)
class StreamedClick:
    short_id: str
    number: int
    at: datetime
    facts: ClickFacts
    sequence_number: str  # the record's, for reporting a failure to Lambda


def streamed_click(record: Mapping[str, Any]) -> StreamedClick | None:
    """The click a stream record carries, or None for a record that carries none."""
    change = record.get("dynamodb") or {}
    image = change.get("NewImage") or {}
    try:
        key, sort_key = image["PK"]["S"], image["SK"]["S"]
        if not key.startswith(LINK_PREFIX) or sort_key != LINK_SORT_KEY:
            return None
        facts = image[CLICK_ATTRIBUTE]["M"]
        return StreamedClick(
            short_id=key.removeprefix(LINK_PREFIX),
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
