"""A link's clicks per day, and the report its owner reads.

Exactness rests on one fact: every counted click is one UpdateItem that adds 1 to a
counter and returns the new value. A link's clicks are counted by its own item (counter
0) and, while it is hot, by its click shards (counter k, k >= 1), each with numbers of
its own: 1, 2, 3, ..., unique within that counter and increasing in time. The aggregator
stores, with each link's day, the highest number it has applied for each counter
(`applied_through`) and applies a click only if its number is higher than its own
counter's. Stream records for one item arrive in order the first time; a retried batch,
a replayed window or a record delivered twice brings numbers already applied, which
change nothing. One watermark per counter, not one per link: numbers of different
counters say nothing about each other, and a link's items may sit in different stream
shards, written by different aggregators in any order. So every click is counted once,
and each day's breakdowns sum to its clicks (docs/architecture.md, "Click analytics").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from domain.errors import InvalidInput
from domain.visitors import VisitorSketch, is_digest

if TYPE_CHECKING:
    from domain.click_facts import ClickFacts
    from domain.user_agents import UserAgentClass

OTHER = "(other)"
UNKNOWN_COUNTRY = "unknown"
TOP = 20
MAX_VALUES_PER_DAY = 30
"""Distinct values one day keeps per breakdown; later ones that day count as OTHER.
Keeps a day's item about 1 KB (one write unit) even for a link shared everywhere;
the report shows the top 20 anyway."""
MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30


@dataclass(frozen=True, slots=True)
class Click:
    """One counted click, as the aggregator classifies it."""

    number: int  # its counter's count right after this click
    day: date  # UTC
    referrer: str
    country: str
    device: str
    browser: str
    os: str
    visitor: int | None  # its 15-bit digest, if the redirect had the day's key
    counter: int = 0  # who numbered it: 0 the link's item, k >= 1 its click shard k


def classified_click(
    number: int,
    at: datetime,
    facts: ClickFacts,
    classify: Callable[[str], UserAgentClass],
    counter: int = 0,
) -> Click:
    """A click as the redirect recorded it, with its User-Agent sorted by `classify`
    (domain/user_agents.py; passed in, so that reading reports never loads the parser)."""
    agent = classify(facts.user_agent)
    return Click(
        number=number,
        day=at.astimezone(UTC).date(),
        referrer=facts.referrer,
        country=facts.country or UNKNOWN_COUNTRY,
        device=agent.device,
        browser=agent.browser,
        os=agent.os,
        visitor=facts.visitor if facts.visitor is not None and is_digest(facts.visitor) else None,
        counter=counter,
    )


BREAKDOWNS = ("referrers", "countries", "devices", "browsers", "os")


@dataclass(frozen=True, slots=True)
class DayStats:
    """One link's clicks on one UTC day."""

    short_id: str
    day: date
    clicks: int = 0
    # counter -> the highest of its click numbers counted here (none yet: absent)
    applied_through: Mapping[int, int] = field(default_factory=dict)
    referrers: Mapping[str, int] = field(default_factory=dict)
    countries: Mapping[str, int] = field(default_factory=dict)
    devices: Mapping[str, int] = field(default_factory=dict)
    browsers: Mapping[str, int] = field(default_factory=dict)
    os: Mapping[str, int] = field(default_factory=dict)
    visitors: VisitorSketch = field(default_factory=VisitorSketch)

    def with_clicks(self, clicks: Iterable[Click]) -> DayStats | None:
        """These stats with the clicks not counted yet; None if every one already is."""
        fresh = {
            (click.counter, click.number): click
            for click in clicks
            if click.number > self.applied_through.get(click.counter, 0)
        }
        if not fresh:
            return None
        unique = [fresh[key] for key in sorted(fresh)]  # a click given twice counts once
        applied_through = dict(self.applied_through)
        for counter, number in fresh:
            applied_through[counter] = max(applied_through.get(counter, 0), number)
        return replace(
            self,
            clicks=self.clicks + len(unique),
            applied_through=applied_through,
            referrers=_counted(self.referrers, (click.referrer for click in unique)),
            countries=_counted(self.countries, (click.country for click in unique)),
            devices=_counted(self.devices, (click.device for click in unique)),
            browsers=_counted(self.browsers, (click.browser for click in unique)),
            os=_counted(self.os, (click.os for click in unique)),
            visitors=self.visitors.merged(
                click.visitor for click in unique if click.visitor is not None
            ),
        )


def _counted(counts: Mapping[str, int], values: Iterable[str]) -> dict[str, int]:
    result = dict(counts)
    for value in values:
        key = value if value in result or len(result) < MAX_VALUES_PER_DAY else OTHER
        result[key] = result.get(key, 0) + 1
    return result


@dataclass(frozen=True, slots=True)
class DayFigures:
    day: date
    clicks: int
    visitors: int


@dataclass(frozen=True, slots=True)
class StatsReport:
    short_id: str
    first: date
    last: date
    clicks: int
    visitors: int
    days: list[DayFigures]
    # Each: (value, clicks), most clicks first, the rest past the top 20 as OTHER.
    breakdowns: dict[str, list[tuple[str, int]]]


def stats_report(short_id: str, first: date, last: date, days: Iterable[DayStats]) -> StatsReport:
    """The report for first..last (inclusive) from the days that had clicks."""
    by_day = {stats.day: stats for stats in days if first <= stats.day <= last}
    figures = [
        DayFigures(
            day=day,
            clicks=by_day[day].clicks if day in by_day else 0,
            visitors=by_day[day].visitors.estimate() if day in by_day else 0,
        )
        for day in _days(first, last)
    ]
    totals: dict[str, Counter[str]] = {name: Counter() for name in BREAKDOWNS}
    for stats in by_day.values():
        for name in BREAKDOWNS:
            totals[name].update(getattr(stats, name))
    return StatsReport(
        short_id=short_id,
        first=first,
        last=last,
        clicks=sum(figure.clicks for figure in figures),
        visitors=sum(figure.visitors for figure in figures),
        days=figures,
        breakdowns={name: top_values(counts) for name, counts in totals.items()},
    )


def top_values(counts: Mapping[str, int], limit: int = TOP) -> list[tuple[str, int]]:
    """Most clicks first (ties by value, so the order is stable); past `limit`, one OTHER
    entry with the rest, merged with the days' own OTHER."""
    ranked = sorted(
        ((value, clicks) for value, clicks in counts.items() if value != OTHER and clicks),
        key=lambda entry: (-entry[1], entry[0]),
    )
    rest = sum(clicks for _, clicks in ranked[limit:]) + counts.get(OTHER, 0)
    return ranked[:limit] + ([(OTHER, rest)] if rest else [])


def stats_range(first: str | None, last: str | None, today: date) -> tuple[date, date]:
    """The UTC days a report covers: both given as YYYY-MM-DD, or by default the 30
    days ending today. Raises InvalidInput for a malformed or reversed range, or one
    longer than 366 days."""
    end = _day("to", last) if last else today
    # Near date.min the default range is shorter: no date comes before 0001-01-01.
    default_span = min(timedelta(days=DEFAULT_RANGE_DAYS - 1), end - date.min)
    start = _day("from", first) if first else end - default_span
    if start > end:
        raise InvalidInput("from", "must not be after `to`")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput("to", f"must be at most {MAX_RANGE_DAYS} days after `from`")
    return start, end


_YYYY_MM_DD = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day(name: str, text: str) -> date:
    # The one form the API names: date.fromisoformat alone also takes ISO week dates
    # (2026-W01-1) and the basic format (20260101).
    try:
        if not _YYYY_MM_DD.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(name, "must be a date as YYYY-MM-DD") from None


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
