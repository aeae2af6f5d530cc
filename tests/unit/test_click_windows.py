"""A tumbling window's state: every click kept once, in a few bytes, through JSON."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from domain import click_windows
from domain.click_stats import Click
from domain.click_windows import PendingClicks

DAY = date(2026, 12, 3)


def click(number: int, referrer: str = "t.co", **changes: object) -> Click:
    base = Click(number, DAY, referrer, "DE", "mobile", "Chrome Mobile", "Android", number % 500)
    return replace(base, **changes)  # type: ignore[arg-type]


def through_json(pending: PendingClicks) -> PendingClicks:
    return PendingClicks.from_state(json.loads(json.dumps(pending.to_state())))


def held(pending: PendingClicks) -> dict[tuple[str, date], list[Click]]:
    return {
        (short_id, day): sorted(clicks, key=lambda c: (c.counter, c.number))
        for short_id, day, clicks in pending.by_link_and_day()
    }


def test_every_click_comes_back_from_json_as_it_was_added():
    clicks = {
        ("abc", DAY): [
            click(1),
            click(2, "(direct)", visitor=None),
            click(3, country="unknown", device="tablet", browser="Safari", os="iOS"),
        ],
        ("xyz", date(2026, 12, 2)): [click(41, "news.ycombinator.com", day=date(2026, 12, 2))],
    }
    pending = PendingClicks()
    for (short_id, _), link_clicks in clicks.items():
        for each in link_clicks:
            pending.add(short_id, each)

    restored = through_json(pending)

    assert held(restored) == clicks
    assert len(restored) == 4


def test_a_click_number_seen_before_is_kept_once_whatever_the_order():
    pending = PendingClicks()
    # First delivery in order; then, as Lambda may after an error, the same records
    # again, out of order, some across an invocation (through JSON).
    for number in (5, 6, 7):
        pending.add("abc", click(number))
    pending = through_json(pending)
    for number in (1, 2, 6, 3, 4, 5, 7, 8, 2):
        pending.add("abc", click(number))

    assert [c.number for c in held(pending)["abc", DAY]] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert len(through_json(pending)) == 8


def test_a_links_counters_are_kept_apart_and_come_back_as_one_day_of_the_link():
    # Its item (counter 0) and two click shards, each numbering from 1: the same number
    # on two counters is two clicks.
    clicks = [
        click(n, ("t.co", "(direct)")[counter % 2], counter=counter)
        for counter in (0, 1, 2)
        for n in (1, 2, 3)
    ]
    pending = PendingClicks()
    for each in clicks:
        pending.add("abc", each)
    pending.add("xyz", click(2, counter=1))
    pending.add("abc", click(1, counter=1, day=date(2026, 12, 4)))

    restored = through_json(pending)

    assert held(restored) == {
        ("abc", DAY): clicks,
        ("xyz", DAY): [click(2, counter=1)],
        ("abc", date(2026, 12, 4)): [click(1, counter=1, day=date(2026, 12, 4))],
    }
    assert len(restored) == 11
    assert sorted(restored.to_state()["days"][DAY.isoformat()]) == [
        "abc",
        "abc#1",
        "abc#2",
        "xyz#1",
    ]


def test_a_click_seen_before_on_its_counter_is_kept_once_whatever_the_order():
    pending = PendingClicks()
    for counter, number in ((0, 5), (2, 1), (0, 6), (2, 2)):
        pending.add("abc", click(number, counter=counter))
    pending = through_json(pending)  # the next invocation of the window
    replayed = [(2, 2), (1, 1), (0, 5), (2, 1), (1, 2), (0, 7), (1, 1), (2, 3), (0, 6)]
    for counter, number in replayed:
        pending.add("abc", click(number, counter=counter))

    kept = [(c.counter, c.number) for c in held(through_json(pending))["abc", DAY]]
    assert kept == [(0, 5), (0, 6), (0, 7), (1, 1), (1, 2), (2, 1), (2, 2), (2, 3)]


def test_a_state_written_before_click_shards_reads_as_the_link_items_clicks():
    # A window in flight when the aggregator is deployed: clicks 1 and 2 of link abc.
    state = {
        "referrers": ["t.co"],
        "profiles": [["DE", "mobile", "Chrome Mobile", "Android"]],
        "days": {DAY.isoformat(): {"abc": [1, "AAAAAAABAAAAAAAC"]}},
    }

    assert held(PendingClicks.from_state(state)) == {("abc", DAY): [click(1), click(2)]}


def test_a_gap_in_the_numbers_starts_a_run_that_survives_json():
    pending = PendingClicks()
    for number in (10, 11, 20, 21, 12):  # 13..19 went to a record the filter dropped
        pending.add("abc", click(number))

    assert [c.number for c in held(through_json(pending))["abc", DAY]] == [10, 11, 12, 20, 21]


def test_a_click_costs_eight_characters_of_state_once_its_values_are_known():
    def state_bytes(clicks: int) -> int:
        pending = PendingClicks()
        for number in range(1, clicks + 1):
            pending.add("abc", click(number, referrer=("t.co", "(direct)")[number % 2]))
        return len(json.dumps(pending.to_state()))

    # 6 bytes a click, in base64 (both referrers are known after 2 clicks).
    assert state_bytes(10_002) - state_bytes(2) == 80_000


def test_an_empty_window_has_an_empty_state():
    assert PendingClicks().to_state() == {}
    assert len(PendingClicks.from_state({})) == 0
    assert len(PendingClicks.from_state(None)) == 0


def test_a_state_whose_referrers_fill_their_index_takes_no_more(monkeypatch):
    monkeypatch.setattr(click_windows, "_TABLE_SIZE", 3)
    pending = PendingClicks()
    for number, referrer in enumerate(("a.example", "b.example", "a.example"), start=1):
        pending.add("abc", click(number, referrer))
    assert not pending.is_full()

    pending.add("abc", click(4, "c.example"))

    assert pending.is_full()
    with pytest.raises(OverflowError):
        pending.add("abc", click(5, "a.example"))
    assert len(pending) == 4
