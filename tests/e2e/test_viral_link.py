"""A link that goes viral keeps redirecting and counts every click (issue 13), through
the local stack: several execution environments, their DynamoDB behind a model that
refuses any item written faster than 10 a second (DynamoDB's 1,000, scaled to what two
cores can drive beside the rest of the suite), one link clicked at ten times that for
15 s, and ten ordinary links each at a fifth of it beside it (bench/viral_link.py
drives and measures them)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.viral_link import Load, ViralRun, creator, run_viral_link, throttling_endpoint
from tests.dynamodb_servers import dynamodb_local_or_skip
from tests.e2e.conftest import UNLIMITED, start_local_stack, stop

LOAD = Load(item_write_limit=10, hot_per_second=100, cold_links=10, cold_per_second=2, seconds=15)
ENVIRONMENTS = 4


@pytest.fixture(scope="module")
def viral_run(tmp_path_factory) -> Iterator[ViralRun]:
    dynamodb_local_or_skip()
    process, stack = start_local_stack(
        "local",
        tmp_path_factory.mktemp("viral"),
        {**UNLIMITED},
        concurrency=ENVIRONMENTS,
        arguments=(
            "--item-write-limit",
            str(LOAD.item_write_limit),
            "--parameter-overrides",
            "ClickStatsWindowSeconds=1",
        ),
    )
    try:
        yield run_viral_link(
            stack.base_url, throttling_endpoint(stack.output), creator(stack.base_url), LOAD
        )
    finally:
        stop(process)


def test_every_click_of_the_viral_link_redirects_and_counts(viral_run):
    hot = viral_run.hot

    assert hot.sent == LOAD.hot_per_second * LOAD.seconds
    assert hot.server_errors == 0
    assert hot.redirected == hot.sent
    assert hot.counted == hot.sent
    assert hot.in_analytics == hot.sent


def test_its_clicks_went_past_the_items_limit_by_spreading(viral_run):
    # Ten times the limit got through: the link's own item took at most its limit, and
    # the rest went to click shards, none past the limit either.
    limit_over_the_run = LOAD.item_write_limit * (viral_run.seconds + 1)
    assert viral_run.hot_item_writes <= limit_over_the_run
    assert len(viral_run.shard_writes) == 20
    assert max(viral_run.shard_writes) <= limit_over_the_run
    assert viral_run.hot_item_writes + sum(viral_run.shard_writes) >= viral_run.hot.sent


def test_the_viral_links_latency_stays_near_an_ordinary_links(viral_run):
    assert viral_run.cold.server_errors == 0
    assert viral_run.cold.counted == viral_run.cold.in_analytics == viral_run.cold.sent
    assert viral_run.latency_ratio_p99 <= 1.5, (
        f"p99 {viral_run.hot.percentile(0.99) * 1000:.1f} ms (viral) against"
        f" {viral_run.cold.percentile(0.99) * 1000:.1f} ms (ordinary)"
    )
