"""Per-day stats: every click counted once, whatever the stream delivers twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from domain.click_facts import ClickFacts
from domain.click_stats import (
    MAX_VALUES_PER_DAY,
    OTHER,
    UNKNOWN_COUNTRY,
    Click,
    DayStats,
    classified_click,
    stats_range,
    stats_report,
    top_values,
)
from domain.errors import InvalidInput
from domain.user_agents import UserAgentClass

DAY = date(2026, 12, 3)


def click(number: int, referrer: str = "t.co", **changes: object) -> Click:
    base = Click(
        number=number,
        day=DAY,
        referrer=referrer,
        country="DE",
        device="mobile",
        browser="Chrome Mobile",
        os="Android",
        visitor=64 * (number % 512) + 1,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def totals(stats: DayStats) -> list[int]:
    return [
        sum(getattr(stats, name).values())
        for name in ("referrers", "countries", "devices", "browsers", "os")
    ]


def test_clicks_are_counted_and_every_breakdown_sums_to_them():
    stats = DayStats("abc", DAY).with_clicks([click(1), click(2, "(direct)"), click(3)])

    assert stats is not None
    assert stats.clicks == 3
    assert stats.applied_through == {0: 3}
    assert stats.referrers == {"t.co": 2, "(direct)": 1}
    assert totals(stats) == [3] * 5
    assert stats.visitors.estimate() == 3


def test_a_click_already_counted_changes_nothing():
    stats = DayStats("abc", DAY).with_clicks([click(n) for n in range(1, 11)])
    assert stats is not None

    assert stats.with_clicks([click(n) for n in range(1, 11)]) is None
    assert stats.with_clicks([click(5), click(10)]) is None


def test_a_replay_that_reaches_past_what_is_counted_adds_only_the_rest():
    stats = DayStats("abc", DAY).with_clicks([click(n) for n in range(1, 6)])
    assert stats is not None

    again = stats.with_clicks([click(n) for n in range(3, 9)])  # 3..5 counted, 6..8 new

    assert again is not None
    assert again.clicks == 8
    assert again.applied_through == {0: 8}


def test_a_click_given_twice_in_one_batch_counts_once_and_order_does_not_matter():
    stats = DayStats("abc", DAY).with_clicks([click(3), click(1), click(2), click(3)])

    assert stats is not None
    assert stats.clicks == 3
    assert stats.applied_through == {0: 3}


# --- a hot link: its item (counter 0) and its click shards (1, 2, ...) number their own --


def test_each_counter_numbers_its_own_clicks_and_all_of_them_count():
    clicks = [click(n, counter=counter) for counter in (0, 1, 2) for n in (1, 2, 3)]

    stats = DayStats("abc", DAY).with_clicks(clicks)

    assert stats is not None
    assert stats.clicks == 9
    assert stats.applied_through == {0: 3, 1: 3, 2: 3}
    assert totals(stats) == [9] * 5


def test_a_counter_behind_another_still_counts_its_clicks():
    # Shard 2's aggregator wrote first; the link item's clicks, lower numbers, come after.
    stats = DayStats("abc", DAY).with_clicks([click(n, counter=2) for n in range(1, 41)])
    assert stats is not None

    later = stats.with_clicks([click(n, counter=0) for n in range(1, 4)])

    assert later is not None
    assert later.clicks == 43
    assert later.applied_through == {0: 3, 2: 40}


def test_a_replay_of_several_counters_out_of_order_adds_only_what_is_new():
    window = [click(n, counter=counter) for n in range(1, 6) for counter in (0, 1, 2)]
    stats = DayStats("abc", DAY).with_clicks(reversed(window[:9]))  # 1..3 of each counter
    assert stats is not None
    assert stats.applied_through == {0: 3, 1: 3, 2: 3}

    again = stats.with_clicks(reversed(window))  # replayed whole, out of order

    assert again is not None
    assert again.clicks == 15
    assert again.applied_through == {0: 5, 1: 5, 2: 5}
    assert totals(again) == [15] * 5
    assert again.with_clicks(window) is None
    # The next window: shard 1 moved on, the rest comes again.
    last = again.with_clicks([click(6, counter=1), *window])
    assert last is not None
    assert (last.clicks, last.applied_through) == (16, {0: 5, 1: 6, 2: 5})


def test_one_number_on_two_counters_is_two_clicks_and_given_twice_is_still_two():
    stats = DayStats("abc", DAY).with_clicks(
        [click(7, counter=1), click(7), click(7, counter=1), click(7)]
    )

    assert stats is not None
    assert stats.clicks == 2
    assert stats.applied_through == {0: 7, 1: 7}


def test_past_its_cap_a_day_counts_new_values_as_other_and_still_sums():
    clicks = [click(n, f"site{n}.example") for n in range(1, MAX_VALUES_PER_DAY + 11)]

    stats = DayStats("abc", DAY).with_clicks(clicks)

    assert stats is not None
    assert len(stats.referrers) == MAX_VALUES_PER_DAY + 1
    assert stats.referrers[OTHER] == 10
    assert totals(stats) == [MAX_VALUES_PER_DAY + 10] * 5


def test_a_report_fills_every_day_and_sums_the_breakdowns():
    first = DayStats("abc", date(2026, 12, 1)).with_clicks([click(1, day=date(2026, 12, 1))])
    third = DayStats("abc", DAY).with_clicks([click(2), click(3, "(direct)")])
    assert first is not None
    assert third is not None

    report = stats_report("abc", date(2026, 11, 30), DAY, [first, third])

    assert [(f.day.day, f.clicks) for f in report.days] == [(30, 0), (1, 1), (2, 0), (3, 2)]
    assert report.clicks == 3
    assert report.breakdowns["referrers"] == [("t.co", 2), ("(direct)", 1)]
    assert report.visitors == sum(f.visitors for f in report.days) == 3
    for entries in report.breakdowns.values():
        assert sum(clicks for _, clicks in entries) == report.clicks


def test_days_outside_the_range_are_left_out():
    stats = DayStats("abc", DAY).with_clicks([click(1)])
    assert stats is not None

    assert stats_report("abc", date(2026, 12, 4), date(2026, 12, 5), [stats]).clicks == 0


def test_the_top_20_then_the_rest_as_other():
    counts = {f"v{n:02}": 100 - n for n in range(25)} | {OTHER: 7}

    top = top_values(counts)

    assert len(top) == 21
    assert top[0] == ("v00", 100)
    assert top[19] == ("v19", 81)
    assert top[20] == (OTHER, sum(100 - n for n in range(20, 25)) + 7)


def test_ties_are_ordered_by_value_so_answers_are_stable():
    assert top_values({"b": 1, "a": 1, "c": 2}) == [("c", 2), ("a", 1), ("b", 1)]


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (None, None, (date(2026, 11, 4), DAY)),
        ("2026-12-01", None, (date(2026, 12, 1), DAY)),
        (None, "2026-06-30", (date(2026, 6, 1), date(2026, 6, 30))),
        ("2025-12-03", "2026-12-03", (date(2025, 12, 3), DAY)),  # 366 days
        ("2026-12-03", "2026-12-03", (DAY, DAY)),
        # No date before 0001-01-01: the default range is shorter there, not a crash.
        (None, "0001-01-10", (date(1, 1, 1), date(1, 1, 10))),
    ],
)
def test_a_range_defaults_to_the_30_days_ending_today(first, last, expected):
    assert stats_range(first, last, today=DAY) == expected


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        ("2026-12-04", "2026-12-03", "from"),
        ("2025-12-02", "2026-12-03", "to"),  # 367 days
        ("2026-13-01", None, "from"),
        ("2026-1-1", None, "from"),
        (None, "yesterday", "to"),
        ("2026-12-01T00:00", None, "from"),
        ("2026-W49-4", None, "from"),  # an ISO week date, which fromisoformat takes
        (None, "20261203", "to"),  # the basic format, likewise
    ],
)
def test_a_bad_range_names_its_field(first, last, field):
    with pytest.raises(InvalidInput) as refused:
        stats_range(first, last, today=DAY)
    assert refused.value.field == field


def test_a_recorded_click_is_classified_on_its_utc_day():
    facts = ClickFacts(referrer="t.co", country=None, user_agent="UA", visitor=65)
    late = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)

    recorded = classified_click(
        7, late, facts, lambda ua: UserAgentClass("desktop", "Firefox", "Linux"), counter=4
    )

    assert recorded == Click(
        7, DAY, "t.co", UNKNOWN_COUNTRY, "desktop", "Firefox", "Linux", 65, counter=4
    )
