"""The aggregator's benchmark without timing anything: item sizes by AWS's rules, the
capacity meter's hooks, Lambda's delivery of stream records, the workload, and the cost
arithmetic and verdicts."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from bench import aggregator, functions
from bench.capacity import CapacityMeter, Consumed, metering
from bench.click_workload import ClickSource, Workload, stream_record, zipf_cumulative_weights
from bench.item_size import item_size, number_size, read_units, value_size, write_units
from bench.report import MET, MISSED
from bench.stream_delivery import (
    MAX_STATE_BYTES,
    STREAM_ARN,
    Delivery,
    Invocation,
    StreamedRecord,
    deliver,
    shard_of,
)
from deploy.cost import load_prices
from devserver.stream_pollers import RecordFilter
from repository.click_stream import streamed_click

START = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


# --- item sizes ------------------------------------------------------------------------


def test_item_sizes_follow_awss_rules():
    # Names and strings: UTF-8 bytes. "PK" + "LINK#abc", "é" is two bytes.
    assert item_size({"PK": {"S": "LINK#abc"}}) == 2 + 8
    assert item_size({"n": {"S": "é"}}) == 1 + 2
    # Numbers: 1 byte per two significant digits, plus 1; zeroes at either end trimmed.
    assert number_size("12345") == 4
    assert number_size("1000") == 2
    assert number_size("-0.0012") == 2
    # Binary: raw bytes; Boolean and null: 1.
    assert value_size({"B": b"\x00" * 10}) == 10
    assert value_size({"BOOL": True}) == 1
    # A map: 3 bytes, and each element its name, its value and 1 byte.
    assert value_size({"M": {"a": {"S": "xy"}, "bb": {"N": "7"}}}) == 3 + (1 + 2 + 1) + (2 + 2 + 1)
    assert value_size({"L": [{"S": "x"}, {"S": "yz"}]}) == 3 + (1 + 1) + (2 + 1)


def test_request_units_round_up_to_whole_units():
    assert write_units(0) == 1
    assert write_units(1024) == 1
    assert write_units(1025) == 2
    assert read_units(4096, consistent=True) == 1
    assert read_units(4097, consistent=True) == 2
    assert read_units(100, consistent=False) == 0.5


def test_an_unknown_attribute_type_is_refused():
    with pytest.raises(ValueError, match="unknown attribute type"):
        value_size({"X": "?"})


# --- the capacity meter ------------------------------------------------------------------


class Events:
    def __init__(self) -> None:
        self.hooks: dict[str, list[Any]] = {}

    def register(self, event: str, hook: Any) -> None:
        self.hooks.setdefault(event, []).append(hook)

    def unregister(self, event: str, hook: Any) -> None:
        self.hooks[event].remove(hook)


def model(name: str) -> SimpleNamespace:
    return SimpleNamespace(name=name)


def test_the_meter_asks_every_request_for_its_units_and_adds_up_the_answers():
    meter = CapacityMeter()
    item = {"PK": {"S": "STATS#abc"}, "d": {"S": "x" * 1500}}
    put: dict[str, Any] = {"TableName": "t", "Item": item}
    get: dict[str, Any] = {"TableName": "t", "Key": {"PK": {"S": "STATS#abc"}}}
    describe: dict[str, Any] = {"TableName": "t"}

    meter.ask_for_capacity(params=put, model=model("PutItem"))
    meter.ask_for_capacity(params=get, model=model("GetItem"))
    meter.ask_for_capacity(params=describe, model=model("DescribeTable"))
    meter.add_up(parsed={"ConsumedCapacity": {"CapacityUnits": 2.0}}, model=model("PutItem"))
    meter.add_up(parsed={"ConsumedCapacity": {"CapacityUnits": 1.0}}, model=model("GetItem"))
    meter.add_up(parsed={"Table": {}}, model=model("DescribeTable"))

    assert put["ReturnConsumedCapacity"] == get["ReturnConsumedCapacity"] == "TOTAL"
    assert "ReturnConsumedCapacity" not in describe  # it takes none
    consumed = meter.consumed
    assert consumed.write_units == 2.0
    assert consumed.read_units == 1.0
    assert consumed.put_units_by_size == write_units(item_size(item)) == 2
    assert consumed.calls == Counter({"PutItem": 1, "GetItem": 1})


def test_a_failed_condition_is_counted_apart_as_dynamodb_local_reports_no_units():
    meter = CapacityMeter()
    failed = {"Error": {"Code": "ConditionalCheckFailedException"}}

    meter.add_up(parsed=failed, model=model("PutItem"))

    assert meter.consumed.failed_conditions["PutItem"] == 1
    assert meter.consumed.unreported["PutItem"] == 1
    assert meter.consumed.write_units == 0


def test_metering_removes_its_hooks_afterwards():
    events = Events()
    client = SimpleNamespace(meta=SimpleNamespace(events=events))

    with metering(client):
        assert len(events.hooks["before-parameter-build.dynamodb"]) == 1
        assert len(events.hooks["after-call.dynamodb"]) == 1

    assert events.hooks == {"before-parameter-build.dynamodb": [], "after-call.dynamodb": []}


# --- Lambda's delivery -------------------------------------------------------------------


def record(created: int, key: str = "LINK#a", text: str = "{}") -> StreamedRecord:
    return StreamedRecord(created=created, partition_key=key, text=text)


class Counting:
    """A function that counts its window's records in its state, as the aggregator does."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, event_text: str) -> dict[str, Any]:
        event = json.loads(event_text)
        self.events.append(event)
        seen = event["state"].get("seen", 0) + len(event["Records"])
        return {"state": {} if event["isFinalInvokeForWindow"] else {"seen": seen}}


def test_records_go_in_batches_with_the_windows_state_and_a_final_invocation():
    function = Counting()
    minute = 1_796_256_000  # a clock minute, epoch seconds
    records = [record(minute + second) for second in range(5)]

    delivery = deliver(records, function, window_s=60, batch_size=2)

    assert [len(e["Records"]) for e in function.events] == [2, 2, 1, 0]
    assert [e["state"] for e in function.events] == [{}, {"seen": 2}, {"seen": 4}, {"seen": 5}]
    assert [e["isFinalInvokeForWindow"] for e in function.events] == [False, False, False, True]
    assert function.events[0]["window"] == {
        "start": "2026-12-03T00:00:00Z",
        "end": "2026-12-03T00:01:00Z",
    }
    assert delivery.records == 5
    assert delivery.windows == 1


def test_windows_are_clock_aligned_and_a_batch_never_spans_two():
    function = Counting()
    minute = 1_796_256_000

    deliver([record(minute + 59), record(minute + 60)], function, window_s=60, batch_size=10)

    assert [(len(e["Records"]), e["isFinalInvokeForWindow"]) for e in function.events] == [
        (1, False), (0, True), (1, False), (0, True),
    ]  # fmt: skip
    assert function.events[2]["state"] == {}  # a new window starts afresh


def test_each_shard_has_windows_and_state_of_its_own_and_keeps_a_keys_records():
    function = Counting()
    minute = 1_796_256_000
    keys = [f"LINK#{n}" for n in range(20)]

    delivery = deliver(
        [record(minute, key) for key in keys], function, window_s=60, batch_size=1_000, shards=4
    )

    shards_used = {shard_of(key, 4) for key in keys}
    assert delivery.windows == len(shards_used) > 1
    assert {e["shardId"] for e in function.events} == {f"shardId-{n:08d}" for n in shards_used}
    assert all(shard_of(key, 4) == shard_of(key, 4) for key in keys)


def test_a_state_over_a_megabyte_ends_the_window_early():
    minute = 1_796_256_000
    events: list[dict[str, Any]] = []

    def hoarder(event_text: str) -> dict[str, Any]:
        event = json.loads(event_text)
        events.append(event)
        return {"state": {} if event["isFinalInvokeForWindow"] else {"x": "y" * MAX_STATE_BYTES}}

    delivery = deliver([record(minute), record(minute + 1)], hoarder, window_s=60, batch_size=1)

    assert delivery.terminated_early == 2
    assert [(e["isFinalInvokeForWindow"], e["isWindowTerminatedEarly"]) for e in events] == [
        (False, False), (True, True), (False, False), (True, True), (True, False),
    ]  # fmt: skip


def test_a_function_that_returns_no_state_fails_the_delivery():
    with pytest.raises(RuntimeError, match="no state"):
        deliver([record(1_796_256_000)], lambda _: {}, window_s=60, batch_size=10)


def test_an_invocation_that_gives_back_less_than_it_got_acted_early():
    wrote = Invocation(0, 1_000, False, False, 10, state_in_bytes=600_000, state_bytes=30)
    grew = Invocation(0, 1_000, False, False, 10, state_in_bytes=30, state_bytes=30_000)
    final = Invocation(0, 0, True, False, 10, state_in_bytes=600_000, state_bytes=2)

    assert wrote.acted_early
    assert not grew.acted_early
    assert not final.acted_early


# --- the workload ------------------------------------------------------------------------


def test_zipfs_law_gives_rank_k_a_share_proportional_to_one_over_k():
    cumulative = zipf_cumulative_weights(10_000, 1.0)
    total = cumulative[-1]

    assert cumulative[0] / total == pytest.approx(1 / 9.7876, rel=1e-3)  # 1 / H(10,000)
    assert (cumulative[1] - cumulative[0]) / total == pytest.approx(cumulative[0] / total / 2)


def test_clicks_go_to_links_by_rank_and_are_numbered_per_link_in_time():
    source = ClickSource(Workload(links=1_000, seed=7))

    clicks = list(source.clicks_between(START, 20_000, 1_000))

    by_link = Counter(click.link for click in clicks)
    assert by_link[0] / 20_000 == pytest.approx(1 / 7.485, rel=0.1)  # 1 / H(1,000)
    assert by_link[0] > by_link[1] > by_link[9]
    assert clicks[1].at - clicks[0].at == timedelta(milliseconds=1)
    numbers: dict[int, list[int]] = {}
    for click in clicks:
        numbers.setdefault(click.link, []).append(click.number)
    assert all(n == list(range(1, len(n) + 1)) for n in numbers.values())


def test_the_same_seed_makes_the_same_clicks():
    def made(seed: int) -> list[tuple[int, str, str | None]]:
        source = ClickSource(Workload(links=100, seed=seed))
        return [
            (c.link, c.facts.referrer, c.facts.country)
            for c in source.clicks_between(START, 200, 1_000)
        ]

    assert made(1) == made(1)
    assert made(1) != made(2)


def test_a_click_brings_a_realistic_mix_of_referrers_countries_agents_and_visitors():
    source = ClickSource(Workload(links=10, seed=3))

    clicks = [source.click(0, START) for _ in range(2_000)]

    referrers = Counter(click.facts.referrer for click in clicks)
    assert 0.3 < referrers["(direct)"] / 2_000 < 0.5
    assert len(referrers) > 30  # more than a day item keeps per breakdown
    assert len({click.facts.country for click in clicks}) > 30
    assert len({click.facts.user_agent for click in clicks}) > 20
    visitors = [click.facts.visitor for click in clicks]
    assert all(v is not None and 0 <= v < 2**15 for v in visitors)
    # Register (digest // 64) and rank: ~1,400 distinct visitors fill most of the 512.
    assert len({v // 64 for v in visitors if v is not None}) > 400


def test_a_stream_record_is_what_the_aggregator_reads_and_the_mappings_filter_passes():
    source = ClickSource(Workload(links=10, seed=5))
    click = source.click(3, START + timedelta(seconds=1.5))
    link = source.link(3)

    record = stream_record(link, click, 42, STREAM_ARN, functions.REGION)

    assert json.loads(json.dumps(record)) == record  # JSON, as Lambda sends it
    assert record["dynamodb"]["ApproximateCreationDateTime"] == int(START.timestamp()) + 1
    read = streamed_click(record)
    assert read is not None
    assert (read.short_id, read.number, read.at) == (link.short_id, 1, click.at)
    assert read.facts == click.facts
    patterns = functions.stream_source(functions.CLICK_STATS).filter_patterns
    assert patterns  # the template filters the stream
    assert RecordFilter(patterns).matches(record)


# --- cost and verdicts -------------------------------------------------------------------


def scenario_result(
    *,
    clicks: int = 60_000,
    write_units: float = 30_000,
    read_units: float = 15_000,
    failed: int = 0,
    timings: list[aggregator.Timed] | None = None,
    name: str = "mid-day",
) -> aggregator.ScenarioResult:
    consumed = Consumed()
    consumed.units["PutItem"] = write_units
    consumed.units["GetItem"] = read_units
    consumed.calls.update({"PutItem": 15_000 + failed, "GetItem": 15_000})
    consumed.failed_conditions["PutItem"] = failed
    delivery = Delivery(
        [Invocation(0, 1_000, False, False, 1, 2, 30_000) for _ in range(60)]
        + [Invocation(0, 0, True, False, 1, 30_000, 2)]
    )
    return aggregator.ScenarioResult(
        scenario=aggregator.Scenario(name, START),
        clicks=clicks,
        links_clicked=7_000,
        delivery=delivery,
        consumed=consumed,
        timings=timings or [aggregator.Timed(0.01, 0.001, False)] * 61,
        stored_bytes=[1_000],
        early_write_bytes=600_000,
    )


def test_the_cost_per_million_clicks_is_units_and_lambda_at_list_prices():
    result = scenario_result()  # 500,000 WRU and 250,000 RRU a million clicks
    lines = {line.item: line for line in aggregator.cost_lines(result, 512, load_prices())}

    assert lines["on-demand writes"].cost == Decimal("0.3125")
    assert lines["on-demand reads"].cost == Decimal("0.03125")
    assert lines["requests"].quantity == pytest.approx(61 * 1_000_000 / 60_000)
    # 61 invocations of 10 ms (their CPU at 512 MB's share is less), per 60,000 clicks.
    assert lines["duration (arm64)"].quantity == pytest.approx(
        0.61 * 1_000_000 / 60_000 * 0.5, rel=1e-6
    )


def test_a_failed_conditional_write_is_billed_a_write_unit():
    assert scenario_result(failed=3).write_units == 30_003


def test_lambda_time_is_the_longer_of_the_wall_clock_and_cpu_at_the_memorys_share():
    # 1 s of CPU at 512 MB (0.29 of a vCPU) takes about 3.46 s; a 5 s wait stays 5 s.
    busy = aggregator.Timed(seconds=1.2, cpu_seconds=1.0, final=True)
    waiting = aggregator.Timed(seconds=5.0, cpu_seconds=0.1, final=False)
    result = scenario_result(timings=[busy, waiting])

    assert result.lambda_seconds(512) == pytest.approx(1769 / 512 + 5.0, abs=0.002)
    assert result.lambda_seconds(1769) == pytest.approx(1.2 + 5.0)
    assert result.longest(512) is waiting  # 5 s against about 3.46
    assert result.longest(1769) is waiting


def test_the_cost_target_and_the_timeout_are_judged():
    cheap = scenario_result(name="cheap", write_units=20_000)
    dear = scenario_result(name="dear", write_units=30_000)  # $0.3125 in writes alone
    slow = aggregator.Timed(seconds=30.0, cpu_seconds=20.0, final=True)
    result = aggregator.AggregatorResult(
        Workload(), 512, 60.0, 200, 60, 1_000, [cheap, scenario_result(timings=[slow]), dear]
    )

    rows = {row.name: row for row in aggregator.metrics(result)}

    assert rows["aggregator, cheap: cost per million clicks"].verdict == MET
    assert rows["aggregator, dear: cost per million clicks"].verdict == MISSED
    timeout = next(row for name, row in rows.items() if "Timeout" in str(row.target))
    assert timeout.value == pytest.approx(20.0 * 1769 / 512)
    assert timeout.verdict == MISSED


def test_the_section_renders_every_run_side_by_side():
    result = aggregator.AggregatorResult(
        Workload(),
        512,
        60.0,
        200,
        60,
        1_000,
        [scenario_result(name="start of a day"), scenario_result(name="mid-day")],
    )

    body = aggregator.section(result).body

    assert "| per run | start of a day | mid-day |" in body
    assert "**cost per million clicks**" in body
    assert "they agree in every run" not in body  # units reported, none by size: differ


def test_the_section_says_why_a_run_is_over_the_target():
    def body(*runs: aggregator.ScenarioResult) -> str:
        result = aggregator.AggregatorResult(Workload(), 512, 60.0, 200, 60, 1_000, list(runs))
        return aggregator.section(result).body

    within = body(scenario_result(name="cheap", write_units=20_000))
    over = body(scenario_result(name="dear", write_units=30_000))

    assert "Every run is within the target" in within
    assert "- **dear**: $0.3" in over
    # 15,000 day items written (the canned PutItems) for 60,000 clicks: 250,000 a million.
    assert "250,000 day items written per million clicks" in over
    assert "at 2.00 write units each" in over


def test_a_run_with_another_early_write_threshold_is_a_comparison_not_judged():
    shipped = scenario_result()
    compared = dataclasses.replace(
        shipped, scenario=aggregator.Scenario("halfway", START, early_write_bytes=400_000)
    )
    result = aggregator.AggregatorResult(
        Workload(), 1_769, 300.0, 200, 60, 1_000, [shipped, compared]
    )

    targets = {
        metric.name: metric.target
        for metric in aggregator.metrics(result)
        if metric.name.endswith("cost per million clicks")
    }

    assert targets == {
        "aggregator, mid-day: cost per million clicks": aggregator.COST_TARGET,
        "aggregator, halfway: cost per million clicks": None,
    }
