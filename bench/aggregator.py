"""The click aggregator under the workload of issue 12, against DynamoDB Local: what a
million clicks cost in DynamoDB write and read units and in Lambda time.

The real ClickStatsFunction handler gets the stream records the redirect's clicks would
make (bench/click_workload.py: 10,000 links, Zipf s = 1, 1,000 clicks a second, in
simulated time), delivered as Lambda's event source mapping delivers them
(bench/stream_delivery.py: batches of 1,000, the tumbling window's state, its final
invocation), and writes to DynamoDB Local through its own client. What DynamoDB bills is
read off DynamoDB Local's answers (bench/capacity.py asks each request for
ReturnConsumedCapacity and adds up what comes back), and set against AWS's item-size
rules. Lambda time is the wall clock around each invocation (the runtime's JSON in and
out, and the handler), billed per invocation rounded up to the millisecond.

The same workload meets the table at different times of a day:
- the start of a day: no link has a day item yet, so every write makes a small one;
- mid-day: every link's day already holds earlier clicks (seeded through the
  repository's own add_clicks), as by noon at this rate each of the 10,000 links has had
  over 400: items near their largest, and a write is billed on the item's whole size.
And, at mid-day, side by side, what the parameters that decide how often a link's day
is written change: the handler's early-write threshold, and the shards the stream has.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
from botocore.config import Config

from bench import events, functions
from bench.capacity import Consumed, metering
from bench.click_workload import ClickSource, Workload, stream_record
from bench.item_size import STORAGE_OVERHEAD_BYTES, item_size
from bench.local_dynamodb import LocalStack
from bench.report import Comparison, Metric, Section, Target, markdown_table
from bench.round_trips import handler_of
from bench.stream_delivery import STREAM_ARN, Delivery, StreamedRecord, deliver
from deploy.cost import PriceBook, load_prices, money
from devserver.stream_pollers import RecordFilter
from sam_template.event_sources import StreamEventSource

COST_TARGET = Target(Comparison.AT_MOST, 0.30, "$0.30")
# Lambda gives a function CPU in proportion to its memory: one vCPU at 1,769 MB (Lambda
# developer guide, "Configure Lambda function memory").
MB_PER_VCPU = 1_769
MILLION = 1_000_000
SEEDED_CLICKS_PER_LINK = 200  # mid-day: a link's day items hold this many already
SEED_CHUNK = 500  # links seeded at a time (their clicks are held in memory meanwhile)
SEED_WRITERS = 8  # as the handler's own writers
PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Scenario:
    name: str
    start: datetime  # the first click; a clock minute, so the first window is whole
    seeded: bool = False  # the day holds SEEDED_CLICKS_PER_LINK clicks a link before
    shards: int = 1
    early_write_bytes: int | None = None  # None: the handler's own WRITE_EARLY_AT_BYTES
    deployed: bool = True  # the template's settings, nothing changed

    @property
    def day(self) -> date:
        return self.start.date()

    @property
    def judged(self) -> bool:
        """Held to the cost target: the handler as it ships. (The stream's shards are
        DynamoDB's choice, so a run with more of them is judged too; a changed
        early-write threshold is a comparison, not the product.)"""
        return self.early_write_bytes is None


_MIDDAY = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
SCENARIOS = (
    Scenario("start of a day", datetime(2026, 12, 3, 0, 0, tzinfo=UTC)),
    Scenario("mid-day", _MIDDAY, seeded=True),
    # A window's state written halfway, as it was when a click took 30 bytes of it:
    # what carrying the whole window saves.
    Scenario(
        "mid-day, early write at 400 KB",
        _MIDDAY + timedelta(minutes=1),
        seeded=True,
        early_write_bytes=400_000,
        deployed=False,
    ),
    Scenario(
        "mid-day, 4 stream shards",
        _MIDDAY + timedelta(minutes=2),
        seeded=True,
        shards=4,
        deployed=False,
    ),
)


@dataclass(frozen=True)
class Timed:
    seconds: float  # wall clock
    cpu_seconds: float  # this process's CPU (all its threads: the handler's writers too)
    final: bool


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    clicks: int
    links_clicked: int
    delivery: Delivery
    consumed: Consumed
    timings: list[Timed]
    stored_bytes: list[int]  # each day item of the scenario's day, with the 100 of storage
    early_write_bytes: int

    @property
    def link_days_written(self) -> int:
        return self.consumed.calls["PutItem"] - self.consumed.failed_conditions["PutItem"]

    def per_million(self, amount: float) -> float:
        return amount * MILLION / self.clicks

    @property
    def write_units(self) -> float:
        """As DynamoDB Local reported them, plus a write unit for each failed condition
        (which DynamoDB bills, and DynamoDB Local does not report)."""
        return self.consumed.write_units + sum(self.consumed.failed_conditions.values())

    @property
    def read_units(self) -> float:
        return self.consumed.read_units

    @property
    def seconds(self) -> float:
        return sum(t.seconds for t in self.timings)

    @property
    def cpu_seconds(self) -> float:
        return sum(t.cpu_seconds for t in self.timings)

    def lambda_seconds(self, memory_mb: int) -> float:
        """Billed duration, each invocation rounded up to the millisecond: the wall clock
        measured here, or, where longer, its CPU time at the function's share of a vCPU
        (this machine's cores are whole; a 512 MB function gets 0.29 of one)."""
        share = min(1.0, memory_mb / MB_PER_VCPU)
        return sum(_billed(max(t.seconds, t.cpu_seconds / share)) for t in self.timings)

    def longest(self, memory_mb: int) -> Timed:
        """The invocation that would take longest on Lambda: one that wrote the window's
        clicks, at its end or early."""
        share = min(1.0, memory_mb / MB_PER_VCPU)
        return max(self.timings, key=lambda t: max(t.seconds, t.cpu_seconds / share))

    @property
    def units_per_item(self) -> float:
        return self.write_units / max(1, self.link_days_written)


def _billed(seconds: float) -> float:
    return max(1, -(-int(seconds * 1_000_000) // 1_000)) / 1000  # up to the next ms


@dataclass(frozen=True)
class CostLine:
    service: str
    item: str
    quantity: float  # per million clicks, in the price's unit
    cost: Decimal


@dataclass(frozen=True)
class AggregatorResult:
    workload: Workload
    memory_mb: int
    timeout_s: float
    seeded_clicks_per_link: int
    window_s: int  # the template's tumbling window (ClickStatsWindowSeconds' default)
    batch_size: int  # the template's BatchSize
    scenarios: list[ScenarioResult] = field(default_factory=list)


def measure(
    stack: LocalStack,
    *,
    seconds: int,
    seeded_clicks_per_link: int,
    progress: Callable[[str], None],
    scenarios: tuple[Scenario, ...] = SCENARIOS,
) -> AggregatorResult:
    from domain.user_agents import classify  # the functions' code, on the path now
    from handlers import click_stats

    workload = Workload(seconds=seconds)
    handler = handler_of(functions.CLICK_STATS)
    # An environment that has run before: ua-parser's patterns compiled, the client made.
    classify(events.browser_user_agent())
    handler({"Records": []}, functions.lambda_context(functions.CLICK_STATS))
    function = functions.function(functions.CLICK_STATS)
    source = functions.stream_source(functions.CLICK_STATS)
    result = AggregatorResult(
        workload,
        function.memory_mb,
        function.timeout_s,
        seeded_clicks_per_link,
        source.tumbling_window_s,
        source.batch_size,
    )
    days: dict[date, _Day] = {}
    for scenario in scenarios:
        day = days.get(scenario.day)
        if day is None:
            day = days[scenario.day] = _Day(ClickSource(workload))
            if scenario.seeded:
                _seed(day, scenario, seeded_clicks_per_link, progress)
        own_threshold = click_stats.WRITE_EARLY_AT_BYTES
        if scenario.early_write_bytes is not None:
            click_stats.WRITE_EARLY_AT_BYTES = scenario.early_write_bytes
        try:
            threshold = click_stats.WRITE_EARLY_AT_BYTES
            result.scenarios.append(
                _run(stack, day, scenario, source, handler, threshold, progress)
            )
        finally:
            click_stats.WRITE_EARLY_AT_BYTES = own_threshold
    return result


@dataclass
class _Day:
    """One simulated day's clicks: its links' counters go on from scenario to scenario."""

    source: ClickSource
    clicks: int = 0  # made on this day so far, seeded ones included


def _run(
    stack: LocalStack,
    day: _Day,
    scenario: Scenario,
    source: StreamEventSource,
    handler: Callable[[dict[str, Any], Any], dict[str, Any]],
    early_write_bytes: int,
    progress: Callable[[str], None],
) -> ScenarioResult:
    from handlers import wiring

    workload = day.source.workload
    progress(f"aggregator, {scenario.name}: {workload.clicks:,} clicks")
    timings: list[Timed] = []

    def invoke(event_text: str) -> dict[str, Any]:
        context = functions.lambda_context(functions.CLICK_STATS)
        cpu_started, started = time.process_time(), time.perf_counter()
        event = json.loads(event_text)  # Lambda's runtime reads the event...
        answer = handler(event, context)
        json.dumps(answer)  # ...and writes the answer
        elapsed = time.perf_counter() - started
        timings.append(
            Timed(elapsed, time.process_time() - cpu_started, event["isFinalInvokeForWindow"])
        )
        return answer

    clicked: set[int] = set()
    with metering(wiring.dynamodb_client()) as meter:
        delivery = deliver(
            _records(day.source, scenario.start, clicked, RecordFilter(source.filter_patterns)),
            invoke,
            window_s=source.tumbling_window_s,
            batch_size=source.batch_size,
            shards=scenario.shards,
        )
    day.clicks += workload.clicks
    stored = _stored_days(stack, scenario.day)
    counted = sum(int(item["clicks"]["N"]) for item in stored)
    if counted != day.clicks:
        raise RuntimeError(
            f"{scenario.name}: the day's items count {counted:,} clicks; {day.clicks:,} were made"
        )
    return ScenarioResult(
        scenario=scenario,
        clicks=workload.clicks,
        links_clicked=len(clicked),
        delivery=delivery,
        consumed=meter.consumed,
        timings=timings,
        stored_bytes=[item_size(item) + STORAGE_OVERHEAD_BYTES for item in stored],
        early_write_bytes=early_write_bytes,
    )


def _records(
    source: ClickSource, start: datetime, clicked: set[int], passes: RecordFilter
) -> Iterator[StreamedRecord]:
    """The workload's stream records from `start`, those the mapping's filter lets through
    (all of them: a click's record is what the filter is for; one it drops is never
    counted, and the count after the run says so)."""
    workload = source.workload
    links = [source.link(index) for index in range(workload.links)]
    clicks = source.clicks_between(start, workload.clicks, workload.clicks_per_second)
    for sequence, click in enumerate(clicks, start=1):
        record = stream_record(links[click.link], click, sequence, STREAM_ARN, functions.REGION)
        if not passes.matches(record):
            continue
        clicked.add(click.link)
        yield StreamedRecord(
            created=record["dynamodb"]["ApproximateCreationDateTime"],
            partition_key=record["dynamodb"]["Keys"]["PK"]["S"],
            text=json.dumps(record, separators=(",", ":")),
        )


def _seed(day: _Day, scenario: Scenario, per_link: int, progress: Callable[[str], None]) -> None:
    """Every link's day as it is by the scenario's start: `per_link` clicks earlier that
    day, written by the repository's own add_clicks (not measured)."""
    from domain.click_stats import classified_click
    from domain.user_agents import classify
    from handlers import wiring

    progress(f"aggregator, {scenario.name}: each link's day gets {per_link} earlier clicks")
    store = wiring.click_stats()
    earlier = scenario.start - timedelta(hours=6)
    source = day.source
    links = source.workload.links
    with ThreadPoolExecutor(max_workers=SEED_WRITERS) as writers:
        for first in range(0, links, SEED_CHUNK):
            chunk = []
            for link in range(first, min(first + SEED_CHUNK, links)):
                made = (source.click(link, earlier) for _ in range(per_link))
                clicks = [classified_click(c.number, c.at, c.facts, classify) for c in made]
                chunk.append(
                    writers.submit(store.add_clicks, source.short_ids[link], scenario.day, clicks)
                )
            for written in chunk:
                written.result()
    day.clicks += per_link * links


def _stored_days(stack: LocalStack, day: date) -> list[dict[str, Any]]:
    """Every link's item for `day`, read with a client of our own (not metered; a Scan of
    DynamoDB Local's pages takes longer than the functions' 1 s read timeout)."""
    client = boto3.client(
        "dynamodb",
        endpoint_url=stack.endpoint_url,
        region_name=functions.REGION,
        config=Config(read_timeout=120, retries={"mode": "standard", "total_max_attempts": 3}),
    )
    items: list[dict[str, Any]] = []
    paging: dict[str, Any] = {}
    while True:
        page = client.scan(
            TableName=stack.table_name,
            FilterExpression="begins_with(PK, :stats) AND SK = :day",
            ExpressionAttributeValues={
                ":stats": {"S": "STATS#"},
                ":day": {"S": f"DAY#{day.isoformat()}"},
            },
            **paging,
        )
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        paging = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def cost_lines(result: ScenarioResult, memory_mb: int, book: PriceBook) -> list[CostLine]:
    """What the scenario's clicks cost per million at the price list's prices. DynamoDB
    Streams' reads are not among them: GetRecords calls made by Lambda are free."""
    gb_seconds = result.per_million(result.lambda_seconds(memory_mb)) * memory_mb / 1024
    quantities = [
        ("dynamodb_write_request_units", result.per_million(result.write_units)),
        ("dynamodb_read_request_units", result.per_million(result.read_units)),
        ("lambda_requests", result.per_million(len(result.delivery.invocations))),
        ("lambda_arm64_gb_seconds", gb_seconds),
    ]
    lines = []
    for key, quantity in quantities:
        price = book.prices[key]
        cost = price.cost(Decimal(repr(quantity)))
        lines.append(CostLine(price.service, price.item, quantity, cost))
    return lines


def cost_per_million(result: ScenarioResult, memory_mb: int, book: PriceBook) -> Decimal:
    return sum((line.cost for line in cost_lines(result, memory_mb, book)), Decimal(0))


def metrics(result: AggregatorResult) -> list[Metric]:
    book = load_prices()
    rows = []
    for scenario in result.scenarios:
        name = f"aggregator, {scenario.scenario.name}"
        total = cost_per_million(scenario, result.memory_mb, book)
        writes = scenario.per_million(scenario.write_units)
        rows += [
            Metric(
                f"{name}: DynamoDB write units per million clicks",
                writes,
                f"{writes:,.0f} ({scenario.per_million(scenario.link_days_written):,.0f} "
                "day items written)",
            ),
            Metric(
                f"{name}: cost per million clicks",
                float(total),
                f"{money(total, Decimal('0.001'))} ({_cost_split(scenario, result, book)})",
                COST_TARGET if scenario.scenario.judged else None,
            ),
        ]
    deployed = [s for s in result.scenarios if s.scenario.deployed]
    if deployed:
        longest = max(
            (s.longest(result.memory_mb) for s in deployed),
            key=lambda t: max(t.seconds, t.cpu_seconds / _share(result.memory_mb)),
        )
        at_share = longest.cpu_seconds / _share(result.memory_mb)
        rows.append(
            Metric(
                "aggregator, deployed settings: longest invocation (a write of the window's"
                f" clicks), its CPU time at {result.memory_mb} MB's share of a vCPU (an"
                " estimate)",
                at_share,
                f"{at_share:,.0f} s ({longest.cpu_seconds:,.1f} s of CPU, "
                f"{longest.seconds:,.1f} s wall here)",
                Target(Comparison.BELOW, result.timeout_s, f"{result.timeout_s:g} s (Timeout)"),
            )
        )
    return rows


def _share(memory_mb: int) -> float:
    return min(1.0, memory_mb / MB_PER_VCPU)


def _cost_split(scenario: ScenarioResult, result: AggregatorResult, book: PriceBook) -> str:
    lines = cost_lines(scenario, result.memory_mb, book)
    dynamodb = sum((line.cost for line in lines if line.service == "DynamoDB"), Decimal(0))
    compute = sum((line.cost for line in lines if line.service == "Lambda"), Decimal(0))
    return (
        f"DynamoDB {money(dynamodb, Decimal('0.001'))}, Lambda {money(compute, Decimal('0.001'))}"
    )


def section(result: AggregatorResult) -> Section:
    book = load_prices()
    memory = result.memory_mb
    runs = result.scenarios

    def row(label: str, value: Callable[[ScenarioResult], str]) -> list[str]:
        return [label, *(value(s) for s in runs)]

    def per_m(amount: Callable[[ScenarioResult], float]) -> Callable[[ScenarioResult], str]:
        return lambda s: f"{s.per_million(amount(s)):,.0f}"

    def kilobytes(size: float) -> str:
        return f"{size / 1000:,.0f} KB"

    rows = [
        row("clicks", lambda s: f"{s.clicks:,}"),
        row("stream shards", lambda s: f"{s.scenario.shards}"),
        row(
            "early write at (handler's state, as the runtime sends it)",
            lambda s: kilobytes(s.early_write_bytes),
        ),
        row("links clicked", lambda s: f"{s.links_clicked:,}"),
        row("day items written", lambda s: f"{s.link_days_written:,}"),
        row("windows ended (final invocations)", lambda s: f"{s.delivery.windows}"),
        row(
            "early writes (the state reached the threshold)", lambda s: f"{s.delivery.acted_early}"
        ),
        row("of them ended early (state over 1 MB)", lambda s: f"{s.delivery.terminated_early}"),
        row(
            "largest state returned (as the runtime sends it)",
            lambda s: kilobytes(max(i.state_bytes for i in s.delivery.invocations)),
        ),
        row(
            "day items after the run: mean / largest (with 100 bytes of storage overhead)",
            lambda s: (
                f"{sum(s.stored_bytes) / max(1, len(s.stored_bytes)):,.0f} / "
                f"{max(s.stored_bytes, default=0):,} bytes"
            ),
        ),
        row("day items written per million clicks", per_m(lambda s: s.link_days_written)),
        row("write units per day item written", lambda s: f"{s.units_per_item:.2f}"),
        row("**write units per million clicks**", per_m(lambda s: s.write_units)),
        row(
            "the same by AWS's item-size rules",
            per_m(
                lambda s: s.consumed.put_units_by_size + sum(s.consumed.failed_conditions.values())
            ),
        ),
        row("**read units per million clicks**", per_m(lambda s: s.read_units)),
        row("failed conditional writes", lambda s: f"{sum(s.consumed.failed_conditions.values())}"),
        row(
            "**Lambda invocations per million clicks**",
            per_m(lambda s: len(s.delivery.invocations)),
        ),
        row(
            "**invocation time per million clicks**, wall clock here",
            lambda s: f"{s.per_million(s.seconds):,.0f} s",
        ),
        row("of it CPU time in this process", lambda s: f"{s.per_million(s.cpu_seconds):,.0f} s"),
        row(
            f"billed, each the longer of wall here and CPU at {memory} MB",
            lambda s: f"{s.per_million(s.lambda_seconds(memory)):,.0f} s",
        ),
        row(
            f"longest invocation: wall here / CPU / CPU at {memory} MB's share",
            lambda s: _longest(s, memory),
        ),
    ]
    costs = [cost_lines(s, memory, book) for s in runs]
    for index, line in enumerate(costs[0]):
        rows.append([f"{line.service} {line.item}", *(money(c[index].cost, PLACES) for c in costs)])
    rows.append(
        row(
            "**cost per million clicks**",
            lambda s: f"**{money(cost_per_million(s, memory, book), PLACES)}**",
        )
    )
    table = markdown_table(
        ["per run", *(s.scenario.name for s in runs)],
        rows,
        right_aligned=tuple(range(1, len(runs) + 1)),
    )
    return Section("Click aggregator", _explanation(result, table))


def _longest(scenario: ScenarioResult, memory_mb: int) -> str:
    longest = scenario.longest(memory_mb)
    return (
        f"{longest.seconds:,.1f} s / {longest.cpu_seconds:,.1f} s / "
        f"{longest.cpu_seconds / _share(memory_mb):,.0f} s"
    )


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _verdicts(result: AggregatorResult) -> str:
    """Why each run over the target is over (a comparison run too, unjudged): what its
    write units come from."""
    book = load_prices()
    target = Decimal(str(COST_TARGET.limit))
    lines = []
    for run in result.scenarios:
        total = cost_per_million(run, result.memory_mb, book)
        if total <= target:
            continue
        costs = {line.item: line.cost for line in cost_lines(run, result.memory_mb, book)}
        early, ends = run.delivery.acted_early, run.delivery.windows
        writes = (
            f"{_count(early, 'early write')} and {_count(ends, 'window end')}"
            f"{'' if run.scenario.shards == 1 else f' over {run.scenario.shards} shards'}"
        )
        lines.append(
            f"- **{run.scenario.name}**: {money(total, Decimal('0.001'))}, "
            f"{money(total - target, Decimal('0.001'))} ({(total / target - 1) * 100:.0f} %) "
            f"over. {run.per_million(run.link_days_written):,.0f} day items written per million"
            f" clicks ({run.link_days_written:,} for {run.links_clicked:,} links clicked, as"
            f" the window's clicks were written at {writes}), at"
            f" {run.units_per_item:.2f} write units each: "
            f"{run.per_million(run.write_units):,.0f} write units,"
            f" {money(costs['on-demand writes'], Decimal('0.001'))} of the"
            f" {money(target)} alone; reads {money(costs['on-demand reads'], Decimal('0.001'))},"
            f" Lambda {money(costs['requests'] + costs['duration (arm64)'], Decimal('0.001'))}."
        )
    if not lines:
        return "Every run is within the target of $0.30 per million clicks."
    return "Over the target of $0.30 per million clicks, and why:\n\n" + "\n".join(lines)


def _explanation(result: AggregatorResult, table: str) -> str:
    workload = result.workload
    runs = result.scenarios
    agree = all(
        s.consumed.put_units_by_size == s.consumed.units["PutItem"] and not s.consumed.unreported
        for s in runs
    )
    check = (
        "they agree in every run"
        if agree
        else "**they differ** (see the two rows): DynamoDB Local's figures are the ones used"
    )
    phases = [
        f"{s.scenario.name}: {s.clicks / (s.delivery.acted_early + s.delivery.windows):,.0f}"
        for s in runs
        if s.delivery.windows
    ]
    return f"""
The real ClickStatsFunction handler, in this process, against DynamoDB Local. The
workload: {workload.links:,} links, clicks spread over them by Zipf's law with exponent
s = {workload.zipf_exponent:g} (the most clicked link gets about 10 % of the clicks), at
{workload.clicks_per_second:,} clicks a second for {workload.seconds} s of simulated time per
run (bench/click_workload.py): the stream records the redirect's UpdateItem makes, built
by the functions' own code (the redirect's click facts, the repository's item functions,
the devserver's record shape), each link's clicks numbered as its counter counts them,
with a mix of referrers, countries, User-Agents and returning visitors. Lambda's event
source mapping is played by bench/stream_delivery.py, with template.yaml's settings and
filter: batches of {result.batch_size:,}, a {result.window_s} s tumbling window aligned to
the clock, its state handed from invocation to invocation, a final invocation at its
end; one shard unless the run says otherwise.

Runs, left to right: **start of a day** (no link has a day item yet, so each write makes
a small one); **mid-day** (every link's day already holds {result.seeded_clicks_per_link}
earlier clicks, written by the repository's add_clicks before the run, as by noon at this
rate every link has had over 400: its item near its largest, and a write is billed on the
whole item); then mid-day again with one thing changed: the handler's early-write
threshold (WRITE_EARLY_AT_BYTES: 900 KB of its state as Lambda's Python runtime
serialises it, with spaces; Lambda ends a window whose state passes 1 MB), lowered so
that a window is written twice, as it was when the state took 30 bytes a click, and the
number of stream shards (DynamoDB gives a table's stream a shard per
partition and decides how many; a link's records are all in one, and each shard has
windows and state of its own).

{table}

{_verdicts(result)}

Write and read units are DynamoDB Local's own figures: a `before-parameter-build` hook on
the handler's client asks every request for `ReturnConsumedCapacity="TOTAL"`, and an
`after-call` hook adds up the answers (bench/capacity.py). The row under them recomputes
each PutItem's units from the item it sent by AWS's item-size rules ("DynamoDB item sizes
and formats", DynamoDB Developer Guide): {check}. Each day item written costs one strongly
consistent GetItem (1 read unit up to 4 KB) and one PutItem (1 write unit per KB of the
whole item, so 2 once an item passes 1 KB): write units follow the day items written and
their size, and the day items written follow how often a window's clicks are written.
That is once at the window's end, and also each time the handler's state reaches its
early-write threshold (about 10 bytes a click): a link clicked on both sides of such a
write is written twice. Clicks per write, by run: {"; ".join(phases)}.

Lambda: invocations as delivered here (full batches; Lambda polls a shard four times a
second and, without a batching window, invokes with what is there, so at this rate it
would send smaller batches: a few thousand more invocations per million clicks, each
carrying the state, which adds cents per million at most). Time is the wall clock around
each invocation (the runtime's JSON in and out, and the handler with its writers'
DynamoDB calls), on this machine, whose cores are whole, against DynamoDB Local on
loopback. At {result.memory_mb} MB Lambda gives the function {_share(result.memory_mb):.2f}
of a vCPU (a whole one at {MB_PER_VCPU:,} MB), so each invocation is billed here as the
longer of its wall clock and its CPU time divided by that share: an estimate, not a
measurement on Lambda. The same estimate for the longest invocation (one that writes the
window's clicks, at its end or early) is set against the function's Timeout
({result.timeout_s:g} s): most of its CPU is botocore validating, serialising and parsing the
day items' nested maps, a GetItem and a PutItem for each. Prices: deploy/prices.json (WRU
$0.625 and RRU $0.125 per million, Lambda $0.20 per million requests and its arm64
GB-seconds). DynamoDB Streams' reads cost nothing: GetRecords calls made by Lambda for a
DynamoDB trigger are not charged (Amazon DynamoDB pricing,
https://aws.amazon.com/dynamodb/pricing/on-demand/; DynamoDB Developer Guide, "Evaluate
your DynamoDB streams usage").
"""
