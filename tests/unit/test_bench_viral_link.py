"""bench/viral_link.py's reading and judging, without a stack (the e2e test runs one)."""

from __future__ import annotations

import pytest

from bench import viral_link
from tests.unit.test_bench_main import viral_run


def test_the_proxys_address_comes_from_the_devservers_start_up_line():
    output = [
        "DynamoDB: DynamoDB Local at http://127.0.0.1:40001",
        "DynamoDB throttling: items at most 10 writes/s, at http://127.0.0.1:40123 in front of"
        " http://127.0.0.1:40001 (counts at http://127.0.0.1:40123/_devserver/throttling)",
    ]

    assert viral_link.throttling_endpoint(output) == "http://127.0.0.1:40123"
    with pytest.raises(RuntimeError, match="no throttling proxy"):
        viral_link.throttling_endpoint(output[:1])


def test_a_lost_or_failed_click_and_a_slow_viral_link_are_findings():
    run = viral_run()
    assert [metric.verdict for metric in viral_link.metrics(run)] == ["yes", "yes", "yes"]

    run.hot.statuses[503] += 1
    run.hot.counted -= 1
    run.hot.latencies[-2:] = [0.1, 0.1]  # p99 ten times the ordinary links'

    assert [metric.verdict for metric in viral_link.metrics(run)] == ["**no**"] * 3


def test_percentiles_are_of_the_answered_clicks():
    load = viral_link.LinkLoad(["abc"], latencies=[float(n) for n in range(1, 101)])

    assert (load.percentile(0.5), load.percentile(0.99)) == (51.0, 100.0)
    assert viral_link.LinkLoad(["abc"]).percentile(0.99) == 0.0
