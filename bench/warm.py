"""Warm overhead: the redirect handler in-process against DynamoDB Local, next to the raw
UpdateItem it sends.

The raw side replays the exact UpdateItem parameters the handler sent (captured with a
botocore hook: same key, UpdateExpression with the click's analytics map, its values,
ConditionExpression, ReturnValues), on a client built by the same code with the same
Config, against the same endpoint: what the function adds over DynamoDB. A second raw
side replays the repository's request for a click without the analytics map (captured
the same way from `record_click(..., click=None)`), so that the map's own cost at
DynamoDB shows. A fourth side calls the link repository's record_click alone, with the
click's facts (the handler's client, no event, no Powertools), which splits the
handler's overhead into its repository and the rest. The sides take turns in batches
(the order rotates batch by batch), after a warm-up of each, and each call is timed
alone: building the event and the context, which Lambda's runtime does, stays outside
the clock.

Steady state: an execution environment fetches the day's visitor key on its first click
of a UTC day (one more UpdateItem, repository/visitor_keys.py), so one untimed click goes
first and every timed one is a warm environment's. The UTC day is noted before and after
the timed calls: the same day means no timed call fetched a key."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bench import events, functions
from bench.item_size import item_size
from bench.local_dynamodb import LocalStack
from bench.redirect_logs import ClickLogs, click_logs
from bench.report import Comparison, Metric, Section, Target, markdown_table, milliseconds
from bench.round_trips import handler_of
from bench.stats import median, percentile, ratio
from deploy.cost import Assumptions
from sam_template.document import load_template

P50_TARGET = Target(Comparison.AT_MOST, 1.15)
HANDLER = "redirect handler (GET, a click)"
REPOSITORY = "repository record_click alone"
RAW = "raw UpdateItem, same parameters"
RAW_WITHOUT_CLICK = "raw UpdateItem without the click map"
REDIRECT_STATUS = 302
ONE_WRITE_UNIT = Target(Comparison.EQUAL, 1)


@dataclass(frozen=True)
class Timings:
    wall: list[float] = field(default_factory=list)  # seconds, perf_counter
    # This thread's CPU seconds (thread_time): what the call itself computed, which a
    # busy machine stretches far less than the wall clock.
    cpu: list[float] = field(default_factory=list)

    def add(self, call: Callable[[], object]) -> object:
        cpu_started, started = time.thread_time(), time.perf_counter()
        result = call()
        self.wall.append(time.perf_counter() - started)
        self.cpu.append(time.thread_time() - cpu_started)
        return result


@dataclass(frozen=True)
class WarmResult:
    iterations: int
    batch_size: int
    warm_up: int
    handler: Timings
    repository: Timings
    raw: Timings
    stdout_bytes_per_redirect: float
    update_parameters: dict[str, Any]
    # What a click logs: the handler's real output, and the access log line for it.
    logs: ClickLogs
    raw_without_click: Timings = field(default_factory=Timings)
    # One more of the redirect's request, untimed, with ReturnConsumedCapacity: what
    # DynamoDB bills it (write units), and the link item it leaves by AWS's item-size
    # rules (bytes), of which the click map.
    write_units: float | None = None
    item_bytes: int | None = None
    click_map_bytes: int | None = None
    # The UTC day when the timed calls began and ended (the visitor key is per day).
    days: tuple[str, str] = ("", "")


def capture_update_parameters(client: Any, call: Callable[[], object]) -> dict[str, Any]:
    """The UpdateItem parameters `call` makes `client` send (exactly one is expected)."""
    captured: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        captured.append(copy.deepcopy(params))

    client.meta.events.register("before-parameter-build.dynamodb.UpdateItem", record)
    try:
        call()
    finally:
        client.meta.events.unregister("before-parameter-build.dynamodb.UpdateItem", record)
    if len(captured) != 1:
        raise RuntimeError(f"expected one UpdateItem from the redirect, saw {len(captured)}")
    return captured[0]


def measure(
    stack: LocalStack,
    short_id: str,
    *,
    iterations: int,
    batch_size: int,
    warm_up: int,
    progress: Callable[[str], None],
) -> WarmResult:
    from domain.click_facts import click_facts  # after the environment is set (local_dynamodb)
    from handlers import wiring
    from handlers.api_requests import click_origin
    from repository.client import create_dynamodb_client
    from repository.link_items import CLICK_ATTRIBUTE

    handler = handler_of(functions.REDIRECT)
    timings = {side: Timings() for side in (HANDLER, REPOSITORY, RAW, RAW_WITHOUT_CLICK)}

    def invoke_handler(into: Timings) -> None:
        # Built outside the clock: Lambda's runtime builds both before calling.
        event = events.redirect_get(short_id)
        context = functions.lambda_context(functions.REDIRECT)
        response: Any = into.add(lambda: handler(event, context))
        if response["statusCode"] != REDIRECT_STATUS:
            raise RuntimeError(f"the redirect answered {response['statusCode']}: {response}")

    invoke_handler(Timings())  # this environment's first click today: it fetches the key
    client = wiring.dynamodb_client()
    repository = wiring.link_repository()
    parameters = capture_update_parameters(client, lambda: invoke_handler(Timings()))
    without_click = capture_update_parameters(
        client, lambda: repository.record_click(short_id, datetime.now(UTC))
    )
    # The facts the handler's click brings (the sample event's), for the repository side.
    sample = events.redirect_get(short_id)
    address, country = click_origin(sample, wiring.settings())
    facts = click_facts(
        at=datetime.now(UTC),
        referer=sample["headers"].get("referer"),
        country=country,
        user_agent=sample["headers"]["user-agent"],
        address=address,
        visitor_keys=wiring.visitor_keys(),
    )
    raw_client = create_dynamodb_client()
    billed = raw_client.update_item(**parameters, ReturnConsumedCapacity="TOTAL")
    item = billed["Attributes"]
    sides: dict[str, Callable[[Timings], object]] = {
        HANDLER: invoke_handler,
        REPOSITORY: lambda into: into.add(
            lambda: repository.record_click(short_id, datetime.now(UTC), click=facts)
        ),
        RAW: lambda into: into.add(lambda: raw_client.update_item(**parameters)),
        RAW_WITHOUT_CLICK: lambda into: into.add(lambda: raw_client.update_item(**without_click)),
    }
    for _ in range(warm_up):
        for invoke in sides.values():
            invoke(Timings())

    written_before = stack.bytes_written()
    first_day = datetime.now(UTC).date().isoformat()
    batches = max(1, -(-iterations // batch_size))  # ceiling division
    for batch in range(batches):
        size = min(batch_size, iterations - batch * batch_size)
        for name in rotated(list(sides), batch):
            for _ in range(size):
                sides[name](timings[name])
        if (batch + 1) % 10 == 0 or batch + 1 == batches:
            progress(f"warm: {len(timings[HANDLER].wall)}/{iterations} of each")
    last_day = datetime.now(UTC).date().isoformat()
    # Only the handler prints (its metrics line); the other sides write nothing.
    written = stack.bytes_written() - written_before
    clicks = len(timings[HANDLER].wall)
    logs = click_logs(stack.output_since(written_before), clicks, load_template())
    return WarmResult(
        iterations=len(timings[HANDLER].wall),
        batch_size=batch_size,
        warm_up=warm_up,
        handler=timings[HANDLER],
        repository=timings[REPOSITORY],
        raw=timings[RAW],
        raw_without_click=timings[RAW_WITHOUT_CLICK],
        stdout_bytes_per_redirect=written / clicks,
        update_parameters=parameters,
        logs=logs,
        write_units=_write_units(billed),
        item_bytes=item_size(item),
        click_map_bytes=item_size({CLICK_ATTRIBUTE: item[CLICK_ATTRIBUTE]}),
        days=(first_day, last_day),
    )


def _write_units(answer: Mapping[str, Any]) -> float | None:
    consumed = answer.get("ConsumedCapacity")
    return float(consumed["CapacityUnits"]) if consumed else None


def rotated(names: list[str], by: int) -> list[str]:
    shift = by % len(names)
    return [*names[shift:], *names[:shift]]


def metrics(result: WarmResult) -> list[Metric]:
    rows = []
    for percent, target in ((50, P50_TARGET), (99, None)):
        handler = percentile(result.handler.wall, percent)
        raw = percentile(result.raw.wall, percent)
        rows.append(
            Metric(
                f"warm redirect p{percent} / raw UpdateItem p{percent}",
                ratio(handler, raw),
                f"{ratio(handler, raw):.2f} ({milliseconds(handler)} vs {milliseconds(raw)})",
                target,
            )
        )
    if result.raw_without_click.wall:
        with_map = percentile(result.raw.wall, 50)
        without = percentile(result.raw_without_click.wall, 50)
        rows.append(
            Metric(
                "raw UpdateItem p50: with the click map / without",
                ratio(with_map, without),
                f"{ratio(with_map, without):.2f} ({milliseconds(with_map)} vs "
                f"{milliseconds(without)})",
            )
        )
    if result.write_units is not None:
        rows.append(
            Metric(
                "DynamoDB write units per click (the redirect's UpdateItem, click map included)",
                result.write_units,
                f"{result.write_units:g} (the link item: {result.item_bytes} bytes, "
                f"{result.click_map_bytes} of them the click map)",
                ONE_WRITE_UNIT,
            )
        )
    assumed = Assumptions().redirect_log_bytes
    rows.append(
        Metric(
            "log bytes per redirect (metrics line + access log line, as ingested)",
            result.logs.total,
            f"{result.logs.total:.0f} (the cost model assumes {assumed})",
            Target(Comparison.AT_MOST, assumed),
        )
    )
    return rows


def section(result: WarmResult) -> Section:
    def row(name: str, timings: Timings) -> list[str]:
        return [
            name,
            milliseconds(percentile(timings.wall, 50)),
            milliseconds(percentile(timings.wall, 90)),
            milliseconds(percentile(timings.wall, 99)),
            milliseconds(min(timings.wall)),
            milliseconds(median(timings.cpu)),
            f"{ratio(median(timings.cpu), median(result.raw.cpu)):.2f}",
        ]

    handler, repository, raw = (
        median(timings.wall) for timings in (result.handler, result.repository, result.raw)
    )
    rows = [
        row(HANDLER, result.handler),
        row(REPOSITORY, result.repository),
        row(RAW, result.raw),
    ]
    if result.raw_without_click.wall:
        rows.append(row(RAW_WITHOUT_CLICK, result.raw_without_click))
    table = markdown_table(
        ["in-process calls", "p50", "p90", "p99", "fastest", "CPU p50", "CPU ratio"],
        rows,
        right_aligned=(1, 2, 3, 4, 5, 6),
    )
    expressions = {
        key: result.update_parameters[key]
        for key in ("UpdateExpression", "ConditionExpression", "ReturnValues")
        if key in result.update_parameters
    }
    click_map = result.update_parameters.get("ExpressionAttributeValues", {}).get(":click")
    first_day, last_day = result.days
    same_day = (
        f"The timed calls began and ended on the same UTC day ({first_day}): none of them "
        "fetched a visitor key."
        if first_day == last_day
        else f"The timed calls crossed UTC midnight ({first_day} to {last_day}): one handler "
        "call among them also fetched the new day's visitor key."
    )
    return Section(
        "Warm redirect",
        f"""
{result.iterations} calls of each after {result.warm_up} of each to warm up, in batches
of {result.batch_size} taking turns, against DynamoDB Local on 127.0.0.1 (telemetry off,
data on tmpfs where /dev/shm exists). The handler gets a payload 2.0 GET from a
desktop Chrome User-Agent (events/redirect.json) through CloudFront (the origin secret,
a viewer address), so every call counts a click and records its analytics map.

Steady state: an execution environment fetches the day's visitor key on its first
counted click of a UTC day (one more UpdateItem, once per environment and day), so one
untimed click goes first. {same_day}

At the median the handler adds {milliseconds(handler - raw)} to the raw call:
{milliseconds(repository - raw)} in the repository (building the request with the click
map, turning the item into a Link) and {milliseconds(handler - repository)} around it
(reading the event, the click's facts: referrer host, country, the visitor's keyed
digest; Powertools' logging context and metrics line, the response; the click check,
which after the first call is an LRU cache hit).

{table}

The raw baseline is the request the redirect really sends, click map included, so the
ratio stays "our overhead over DynamoDB". Next to it, the repository's request for a
click without the map (`record_click(..., click=None)`, same link, same condition):
what sending the map costs at DynamoDB, a longer expression and more values to parse and
apply (the item written back holds a click map either way, as every clicked link's
does). Write units of the redirect's request: {_units(result)}.

"CPU" is the calling thread's CPU time per call (`time.thread_time`): what the call
computed, without the wait for DynamoDB Local. A busy machine stretches it far less
than the wall clock, so on a noisy run its ratio says more about the code than the
wall-clock one; the target is on the wall clock.

Replayed parameters: `{expressions}`; the click map: `{click_map}`.

Handler output: {result.stdout_bytes_per_redirect:.0f} bytes per redirect on stdout
(Powertools' EMF metrics: {result.logs.handler_lines:.2f} lines of
{result.logs.handler_bytes:.0f} bytes per click), written line by line to a file as
Lambda's runtime writes its stdout; see bench/local_dynamodb.py. With the API's access
log line for a click ({result.logs.access_log_bytes} bytes, template.yaml's format) and
CloudWatch's 26 bytes per log event, a click logs {result.logs.total:.0f} bytes; the
cost model assumes {Assumptions().redirect_log_bytes} (`redirect_log_bytes`), Lambda's
START and REPORT lines being off (SystemLogLevel WARN).

DynamoDB Local answers on loopback in about a millisecond or two; DynamoDB itself,
from a Lambda in the same region, usually takes a few. The handler's overhead is the
same either way, so against DynamoDB the ratio would be closer to 1 than here.
""",
    )


def _units(result: WarmResult) -> str:
    if result.write_units is None or result.item_bytes is None:
        return "not reported"
    return (
        f"{result.write_units:g}, as DynamoDB Local reports them (ReturnConsumedCapacity on one "
        f"more, untimed, request): an UpdateItem is billed on the larger of the item before "
        f"and after, here {result.item_bytes} bytes by AWS's item-size rules, "
        f"{result.click_map_bytes} of them the click map, under the 1 KB of one write unit"
    )
