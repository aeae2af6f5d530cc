"""Which links are hot, from what one environment's clicks see (domain/hot_links.py)."""

from __future__ import annotations

import random

from domain.hot_links import CLICK_SHARDS, REMEMBERED_LINKS, HotLinks


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def hot_links(clock: Clock, limit: int = 1_000) -> HotLinks:
    return HotLinks(limit, clock=clock, chooser=random.Random(7))  # noqa: S311


def test_a_link_clicked_past_a_quarter_of_the_item_limit_is_hot_from_its_counter():
    clock = Clock()
    links = hot_links(clock)
    links.observe("abc", counter=0, number=100, shards=0)
    clock.now += 0.1
    links.observe("abc", counter=0, number=124, shards=0)  # 240 a second: not yet
    assert not links.needs_spreading("abc")

    clock.now += 0.1
    links.observe("abc", counter=0, number=150, shards=0)  # 260 a second

    assert links.needs_spreading("abc")
    assert links.shard_for("abc") is None  # no shards until they are made


def test_clicks_closer_than_the_shortest_sample_wait_for_more():
    clock = Clock()
    links = hot_links(clock)
    links.observe("abc", counter=0, number=1, shards=0)
    clock.now += 0.001
    links.observe("abc", counter=0, number=3, shards=0)  # 2,000 a second over 1 ms

    assert not links.needs_spreading("abc")


def test_a_hot_links_clicks_go_to_every_shard_once_spread():
    clock = Clock()
    links = hot_links(clock)
    links.throttled("abc")
    links.spread("abc", CLICK_SHARDS)

    chosen = {links.shard_for("abc") for _ in range(1_000)}

    assert chosen == set(range(1, CLICK_SHARDS + 1))
    assert links.shard_for("other") is None


def test_a_shards_rate_times_the_shards_is_the_links_and_it_cools_down():
    clock = Clock()
    links = hot_links(clock)
    links.throttled("abc")
    links.observe("abc", counter=3, number=10, shards=CLICK_SHARDS)
    clock.now += 1
    links.observe("abc", counter=3, number=16, shards=CLICK_SHARDS)  # 6 x 20 = 120/s
    assert links.shard_for("abc") is not None  # between cool (100) and hot (250): stays

    clock.now += 1
    links.observe("abc", counter=3, number=20, shards=CLICK_SHARDS)  # 4 x 20 = 80/s

    assert links.shard_for("abc") is None


def test_an_environment_frozen_for_hours_finds_the_link_cooled_on_its_next_click():
    clock = Clock()
    links = hot_links(clock)
    links.throttled("abc")
    links.spread("abc", CLICK_SHARDS)
    links.observe("abc", counter=5, number=40_000, shards=CLICK_SHARDS)
    clock.now += 6 * 3600  # frozen; meanwhile the campaign ended

    assert links.shard_for("abc") is not None  # its one click goes to a shard: right anyway
    links.observe("abc", counter=5, number=41_000, shards=CLICK_SHARDS)

    assert links.shard_for("abc") is None


def test_a_failed_spread_is_tried_again_after_a_second_not_on_every_click():
    clock = Clock()
    links = hot_links(clock)
    links.throttled("abc")
    links.spread("abc", 0)  # the try failed

    assert not links.needs_spreading("abc")
    clock.now += 1
    assert links.needs_spreading("abc")


def test_the_limit_scales_the_thresholds():
    clock = Clock()
    links = hot_links(clock, limit=50)
    links.observe("abc", counter=0, number=0, shards=0)
    clock.now += 1
    links.observe("abc", counter=0, number=13, shards=0)  # 13 >= 50 / 4

    assert links.needs_spreading("abc")


def test_an_environment_remembers_a_bounded_number_of_links():
    clock = Clock()
    links = hot_links(clock)
    links.throttled("first")
    for n in range(REMEMBERED_LINKS):
        links.observe(f"l{n}", counter=0, number=1, shards=0)

    assert not links.needs_spreading("first")  # forgotten, the least recently clicked


def test_a_link_not_clicked_here_for_a_minute_has_cooled_whatever_shard_comes_next():
    clock = Clock()
    links = hot_links(clock)
    links.throttled("abc")
    links.spread("abc", CLICK_SHARDS)
    links.observe("abc", counter=3, number=500, shards=CLICK_SHARDS)
    clock.now += 59
    links.observe("abc", counter=7, number=9_000, shards=CLICK_SHARDS)  # a shard not seen
    assert links.shard_for("abc") is not None  # 59 s: still hot

    clock.now += 60
    links.observe("abc", counter=11, number=9_100, shards=CLICK_SHARDS)  # nor this one

    assert links.shard_for("abc") is None
