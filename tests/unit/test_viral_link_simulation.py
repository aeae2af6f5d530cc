"""A link clicked 10,000 times a second, at DynamoDB's full ratio, in simulated time.

DynamoDB serves one item at most 1,000 writes a second; here every item of the store
(the link's, each click shard's) has that budget, a token bucket holding one second of
it, and a write over budget is refused, as DynamoDB refuses it, without being applied.
Sixty execution environments, each with its own HotLinks and nothing shared, run the
domain's real redirect (follow_link) for a campaign: 10,000 clicks a second for ten
seconds on one link, then 10 a second for a minute, while an ordinary link gets 10 a
second throughout. Nothing sleeps: the clock is the simulation's.

A request costs LATENCY; a throttled one costs what botocore's retry would (its backoff
averages half a second): so "p99 within 1.5x of an idle link" reads "the 99th
percentile click made no more requests than an idle link's, and none was throttled".
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

from domain.errors import ItemThrottled
from domain.hot_links import CLICK_SHARDS, ITEM_WRITES_PER_SECOND, HotLinks
from domain.links import Link
from domain.lookup import follow_link
from tests.unit.fakes import FakeLinkRepository

START = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
LATENCY = 0.005  # a DynamoDB request
THROTTLED = 0.5  # a throttled attempt: botocore's retry backoff, on average
ENVIRONMENTS = 60


@dataclass
class Bucket:
    tokens: float
    at: float


@dataclass
class ThrottlingStore(FakeLinkRepository):
    """The fake repository, with DynamoDB's per-item write limit in simulated time."""

    clock: list[float] = field(default_factory=lambda: [0.0])
    limit: float = ITEM_WRITES_PER_SECOND
    buckets: dict[tuple[str, int], Bucket] = field(default_factory=dict)
    refused: Counter[tuple[str, int]] = field(default_factory=Counter)
    requests: int = 0
    writes_by_second: Counter[tuple[tuple[str, int], int]] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        super().__init__()

    def _write(self, item: tuple[str, int], units: float = 1) -> None:
        self.requests += 1
        now = self.clock[0]
        bucket = self.buckets.setdefault(item, Bucket(self.limit, now))
        bucket.tokens = min(self.limit, bucket.tokens + (now - bucket.at) * self.limit)
        bucket.at = now
        if bucket.tokens < units:
            self.refused[item] += 1
            raise ItemThrottled("a write over the item's budget")
        bucket.tokens -= units
        self.writes_by_second[item, int(now)] += 1

    def record_click(self, short_id, at, click=None):
        self._write((short_id, 0))
        return super().record_click(short_id, at, click)

    def record_shard_click(self, short_id, shard, at, click=None):
        if 1 <= shard <= self.get(short_id).shards:
            self._write((short_id, shard))
        return super().record_shard_click(short_id, shard, at, click)

    def spread_clicks(self, link, shards):
        self._write((link.short_id, 0), units=2)  # a transaction writes twice
        return super().spread_clicks(link, shards)

    def get(self, short_id):
        return super().get(short_id)


@dataclass
class Run:
    store: ThrottlingStore
    latencies: dict[str, list[float]]
    failures: int
    sent: Counter[str]
    own_item_clicks: list[int]  # the hot link's own item's clicks, after each phase


def simulate(phases: list[tuple[float, int, int]]) -> Run:
    """phases: (seconds, clicks a second on the hot link, on the ordinary one)."""
    store = ThrottlingStore()
    store.add(Link("viral01", "https://example.com/campaign", START))
    store.add(Link("quiet01", "https://example.com/quiet", START))
    chooser = random.Random(20261203)  # noqa: S311 (a simulation)
    environments = [
        HotLinks(clock=lambda: store.clock[0], chooser=random.Random(n))  # noqa: S311
        for n in range(ENVIRONMENTS)
    ]
    latencies: dict[str, list[float]] = {"viral01": [], "quiet01": []}
    sent: Counter[str] = Counter()
    failures = 0
    elapsed = 0.0
    own_item_clicks = []
    for seconds, hot_rate, quiet_rate in phases:
        arrivals = sorted(
            [
                (elapsed + chooser.random() * seconds, "viral01")
                for _ in range(int(hot_rate * seconds))
            ]
            + [
                (elapsed + chooser.random() * seconds, "quiet01")
                for _ in range(int(quiet_rate * seconds))
            ]
        )
        for at, short_id in arrivals:
            store.clock[0] = at
            environment = chooser.choice(environments)
            requests, refused = store.requests, sum(store.refused.values())
            sent[short_id] += 1
            try:
                follow_link(
                    short_id,
                    count_click=True,
                    repository=store,
                    clock=partial(moment, at),
                    hot_links=environment,
                )
            except ItemThrottled:
                failures += 1
            throttled = sum(store.refused.values()) - refused
            made = store.requests - requests
            latencies[short_id].append((made - throttled) * LATENCY + throttled * THROTTLED)
        elapsed += seconds
        own_item_clicks.append(store.get("viral01").clicks)
    return Run(store, latencies, failures, sent, own_item_clicks)


def moment(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def p99(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.99)]


def test_ten_thousand_clicks_a_second_on_one_link_all_redirect_and_all_count():
    run = simulate([(10, 10_000, 10), (60, 10, 10)])
    store = run.store
    viral = store.get("viral01")

    assert run.failures == 0  # no click answered 503
    assert store.total_clicks(viral) == run.sent["viral01"] == 100_600
    assert store.total_clicks(store.get("quiet01")) == run.sent["quiet01"]
    assert viral.shards == CLICK_SHARDS
    # Once spread, each shard runs near half of what DynamoDB allows an item.
    shard_peak = max(n for (item, _), n in store.writes_by_second.items() if item[1])
    assert shard_peak <= ITEM_WRITES_PER_SECOND * 0.7  # 10,000 / 20 = 500 on average
    # The hot link's 99th percentile is an idle link's: one request, never throttled.
    assert p99(run.latencies["viral01"]) <= 1.5 * p99(run.latencies["quiet01"])
    assert sum(store.refused.values()) <= 0.001 * run.sent["viral01"]


def test_once_the_campaign_is_over_its_clicks_go_back_to_the_links_own_item():
    run = simulate([(3, 10_000, 0), (120, 10, 0), (60, 10, 0)])

    # Within two minutes at 10 a second every environment has seen the link cool; the
    # last minute's clicks all went to the link's own item.
    assert run.own_item_clicks[2] - run.own_item_clicks[1] == 600
    assert run.failures == 0
    assert run.store.total_clicks(run.store.get("viral01")) == 31_800


def test_a_sudden_step_to_ten_times_the_limit_is_absorbed_without_a_failure():
    # From nothing to 10,000 a second at once: the item's one second of burst carries
    # the link until an environment has seen two of its clicks and spread it.
    run = simulate([(3, 10_000, 10)])

    assert run.failures == 0
    assert run.store.total_clicks(run.store.get("viral01")) == 30_000
    assert p99(run.latencies["viral01"]) <= 1.5 * p99(run.latencies["quiet01"])
