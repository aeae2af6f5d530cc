"""DynamoDBClickStats, the visitor keys, and the click a link item carries, on moto and
DynamoDB Local: exact under lost answers and retries."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

import pytest

from domain.click_facts import ClickFacts
from domain.click_stats import Click
from domain.errors import StorageUnavailable
from domain.hot_links import CLICK_SHARDS
from domain.links import Link
from repository.click_stream import streamed_click
from repository.dynamodb_click_stats import DynamoDBClickStats
from repository.dynamodb_links import DynamoDBLinkRepository
from repository.keys import shard_key
from repository.visitor_keys import DynamoDBVisitorKeys
from tests.dynamodb_faults import FAULTS, LOST_ANSWER
from tests.repository.conftest import DYNAMODB_LOCAL

pytestmark = pytest.mark.dynamodb_only

DAY = date(2026, 12, 3)


def click(number: int, referrer: str = "t.co", day: date = DAY, counter: int = 0) -> Click:
    return Click(
        number, day, referrer, "DE", "mobile", "Chrome Mobile", "Android", 64 * number + 1, counter
    )


def store_on(client: Any, table_name: str) -> DynamoDBClickStats:
    """The store on `client`: the functions' own, or one standing in for it."""
    return DynamoDBClickStats(client, table_name, retention_days=400)


@pytest.fixture
def stats(client: Any, table_name: str) -> DynamoDBClickStats:
    return store_on(client, table_name)


def test_clicks_are_stored_by_day_and_read_back_by_range(stats):
    stats.add_clicks("abc", DAY, [click(1), click(2, "(direct)")])
    stats.add_clicks("abc", DAY + timedelta(days=1), [click(3, day=DAY + timedelta(days=1))])
    stats.add_clicks("other", DAY, [click(1)])

    days = stats.days("abc", DAY - timedelta(days=30), DAY + timedelta(days=1))

    assert [(d.day, d.clicks, d.applied_through) for d in days] == [
        (DAY, 2, {0: 2}),
        (DAY + timedelta(days=1), 1, {0: 3}),
    ]
    assert days[0].referrers == {"t.co": 1, "(direct)": 1}
    assert days[0].visitors.estimate() == 2
    assert stats.days("abc", DAY + timedelta(days=2), DAY + timedelta(days=9)) == []


def test_clicks_given_again_change_nothing(stats, dynamodb, table_name):
    stats.add_clicks("abc", DAY, [click(n) for n in range(1, 6)])
    before = dynamodb.scan(TableName=table_name)["Items"]

    stats.add_clicks("abc", DAY, [click(n) for n in range(1, 6)])
    stats.add_clicks("abc", DAY, [click(3), click(5)])

    assert dynamodb.scan(TableName=table_name)["Items"] == before


def test_a_write_whose_answer_was_lost_is_not_counted_twice(stats, faults):
    stats.add_clicks("abc", DAY, [click(1)])
    faults.fail(("PutItem", "STATS#"), LOST_ANSWER, times=1)

    # The put lands, its answer is lost, botocore retries it: the condition refuses the
    # second copy, and the store reads the day again and finds nothing left to add.
    stats.add_clicks("abc", DAY, [click(2), click(3)])

    [day] = stats.days("abc", DAY, DAY)
    assert (day.clicks, day.applied_through) == (3, {0: 3})


@pytest.mark.parametrize("call_site", [("GetItem", "STATS#"), ("PutItem", "STATS#")])
def test_a_failing_store_raises_and_a_retry_completes_exactly(stats, faults, call_site):
    stats.add_clicks("abc", DAY, [click(1)])
    faults.fail(call_site, FAULTS["internal-server-error"])

    with pytest.raises(StorageUnavailable):
        stats.add_clicks("abc", DAY, [click(2), click(3)])
    faults.fail(call_site, FAULTS["internal-server-error"], times=0)
    stats.add_clicks("abc", DAY, [click(2), click(3)])

    [day] = stats.days("abc", DAY, DAY)
    assert (day.clicks, day.applied_through) == (3, {0: 3})


# --- a hot link: clicks numbered by its item (counter 0) and its click shards (k >= 1) --


def breakdowns_sum_to_the_clicks(stats: DynamoDBClickStats, short_id: str = "abc") -> int:
    [day] = stats.days(short_id, DAY, DAY)
    for name in ("referrers", "countries", "devices", "browsers", "os"):
        assert sum(getattr(day, name).values()) == day.clicks, name
    return day.clicks


def test_each_counter_keeps_its_own_watermark(stats, dynamodb, table_name):
    stats.add_clicks("abc", DAY, [click(n, counter=2) for n in range(1, 11)])
    # The link item's clicks, lower numbers, written after a shard's: all new.
    stats.add_clicks("abc", DAY, [click(n, "(direct)", counter=0) for n in range(1, 4)])
    stats.add_clicks("abc", DAY, [click(n, counter=c) for c in (0, 1, 2) for n in (3, 4)])

    [day] = stats.days("abc", DAY, DAY)
    assert (day.clicks, day.applied_through) == (16, {0: 4, 1: 4, 2: 10})
    assert day.referrers == {"t.co": 13, "(direct)": 3}
    [item] = dynamodb.scan(TableName=table_name)["Items"]
    assert item["appliedThrough"] == {"M": {"0": {"N": "4"}, "1": {"N": "4"}, "2": {"N": "10"}}}


def test_a_day_written_before_click_shards_is_read_as_the_link_items(stats, dynamodb, table_name):
    stats.add_clicks("abc", DAY, [click(1), click(2)])
    dynamodb.update_item(  # as the aggregator stored it before: one number
        TableName=table_name,
        Key={"PK": {"S": "STATS#abc"}, "SK": {"S": "DAY#2026-12-03"}},
        UpdateExpression="SET appliedThrough = :n",
        ExpressionAttributeValues={":n": {"N": "2"}},
    )

    stats.add_clicks("abc", DAY, [click(1), click(2), click(3), click(1, counter=5)])

    [day] = stats.days("abc", DAY, DAY)
    assert (day.clicks, day.applied_through) == (4, {0: 3, 5: 1})


class RivalAfterEachRead:
    """The store's client, except that right after each of the store's reads of a day
    (the first `times`), `rival` writes that day: another aggregator, from another
    stream shard, getting in between the read and the put."""

    def __init__(self, client: Any, rival: Callable[[], None], times: int) -> None:
        self._client, self._rival, self.times = client, rival, times

    def get_item(self, **request: Any) -> Any:
        answer = self._client.get_item(**request)
        if self.times > 0:
            self.times -= 1
            self._rival()
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def shard_writers(dynamodb: Any, table_name: str) -> Callable[[], None]:
    """Each call: the aggregator of the next click shard writes its two clicks."""
    other = store_on(dynamodb, table_name)
    shards = count(1)

    def write() -> None:
        shard = next(shards)
        other.add_clicks("abc", DAY, [click(1, "(direct)", counter=shard), click(2, counter=shard)])

    return write


def test_a_write_between_the_read_and_the_put_is_kept_and_so_are_ours(
    stats, client, dynamodb, table_name, faults
):
    stats.add_clicks("abc", DAY, [click(1)])
    interleaved = store_on(
        RivalAfterEachRead(client, shard_writers(dynamodb, table_name), times=1), table_name
    )
    faults.attempts.clear()

    interleaved.add_clicks("abc", DAY, [click(2), click(3)])  # shard 1 writes after our read

    assert faults.attempts_at(("GetItem", "STATS#")) == 2  # our put was refused once
    [day] = stats.days("abc", DAY, DAY)
    assert (day.clicks, day.applied_through) == (5, {0: 3, 1: 2})
    assert day.referrers == {"t.co": 4, "(direct)": 1}
    assert breakdowns_sum_to_the_clicks(stats) == 5


def test_the_last_of_a_link_item_and_all_its_click_shards_writing_at_once_gets_through(
    client, dynamodb, table_name
):
    # The worst case of a window's end: each of our attempts loses to another writer.
    rivals = shard_writers(dynamodb, table_name)
    stats = store_on(RivalAfterEachRead(client, rivals, times=CLICK_SHARDS), table_name)

    stats.add_clicks("abc", DAY, [click(1), click(2), click(3)])

    [day] = stats.days("abc", DAY, DAY)
    assert day.applied_through == {0: 3} | dict.fromkeys(range(1, CLICK_SHARDS + 1), 2)
    assert breakdowns_sum_to_the_clicks(stats) == 3 + 2 * CLICK_SHARDS


def test_a_day_that_keeps_changing_raises_and_a_retry_completes_exactly(
    client, dynamodb, table_name
):
    rivals = RivalAfterEachRead(client, shard_writers(dynamodb, table_name), times=1_000)
    stats = store_on(rivals, table_name)

    with pytest.raises(StorageUnavailable):  # so Lambda runs the final invocation again
        stats.add_clicks("abc", DAY, [click(1), click(2), click(3)])
    shards = 1_000 - rivals.times
    assert breakdowns_sum_to_the_clicks(stats) == 2 * shards  # theirs only, each once

    rivals.times = 0
    stats.add_clicks("abc", DAY, [click(1), click(2), click(3)])

    assert breakdowns_sum_to_the_clicks(stats) == 2 * shards + 3


# DynamoDB applies conditional writes to one item one at a time, and DynamoDB Local does
# too; moto's server does not (it let two rivals' puts both land here, one click lost), so
# a real race runs on DynamoDB Local alone, as test_rate_counter_items.py's do.
@pytest.mark.parametrize("backend", [DYNAMODB_LOCAL])
def test_writers_of_one_day_at_the_same_moment_all_count(client, table_name):
    # A link item and its click shards in as many stream shards, so as many aggregators,
    # every one reading the day before any of them puts it; then they race for real.
    writers = 1 + CLICK_SHARDS
    together = threading.Barrier(writers, timeout=30)
    first_read = threading.local()

    class ReadTogether:
        def get_item(self, **request: Any) -> Any:
            if not getattr(first_read, "done", False):
                first_read.done = True
                together.wait()
            return client.get_item(**request)

        def __getattr__(self, name: str) -> Any:
            return getattr(client, name)

    stats = store_on(ReadTogether(), table_name)

    def write(counter: int) -> None:
        stats.add_clicks("abc", DAY, [click(n, counter=counter) for n in range(1, counter + 2)])

    with ThreadPoolExecutor(max_workers=writers) as pool:
        list(pool.map(write, range(writers)))

    [day] = stats.days("abc", DAY, DAY)
    assert day.applied_through == {counter: counter + 1 for counter in range(writers)}
    assert breakdowns_sum_to_the_clicks(stats) == sum(range(1, writers + 1))


def test_a_day_is_kept_for_the_retention_after_it_ends(stats, dynamodb, table_name):
    stats.add_clicks("abc", DAY, [click(1)])

    [item] = dynamodb.scan(TableName=table_name)["Items"]

    day_ends = datetime(2026, 12, 4, tzinfo=UTC)
    assert int(item["ttl"]["N"]) == int((day_ends + timedelta(days=400)).timestamp())


def test_a_range_of_a_year_is_read_whole(stats):
    first = date(2026, 1, 1)
    for offset in range(0, 365, 4):
        day = first + timedelta(days=offset)
        stats.add_clicks("abc", day, [click(offset + 1, day=day)])

    assert len(stats.days("abc", first, first + timedelta(days=365))) == 92


# --- what a click leaves on its link, and how the stream reads it back -----------------


def test_a_counted_click_leaves_what_the_analytics_needs_on_its_link(client, table_name, dynamodb):
    repository = DynamoDBLinkRepository(client, table_name)
    at = datetime(2026, 12, 3, 12, tzinfo=UTC)
    repository.add(Link(short_id="abc", url="https://example.com/", created_at=at))
    facts = ClickFacts(referrer="t.co", country="DE", user_agent="Mozilla/5.0", visitor=777)

    repository.record_click("abc", at=at, click=facts)
    repository.record_click("abc", at=at + timedelta(seconds=1), click=replace(facts, country=None))

    item = dynamodb.get_item(
        TableName=table_name, Key={"PK": {"S": "LINK#abc"}, "SK": {"S": "META"}}
    )
    streamed = streamed_click({"dynamodb": {"NewImage": item["Item"], "SequenceNumber": "9"}})
    assert streamed is not None
    assert streamed.short_id == "abc"
    assert streamed.number == 2
    assert streamed.facts == replace(facts, country=None)
    assert streamed.at == at + timedelta(seconds=1)


def test_a_click_on_a_click_shard_is_read_with_its_shard_as_counter(client, table_name, dynamodb):
    repository = DynamoDBLinkRepository(client, table_name)
    at = datetime(2026, 12, 3, 12, tzinfo=UTC)
    repository.add(Link(short_id="abc", url="https://example.com/", created_at=at))
    repository.record_click("abc", at=at)
    assert repository.spread_clicks(repository.get("abc"), 4) == 4
    facts = ClickFacts(referrer="t.co", country="DE", user_agent="Mozilla/5.0", visitor=777)

    repository.record_shard_click("abc", 3, at=at, click=replace(facts, country=None))
    repository.record_shard_click("abc", 3, at=at + timedelta(seconds=1), click=facts)

    item = dynamodb.get_item(TableName=table_name, Key=shard_key("abc", 3))
    streamed = streamed_click({"dynamodb": {"NewImage": item["Item"], "SequenceNumber": "9"}})
    assert streamed is not None
    assert (streamed.short_id, streamed.counter, streamed.number) == ("abc", 3, 2)
    assert (streamed.at, streamed.facts) == (at + timedelta(seconds=1), facts)


@pytest.mark.parametrize(
    "image",
    [
        {},
        {"PK": {"S": "RATE#all"}, "SK": {"S": "CREATIONS#300/5"}},
        {"PK": {"S": "LINK#abc"}, "SK": {"S": "META"}, "clicks": {"N": "3"}},  # no click yet
        {"PK": {"S": "STATS#abc"}, "SK": {"S": "DAY#2026-12-03"}},
    ],
)
def test_records_without_a_click_are_passed_over(image):
    assert streamed_click({"dynamodb": {"NewImage": image}}) is None


CLICKED = {
    "clicks": {"N": "3"},
    "lastClickedAt": {"S": "2026-12-03T12:00:00Z"},
    "click": {"M": {"r": {"S": "t.co"}, "u": {"S": "Mozilla/5.0"}}},
}


@pytest.mark.parametrize(
    ("key", "sort_key", "counted_by"),
    [
        ("LINK#abc", "META", ("abc", 0)),
        ("SHARD#abc#1", "META", ("abc", 1)),
        ("SHARD#abc#20", "META", ("abc", 20)),
        ("SHARD#abc#3", "DAY#2026-12-03", None),
        ("SHARD#abc", "META", None),
        ("SHARD#abc#0", "META", None),
        ("SHARD#abc#-1", "META", None),
        ("SHARD#abc#x", "META", None),
        ("SHARD##3", "META", None),
        ("SHARD#a#b#3", "META", None),
        ("STATS#abc", "META", None),
    ],
)
def test_only_a_link_item_or_a_click_shard_counts_a_click(key, sort_key, counted_by):
    image = {"PK": {"S": key}, "SK": {"S": sort_key}, **CLICKED}

    streamed = streamed_click({"dynamodb": {"NewImage": image}})

    assert (None if streamed is None else (streamed.short_id, streamed.counter)) == counted_by


# --- the day's visitor key -------------------------------------------------------------


def test_every_environment_gets_the_same_key_for_a_day_and_a_new_one_the_next(client, table_name):
    first, second = DynamoDBVisitorKeys(client, table_name), DynamoDBVisitorKeys(client, table_name)

    key = first.key_for(DAY)

    assert second.key_for(DAY) == key
    assert len(key) == 32
    assert first.key_for(DAY + timedelta(days=1)) not in (key, b"")


def test_an_environment_asks_for_the_key_once_a_day(client, table_name, faults):
    keys = DynamoDBVisitorKeys(client, table_name)
    keys.key_for(DAY)
    faults.attempts.clear()  # count from here

    keys.key_for(DAY)
    keys.key_for(DAY)

    assert faults.attempts == []


def test_past_keys_are_forgotten_and_each_expires_an_hour_after_its_day(
    client, table_name, dynamodb
):
    keys = DynamoDBVisitorKeys(client, table_name)
    for offset in range(3):
        DynamoDBVisitorKeys(client, table_name).key_for(DAY + timedelta(days=offset))
    stored = dynamodb.scan(TableName=table_name)["Items"]
    assert {int(i["ttl"]["N"]) for i in stored} == {
        int(datetime(2026, 12, 4 + offset, 1, tzinfo=UTC).timestamp()) for offset in range(3)
    }

    assert keys.forget_before(DAY + timedelta(days=2)) == 2

    left = dynamodb.scan(TableName=table_name)["Items"]
    assert [item["SK"]["S"] for item in left] == ["2026-12-05"]
