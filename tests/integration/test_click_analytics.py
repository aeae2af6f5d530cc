"""Click analytics end to end, through the real functions and a real stream: redirects
on moto's server and on DynamoDB Local, their table's stream read back as Lambda's event
source mapping delivers it, and ClickStatsFunction's handler on those events.

What must hold (issue 12): after the stream drains, every link's days sum to exactly
what its click counter gained, and each breakdown sums to its day's clicks, whatever
fails on the way and however often batches are replayed; and no address, and no hash
that outlives its day, is ever stored or logged. A hot link's counters (issue 13) are
its item's and its click shards', each counting its own clicks: its days sum to all of
them together, even when two aggregators write its day at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from devserver.stream_pollers import lambda_record
from domain import click_windows
from domain.click_facts import ClickFacts
from handlers import click_stats, redirect, shorten
from repository.dynamodb_links import DynamoDBLinkRepository
from tests.conftest import load_event
from tests.dynamodb_faults import (
    FAULTS,
    LOST_ANSWER,
)
from tests.dynamodb_servers import REGION, admin_client
from tests.integration.stacks import Stack, stack_on

SECRET = "origin-verify-secret-for-tests-0123456789abcdef"
BROWSERS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/142.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
]
REFERERS = [None, "https://news.ycombinator.com/item?id=1", "https://www.t.co/abc"]
COUNTRIES = ["DE", "FR", None]
ADDRESSES = [f"198.51.100.{n}" for n in range(1, 8)] + ["2001:db8::17"]


@pytest.fixture(params=["moto_endpoint", "dynamodb_local_endpoint"])
def stack(request, sdk_environment, monkeypatch) -> Iterator[Stack]:
    endpoint = request.getfixturevalue(request.param)
    yield from stack_on(endpoint, monkeypatch, ORIGIN_VERIFY_SECRET=SECRET)


def create_link(context: Any) -> str:
    created = shorten.handler(load_event("shorten.json"), context)
    assert created["statusCode"] == 201, created["body"]
    return str(json.loads(created["body"])["shortId"])


def click(
    context: Any, short_id: str, n: int, *, method: str = "GET", user_agent: str | None = None
) -> None:
    """A redirect through CloudFront, with a mix of referrers, countries and visitors."""
    event = load_event("redirect.json" if method == "GET" else "redirect-head.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/{short_id}"
    event["pathParameters"] = {"shortId": short_id}
    headers = {
        "user-agent": user_agent or BROWSERS[n % len(BROWSERS)],
        "x-origin-verify": SECRET,
        "cloudfront-viewer-address": f"{ADDRESSES[n % len(ADDRESSES)]}:443",
        "referer": REFERERS[n % len(REFERERS)],
        "cloudfront-viewer-country": COUNTRIES[n % len(COUNTRIES)],
    }
    event["headers"].update({name: value for name, value in headers.items() if value})
    response = redirect.handler(event, context)
    assert response["statusCode"] == 302, response.get("body")


def stream_records(stack: Stack) -> list[dict[str, Any]]:
    """Every record of the table's stream, as Lambda's event source mapping would send
    them (its filter applied by the template's own pattern: link items with a click)."""
    streams = boto3.client("dynamodbstreams", endpoint_url=stack.endpoint, region_name=REGION)
    arn = admin_client(stack.endpoint).describe_table(TableName=stack.table_name)["Table"][
        "LatestStreamArn"
    ]
    now = datetime.now(UTC).timestamp()
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            records += [lambda_record(r, arn, REGION, (now - 1, now)) for r in page["Records"]]
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
    return [
        r for r in records if r["eventName"] == "MODIFY" and "click" in r["dynamodb"]["NewImage"]
    ]


def run_window(context: Any, records: list[dict[str, Any]], batch: int) -> int:
    """One tumbling window as Lambda runs it: batches carrying the state forward, then the
    final invocation; every failed invocation is run again with the same event. Returns
    how many invocations failed."""
    state: dict[str, Any] = {}
    failures: list[Exception] = []
    batches = [records[i : i + batch] for i in range(0, len(records), batch)] + [[]]
    for number, records_of_batch in enumerate(batches):
        event = {
            "Records": records_of_batch,
            "window": {"start": "2026-12-03T12:00:00Z", "end": "2026-12-03T12:01:00Z"},
            "state": state,
            "shardId": "shard-1",
            "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x",
            "isFinalInvokeForWindow": number == len(batches) - 1,
            "isWindowTerminatedEarly": False,
        }
        for _ in range(20):
            try:
                state = click_stats.handler(json.loads(json.dumps(event)), context)["state"]
                break
            except Exception as failure:  # noqa: BLE001 - Lambda retries whatever the failure
                failures.append(failure)
        else:
            pytest.fail(f"the aggregator never succeeded: {failures[-1]!r}")
    return len(failures)


def assert_exact(stack: Stack) -> dict[str, int]:
    """Every link's days sum to its counters (its item's and its click shards'), and
    every breakdown to its day's clicks."""
    items = stack.items()
    counters = {
        item["PK"]["S"].removeprefix("LINK#"): int(item["clicks"]["N"])
        for item in items
        if item["PK"]["S"].startswith("LINK#")
    }
    for item in items:
        if item["PK"]["S"].startswith("SHARD#"):
            counters[item["PK"]["S"].split("#")[1]] += int(item["clicks"]["N"])
    counted = dict.fromkeys(counters, 0)
    for item in items:
        if not item["PK"]["S"].startswith("STATS#"):
            continue
        clicks = int(item["clicks"]["N"])
        counted[item["PK"]["S"].removeprefix("STATS#")] += clicks
        for breakdown in ("referrers", "countries", "devices", "browsers", "os"):
            assert sum(int(n["N"]) for n in item[breakdown]["M"].values()) == clicks, breakdown
    assert counted == counters
    return counted


def test_every_click_is_counted_once_through_faults_and_replays(stack, lambda_context):
    links = [create_link(lambda_context) for _ in range(3)]
    for n in range(30):
        click(lambda_context, links[n % 3], n)
    click(lambda_context, links[0], 99, method="HEAD")  # not a click: never in the stats
    click(lambda_context, links[1], 98, user_agent="curl/8.5.0")  # a bot: nor this
    records = stream_records(stack)
    assert len(records) == 30

    # Every DynamoDB call the aggregator makes fails in turn, in every way, including
    # the write that lands and whose answer is lost; each failed invocation is retried.
    # Each round brings new clicks, so that there is something to write.
    rounds = [
        (call_site, fault)
        for call_site in [("GetItem", "STATS#"), ("PutItem", "STATS#")]
        for fault in [FAULTS["internal-server-error"], FAULTS["throttled"], LOST_ANSWER]
    ]
    for number, (call_site, fault) in enumerate(rounds):
        # Two attempts (botocore's) for each link's write, the links' made at once.
        stack.faults.fail(call_site, fault, times=6)
        failed = run_window(lambda_context, records[5 * number : 5 * number + 5], batch=2)
        assert stack.faults.attempts_at(call_site) >= 6
        if not (fault is LOST_ANSWER and call_site[0] == "PutItem"):
            assert failed >= 1
        # (A put whose answer is lost fails nothing: the retry meets its own write.)
    stack.faults.fail(("PutItem", "STATS#"), FAULTS["read-timeout"], times=0)

    # Replays: the same records again, in other batches; overlapping what was written.
    run_window(lambda_context, records[:10], batch=7)
    run_window(lambda_context, records[5:25], batch=3)
    run_window(lambda_context, records, batch=1000)
    run_window(lambda_context, list(reversed(records)), batch=6)  # out of order, replayed

    counted = assert_exact(stack)
    assert sorted(counted.values()) == [10, 10, 10]


def link_repository(stack: Stack) -> DynamoDBLinkRepository:
    """The links' repository, outside the fault injector's reach."""
    return DynamoDBLinkRepository(admin_client(stack.endpoint), stack.table_name)


def shard_click(stack: Stack, short_id: str, shard: int, n: int) -> None:
    """A hot link's click as the redirect counts it on click shard `shard`: that shard's
    own counter, with the click's facts (here with the same mix as `click`'s)."""
    facts = ClickFacts(
        referrer=("(direct)", "news.ycombinator.com", "t.co")[n % 3],
        country=COUNTRIES[n % len(COUNTRIES)],
        user_agent=BROWSERS[n % len(BROWSERS)],
        visitor=64 * (n % 7) + 1,
    )
    assert link_repository(stack).record_shard_click(short_id, shard, datetime.now(UTC), facts)


def before_the_put_of(short_id: str, rival: Callable[[], Any]) -> Callable[[Any], None]:
    """For the fault injector, a fault that fails nothing: the first put of `short_id`'s
    day waits while `rival` (another aggregator) runs, then goes out as it was, after the
    day it was computed from has changed."""
    waiting = [rival]

    def run_the_rival_first(request: Any) -> None:
        if waiting and json.loads(request.body)["Item"]["PK"]["S"] == f"STATS#{short_id}":
            waiting.pop()()

    return run_the_rival_first


def test_a_hot_links_click_shards_are_counted_once_each_through_faults_and_replays(
    stack, lambda_context
):
    hot, cold = create_link(lambda_context), create_link(lambda_context)
    for n in range(6):
        click(lambda_context, hot, n)  # counted on its item before it went hot
    repository = link_repository(stack)
    assert repository.spread_clicks(repository.get(hot), 3) == 3
    for n in range(24):
        shard_click(stack, hot, 1 + n % 3, n)  # each shard numbers its 8 from 1
        if n % 6 == 0:
            click(lambda_context, hot, n)  # an environment that has not seen it hot yet
            click(lambda_context, cold, n)
    records = stream_records(stack)
    # (Marking the link as spread is a change of its item: its latest click comes again.)
    assert len(records) == 6 + 1 + 24 + 4 + 4

    # A link's items may sit in different stream shards, each read by an aggregator of
    # its own: here its item and click shard 1 in the first, shards 2 and 3 in the second.
    def in_stream_shard(number: int, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        second = {f"SHARD#{hot}#2", f"SHARD#{hot}#3"}
        return [
            r for r in records if (r["dynamodb"]["NewImage"]["PK"]["S"] in second) == (number == 2)
        ]

    first, second = in_stream_shard(1, records), in_stream_shard(2, records)
    rounds = [
        (call_site, fault)
        for call_site in [("GetItem", "STATS#"), ("PutItem", "STATS#")]
        for fault in [FAULTS["internal-server-error"], FAULTS["throttled"], LOST_ANSWER]
    ]
    for number, (call_site, fault) in enumerate(rounds):
        stack.faults.fail(call_site, fault, times=4)
        run_window(lambda_context, first[4 * number : 4 * number + 4], batch=3)
        run_window(lambda_context, second[3 * number : 3 * number + 3], batch=2)
        assert stack.faults.times == 0  # every fault armed was met
    assert 4 * len(rounds) >= len(first)
    assert 3 * len(rounds) >= len(second)

    # Two aggregators on the same day at once: between one's read of the hot link's day
    # and its put, the other writes that day.
    for n in range(6):
        shard_click(stack, hot, 1 + n % 3, 100 + n)
    click(lambda_context, hot, 100)
    seen = {r["dynamodb"]["SequenceNumber"] for r in records}
    new = [r for r in stream_records(stack) if r["dynamodb"]["SequenceNumber"] not in seen]
    assert len(new) == 7
    stack.faults.fail(
        ("PutItem", "STATS#"),
        before_the_put_of(hot, lambda: run_window(lambda_context, in_stream_shard(2, new), 4)),
    )
    run_window(lambda_context, in_stream_shard(1, new), batch=4)
    read, put = ("GetItem", "STATS#"), ("PutItem", "STATS#")
    # Ours read, held its put while the rival read and put, was refused, read and put again.
    assert stack.faults.attempts == [read, put, read, put, read, put]
    stack.faults.fail(("PutItem", "STATS#"), FAULTS["read-timeout"], times=0)
    records += new
    hot_clicks = (6 + 4 + 1) + (24 + 6)  # on its item, on its shards
    assert assert_exact(stack)[hot] == hot_clicks  # every click once, before any replay

    # Replays: each stream shard again, overlapping; all of them together, out of order.
    run_window(lambda_context, in_stream_shard(1, records)[5:], batch=7)
    run_window(lambda_context, in_stream_shard(2, records), batch=5)
    run_window(lambda_context, list(reversed(records)), batch=6)
    run_window(lambda_context, records, batch=1000)

    assert assert_exact(stack) == {hot: hot_clicks, cold: 4}


def test_a_window_too_large_to_carry_is_written_early_and_exactly(
    stack, lambda_context, monkeypatch
):
    links = [create_link(lambda_context) for _ in range(2)]
    for n in range(12):
        click(lambda_context, links[n % 2], n)
    records = stream_records(stack)
    window = {"start": "2026-12-03T12:00:00Z", "end": "2026-12-03T12:01:00Z"}

    def invoke(batch: list[dict[str, Any]], state: dict[str, Any]) -> dict[str, Any]:
        event = {"Records": batch, "window": window, "state": state}
        answer = click_stats.handler(event | {"isFinalInvokeForWindow": False}, lambda_context)
        return dict(answer["state"])

    def stored() -> int:
        items = stack.items()
        return sum(int(i["clicks"]["N"]) for i in items if i["PK"]["S"].startswith("STATS#"))

    # Scaled down: the state's referrer index is full at 2, and 3 referrers arrive: the
    # third click's comes once the first two are written.
    monkeypatch.setattr(click_windows, "_TABLE_SIZE", 2)
    state = invoke(records[:4], {})
    assert (stored(), len(click_windows.PendingClicks.from_state(state))) == (2, 2)

    # And a state past the threshold is written instead of carried.
    monkeypatch.setattr(click_stats, "WRITE_EARLY_AT_BYTES", 100)
    assert invoke(records[4:6], state) == {}
    assert stored() == 6

    run_window(lambda_context, records, batch=5)  # the rest, with the first 6 again
    assert sorted(assert_exact(stack).values()) == [6, 6]


def test_the_stats_say_where_the_clicks_came_from(stack, lambda_context):
    short_id = create_link(lambda_context)
    for n in range(9):
        click(lambda_context, short_id, n)
    run_window(lambda_context, stream_records(stack), batch=4)

    [day] = [i for i in stack.items() if i["PK"]["S"] == f"STATS#{short_id}"]

    def counts(name: str) -> dict[str, int]:
        return {value: int(n["N"]) for value, n in day[name]["M"].items()}

    assert counts("referrers") == {"(direct)": 3, "news.ycombinator.com": 3, "t.co": 3}
    assert counts("countries") == {"DE": 3, "FR": 3, "unknown": 3}
    assert counts("devices") == {"mobile": 3, "desktop": 6}
    assert counts("os") == {"iOS": 3, "Windows": 3, "Linux": 3}
    assert day["SK"]["S"] == f"DAY#{datetime.now(UTC).date().isoformat()}"


def test_no_address_and_no_lasting_hash_is_stored_or_logged(stack, lambda_context, capsys):
    short_id = create_link(lambda_context)
    for n in range(16):
        click(lambda_context, short_id, n)
    run_window(lambda_context, stream_records(stack), batch=5)
    today = datetime.now(UTC).date()
    [key_item] = [i for i in stack.items() if i["PK"]["S"] == "VISITORKEY"]
    day_key = bytes(key_item["secret"]["B"])
    # The full keyed hash of each visitor, and the 8 bytes the digest is cut from.
    hashes = [
        hmac.new(day_key, f"{address}\n{agent}".encode(), hashlib.sha256).digest()
        for address in ADDRESSES
        for agent in BROWSERS
    ]

    # Just after midnight the aggregator's daily run forgets the day's key.
    tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC)
    click_stats.handler(
        {"detail-type": "Scheduled Event", "time": (tomorrow + timedelta(minutes=5)).isoformat()},
        lambda_context,
    )

    stored = json.dumps(stack.items(), default=repr)
    logged = capsys.readouterr()
    for text in (stored, logged.out, logged.err):
        for address in ADDRESSES:
            assert address not in text
        for full in hashes:
            assert full.hex() not in text
            assert full[:8].hex() not in text
            assert str(int.from_bytes(full[:8], "big")) not in text
    assert not [i for i in stack.items() if i["PK"]["S"] == "VISITORKEY"]
    # What is left of a visitor: 15 bits on the link item (the latest click's digest),
    # and a sketch of registers in the day's stats.
    [link] = [i for i in stack.items() if i["PK"]["S"] == f"LINK#{short_id}"]
    assert int(link["click"]["M"]["v"]["N"]) < 2**15
