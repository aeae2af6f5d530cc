"""The clicks an aggregator holds between invocations of one tumbling window.

Lambda passes a function's returned `state` to its next invocation in the same window
(at most 1 MB per shard), and the final invocation writes what it holds. The state keeps
every click, not running totals: a click's number must survive until it is written, so
that a click already counted is recognised (domain/click_stats.py).

Compact, because a window written once costs half what a window written twice does
(docs/architecture.md, "Click analytics"): a whole 60 s window at 1,000 clicks a second
must fit. So a click is 6 bytes, three unsigned 16-bit numbers: its referrer (an index
into a list of the window's referrers), its profile (an index into a list of the
window's country, device, browser and OS combinations, which repeat a lot) and its
visitor digest (NO_VISITOR for none). A counter's clicks arrive numbered 1, 2, 3, ... as
it counts them, so each run of consecutive numbers is stored as its first number and its
clicks' bytes, base64 in JSON: 8 characters a click, about 10 with the link's own entry,
some 90,000 clicks in 900 KB. A link's counters are kept apart, each with numbers of its
own (domain/click_stats.py): its item's clicks under `<shortId>`, click shard k's under
`<shortId>#<k>` (a short id never holds a '#'). They are written together, one day item
per link and day.

    {"referrers": ["t.co", ...], "profiles": [["DE", "mobile", "Chrome", "Android"], ...],
     "days": {"2026-12-03": {"<shortId>": [<first number>, "<base64>", ...],
                             "<shortId>#3": [<first number>, "<base64>", ...]}}}
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Iterator
from datetime import date
from typing import Any, TypeVar

from domain.click_stats import Click

_CLICK = struct.Struct(">HHH")  # referrer, profile, visitor
NO_VISITOR = 0xFFFF  # visitor digests are 15 bits (domain/visitors.py): never this
_TABLE_SIZE = 0xFFFF  # indexes 0..65534 fit in 16 bits
_Profile = tuple[str, str, str, str]  # country, device, browser, os
_Value = TypeVar("_Value", str, _Profile)


class _Run:
    """Clicks numbered first, first + 1, ..., packed."""

    __slots__ = ("clicks", "first")

    def __init__(self, first: int, clicks: bytes = b"") -> None:
        self.first = first
        self.clicks = bytearray(clicks)

    @property
    def end(self) -> int:
        """The number the next click of this run would have."""
        return self.first + len(self.clicks) // _CLICK.size

    def __contains__(self, number: int) -> bool:
        return self.first <= number < self.end


class PendingClicks:
    def __init__(self) -> None:
        self._referrers: list[str] = []
        self._referrer_index: dict[str, int] = {}
        self._profiles: list[_Profile] = []
        self._profile_index: dict[_Profile, int] = {}
        self._runs: dict[str, dict[str, list[_Run]]] = {}  # day -> counter's key -> runs

    def is_full(self) -> bool:
        """True when one more click might not find room for a new referrer or profile:
        the state must be written before it takes another."""
        return len(self._referrers) >= _TABLE_SIZE or len(self._profiles) >= _TABLE_SIZE

    def add(self, short_id: str, click: Click) -> None:
        """Keep `click`, unless a click with its counter and number is kept already (a
        record Lambda delivered twice)."""
        if self.is_full():
            raise OverflowError("the window's state is full: write it first")
        counters = self._runs.setdefault(click.day.isoformat(), {})
        runs = counters.setdefault(_counter_key(short_id, click.counter), [])
        run = _run_taking(runs, click.number)
        if run is None:
            return
        run.clicks += _CLICK.pack(
            _interned(click.referrer, self._referrers, self._referrer_index),
            _interned(
                (click.country, click.device, click.browser, click.os),
                self._profiles,
                self._profile_index,
            ),
            NO_VISITOR if click.visitor is None else click.visitor,
        )

    def __len__(self) -> int:
        return sum(
            len(run.clicks) // _CLICK.size
            for counters in self._runs.values()
            for runs in counters.values()
            for run in runs
        )

    def by_link_and_day(self) -> Iterator[tuple[str, date, list[Click]]]:
        """Each link's clicks on each day, from all its counters."""
        for day_text, counters in self._runs.items():
            day = date.fromisoformat(day_text)
            links: dict[str, list[Click]] = {}
            for key, runs in counters.items():
                short_id, counter = _link_and_counter(key)
                links.setdefault(short_id, []).extend(
                    click for run in runs for click in self._clicks(run, day, counter)
                )
            for short_id, clicks in links.items():
                yield short_id, day, clicks

    def _clicks(self, run: _Run, day: date, counter: int) -> Iterator[Click]:
        for offset, (referrer, profile, visitor) in enumerate(_CLICK.iter_unpack(run.clicks)):
            country, device, browser, os = self._profiles[profile]
            yield Click(
                number=run.first + offset,
                day=day,
                referrer=self._referrers[referrer],
                country=country,
                device=device,
                browser=browser,
                os=os,
                visitor=None if visitor == NO_VISITOR else visitor,
                counter=counter,
            )

    def to_state(self) -> dict[str, Any]:
        """JSON-ready; {} when it holds no click."""
        if not self._runs:
            return {}
        return {
            "referrers": self._referrers,
            "profiles": self._profiles,
            "days": {
                day: {
                    key: [
                        field
                        for run in runs
                        for field in (run.first, base64.b64encode(run.clicks).decode("ascii"))
                    ]
                    for key, runs in counters.items()
                }
                for day, counters in self._runs.items()
            },
        }

    @classmethod
    def from_state(cls, state: dict[str, Any] | None) -> PendingClicks:
        pending = cls()
        if not state:
            return pending
        pending._referrers = list(state["referrers"])
        pending._referrer_index = {value: index for index, value in enumerate(pending._referrers)}
        pending._profiles = [(c, d, b, o) for c, d, b, o in state["profiles"]]
        pending._profile_index = {value: index for index, value in enumerate(pending._profiles)}
        pending._runs = {
            day: {
                key: [
                    _Run(first, base64.b64decode(packed))
                    for first, packed in zip(fields[::2], fields[1::2], strict=True)
                ]
                for key, fields in counters.items()
            }
            for day, counters in state["days"].items()
        }
        return pending


def _counter_key(short_id: str, counter: int) -> str:
    # A link's own counter keeps the bare short id: a state written before click shards
    # existed reads the same.
    return short_id if counter == 0 else f"{short_id}#{counter}"


def _link_and_counter(key: str) -> tuple[str, int]:
    short_id, _, counter = key.partition("#")
    return short_id, int(counter) if counter else 0


def _run_taking(runs: list[_Run], number: int) -> _Run | None:
    """The run the click numbered `number` goes at the end of (a new one if none), or None
    if a run holds that number already."""
    if any(number in run for run in runs):
        return None
    # Usually one run, the link's clicks in order; a record delivered again out of order
    # may start another.
    for run in runs:
        if run.end == number:
            return run
    runs.append(_Run(number))
    return runs[-1]


def _interned(value: _Value, values: list[_Value], index: dict[_Value, int]) -> int:
    position = index.get(value)
    if position is None:
        position = index[value] = len(values)
        values.append(value)
    return position
