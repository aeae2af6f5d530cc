"""The clicks an aggregator holds between invocations of one tumbling window.

Lambda passes a function's returned `state` to its next invocation in the same window
(at most 1 MB per shard), and the final invocation writes what it holds. The state keeps
every click, not running totals: a click's number must survive until it is written, so
that a click already counted is recognised (domain/click_stats.py). Values repeat a lot
(a few referrers, browsers, countries), so each is stored once and clicks point to it:
about 30 bytes a click, some 20,000 clicks in the 600 KB the handler lets it grow to
before it writes early.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from domain.click_stats import Click

_KEY_SEPARATOR = " "  # short ids never contain a space (domain/links.py)


class PendingClicks:
    def __init__(self) -> None:
        self._values: list[str] = []
        self._index: dict[str, int] = {}
        # "<shortId> <day>" -> click number -> [referrer, country, device, browser, os,
        # visitor], values as indexes into self._values.
        self._clicks: dict[str, dict[int, list[int | None]]] = {}

    def add(self, short_id: str, click: Click) -> None:
        key = f"{short_id}{_KEY_SEPARATOR}{click.day.isoformat()}"
        self._clicks.setdefault(key, {})[click.number] = [
            self._intern(click.referrer),
            self._intern(click.country),
            self._intern(click.device),
            self._intern(click.browser),
            self._intern(click.os),
            click.visitor,
        ]

    def _intern(self, value: str) -> int:
        if value not in self._index:
            self._index[value] = len(self._values)
            self._values.append(value)
        return self._index[value]

    def __len__(self) -> int:
        return sum(len(clicks) for clicks in self._clicks.values())

    def by_link_and_day(self) -> Iterator[tuple[str, date, list[Click]]]:
        for key, clicks in self._clicks.items():
            short_id, _, day_text = key.partition(_KEY_SEPARATOR)
            day = date.fromisoformat(day_text)
            yield (
                short_id,
                day,
                [self._click(number, day, fields) for number, fields in clicks.items()],
            )

    def _click(self, number: int, day: date, fields: list[int | None]) -> Click:
        referrer, country, device, browser, os, visitor = fields
        return Click(
            number=number,
            day=day,
            referrer=self._value(referrer),
            country=self._value(country),
            device=self._value(device),
            browser=self._value(browser),
            os=self._value(os),
            visitor=visitor,
        )

    def _value(self, index: int | None) -> str:
        if index is None:
            raise ValueError("a click's value is missing from the window's state")
        return self._values[index]

    def to_state(self) -> dict[str, Any]:
        """JSON-ready; click numbers become strings, as JSON object keys must."""
        return {
            "values": self._values,
            "clicks": {
                key: {str(number): fields for number, fields in clicks.items()}
                for key, clicks in self._clicks.items()
            },
        }

    @classmethod
    def from_state(cls, state: dict[str, Any] | None) -> PendingClicks:
        pending = cls()
        if not state:
            return pending
        pending._values = list(state.get("values") or [])
        pending._index = {value: index for index, value in enumerate(pending._values)}
        pending._clicks = {
            key: {int(number): list(fields) for number, fields in clicks.items()}
            for key, clicks in (state.get("clicks") or {}).items()
        }
        return pending

    def state_size(self) -> int:
        return len(json.dumps(self.to_state(), separators=(",", ":")))
